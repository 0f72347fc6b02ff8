"""The feature specification: which features to build, their names and descriptions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from riskmodel.data._codes import EVENT_TYPES
from riskmodel.features._base import Feature
from riskmodel.features._event_features import Count
from riskmodel.features._family import EventFamily
from riskmodel.features._spec_dict import spec_from_dict, spec_to_dict

__all__ = ["FeatureSpec"]

OTHER_WINDOW_DAYS = 365
"""Window of the generic count features of event types no family covers."""


@dataclass(frozen=True)
class FeatureSpec:
    """An ordered set of features, each with a stable name and a plain-English description.

    Parameters
    ----------
    features : tuple of Feature
        The features, in column order. Names must be unique, and event families
        sharing a name must be identical.
    count_other_event_types : bool, default True
        When building features, add a count over the last year,
        ``other_<type>_count_365d``, for each event type found in the data that is
        neither in the data model's vocabulary nor read by any family of the spec
        (see :meth:`resolve`). Those columns come after the spec's, sorted by name.

    See Also
    --------
    default_spec : The default specification, covering every event type.
    build_features : Compute a specification's features at as-of dates.

    Examples
    --------
    >>> from riskmodel.features import Count, DaysSince, EventFamily, FeatureSpec
    >>> police = EventFamily(
    ...     "police_da", "police_domestic_abuse", "police domestic-abuse notifications"
    ... )
    >>> spec = FeatureSpec((Count(police, 365), DaysSince(police)))
    >>> spec.names
    ('police_da_count_365d', 'police_da_days_since_last')
    >>> spec.describe("police_da_count_365d", 3)
    '3 police domestic-abuse notifications in the last year'
    >>> spec.describe("police_da_count_365d", 1)
    '1 police domestic-abuse notification in the last year'
    """

    features: tuple[Feature, ...]
    count_other_event_types: bool = True

    def __post_init__(self) -> None:
        features = tuple(self.features)
        wrong = [f for f in features if not isinstance(f, Feature)]
        if wrong:
            raise TypeError(
                "FeatureSpec.features must hold Feature objects (Count, DaysSince, ...), "
                f"got {', '.join(repr(w) for w in wrong[:3])}"
            )
        names = [f.name for f in features]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"FeatureSpec: feature names must be unique; repeated: {repeated}")
        seen: dict[str, EventFamily] = {}
        for family in (fam for f in features for fam in f.families):
            if seen.setdefault(family.name, family) != family:
                raise ValueError(
                    f"FeatureSpec: two different event families are named {family.name!r}: "
                    f"{seen[family.name]!r} and {family!r}"
                )
        object.__setattr__(self, "features", features)

    def to_dict(self) -> dict:
        """Return a plain description of the specification (for storing with a model).

        Returns
        -------
        dict
            Only ``str``, ``int``, ``float``, ``bool``, ``None``, ``list`` and ``dict``:
            ``{"format": 1, "count_other_event_types": ..., "families": [...],
            "features": [...]}``, each family once (name, event types, noun,
            singular, codes) and each feature as its ``kind`` (class name) and fields,
            naming its families. JSON can hold it as it is.

        Raises
        ------
        TypeError
            If a feature is not one of the classes the package exports (a subclass
            of your own has no plain description).

        See Also
        --------
        from_dict : Build the specification back.

        Examples
        --------
        >>> from riskmodel.features import Count, EventFamily, FeatureSpec
        >>> s47 = EventFamily("s47", "s47_start", "section 47 enquiries")
        >>> spec = FeatureSpec((Count(s47, 365),))
        >>> spec.to_dict()["features"]
        [{'kind': 'Count', 'family': 's47', 'window_days': 365}]
        >>> FeatureSpec.from_dict(spec.to_dict()) == spec
        True
        """
        return spec_to_dict(self.features, self.count_other_event_types)

    @classmethod
    def from_dict(cls, description: dict) -> FeatureSpec:
        """Build a specification from :meth:`to_dict` output.

        Only the package's own feature classes (``Count``, ``DaysSince``, ``Ever``,
        ``LatestValue``, ``OpenAt``, ``PreviousCPPlans``, ``AgeYears``,
        ``DaysSinceLeftCare``, ``PreviousCarePeriods``, ``SiblingsLookedAfter``,
        ``DecayedCount``, ``ActiveMonths``, ``QuarterChange``, ``DaysSinceAny``,
        ``HouseholdCount``, ``HouseholdDecayedCount``, ``HouseholdCareEntries``), those
        registered with :func:`~riskmodel.features.register_feature` and
        :class:`EventFamily` are constructed, looked up by name in a fixed table.

        Parameters
        ----------
        description : dict
            A plain description, such as a fitted model's ``feature_spec_``.

        Returns
        -------
        FeatureSpec

        Raises
        ------
        ValueError
            If the description names an unknown kind of feature or event family, has
            unexpected keys, or holds a feature or family that cannot be built (the
            message says which one and why).
        """
        features, count_other = spec_from_dict(description)
        try:
            return cls(features, count_other_event_types=count_other)
        except (TypeError, ValueError) as error:
            raise ValueError(f"the feature specification cannot be built: {error}") from error

    @property
    def names(self) -> tuple[str, ...]:
        """The feature names, in column order."""
        return tuple(f.name for f in self.features)

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """Every event family read by a feature, in order of first use."""
        return tuple({fam.name: fam for f in self.features for fam in f.families}.values())

    @property
    def event_types(self) -> frozenset[str]:
        """Every event type read by a family of the spec."""
        return frozenset(t for fam in self.families for t in fam.event_types)

    def __len__(self) -> int:
        return len(self.features)

    def __iter__(self) -> Iterator[Feature]:
        return iter(self.features)

    def __getitem__(self, name: str) -> Feature:
        """Return the feature called ``name``."""
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(f"no feature named {name!r} in the spec; names are {list(self.names)}")

    def describe(self, name: str, value: object) -> str:
        """Describe a child's value of one feature in plain English.

        Parameters
        ----------
        name : str
            The feature's name.
        value : object
            The child's value (NaN when missing).

        Returns
        -------
        str
            For example ``"2 missing from home episodes in the last 6 months"`` or
            ``"on a child protection plan at the as-of date"``.
        """
        return self[name].describe(value)

    def descriptions(self) -> dict[str, str]:
        """Return each feature's description template, ``{value}`` marking the value.

        Returns
        -------
        dict of str to str
            Feature name to template, in column order.
        """
        return {f.name: f.template for f in self.features}

    def resolve(self, event_types: Iterable[str]) -> FeatureSpec:
        """Return the spec with a generic count for every event type it does not know.

        Parameters
        ----------
        event_types : iterable of str
            Event types present in the data.

        Returns
        -------
        FeatureSpec
            ``self`` when ``count_other_event_types`` is False; otherwise a spec
            with ``count_other_event_types=False`` and, after the spec's features, a
            :class:`Count` over 365 days named ``other_<type>_count_365d`` for each
            type that is neither in :data:`~riskmodel.data.EVENT_TYPES` nor read by a
            family of the spec (sorted by name; the type is lower-cased and characters other
            than letters and digits become ``_``). Pass the resolved spec when
            scoring new data, so that its columns match those the model was fitted on.
        """
        if not self.count_other_event_types:
            return self
        known = set(EVENT_TYPES) | self.event_types
        others = sorted(
            {(_slug(t), t) for t in event_types if isinstance(t, str) and t not in known}
        )
        taken = set(self.names)
        extra = []
        for slug, event_type in others:
            name, n = f"other_{slug}", 1
            while Count(_family(name, event_type), OTHER_WINDOW_DAYS).name in taken:
                n += 1
                name = f"other_{slug}_{n}"
            feature = Count(_family(name, event_type), OTHER_WINDOW_DAYS)
            taken.add(feature.name)
            extra.append(feature)
        return FeatureSpec(self.features + tuple(extra), count_other_event_types=False)


def _slug(event_type: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", event_type.lower()).strip("_") or "event"


def _family(name: str, event_type: str) -> EventFamily:
    return EventFamily(name, (event_type,), f"'{event_type}' events", f"'{event_type}' event")
