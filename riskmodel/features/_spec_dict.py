"""A feature specification as a plain description, and back.

The description holds only ``str``, ``int``, ``float``, ``bool``, ``None``, ``list``
and ``dict``, so that it can travel with a fitted model (MLflow's skops format stores
it without trusting any new type) and be written as JSON. Reading it back constructs
only the feature classes this package exports, looked up by name in a fixed table, and
the classes a user's own code has registered with :func:`register_feature` in the same
process: nothing named in a description is ever imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from riskmodel.features._base import Feature
from riskmodel.features._dynamics import ActiveMonths, DaysSinceAny, DecayedCount, QuarterChange
from riskmodel.features._event_features import (
    Count,
    DaysSince,
    Ever,
    LatestValue,
    OpenAt,
    PreviousCPPlans,
)
from riskmodel.features._family import EventFamily
from riskmodel.features._household_features import (
    HouseholdCareEntries,
    HouseholdCount,
    HouseholdDecayedCount,
)
from riskmodel.features._person_features import (
    AgeYears,
    DaysSinceLeftCare,
    PreviousCarePeriods,
    SiblingsLookedAfter,
)

__all__ = ["FEATURE_KINDS", "FORMAT", "register_feature", "spec_from_dict", "spec_to_dict"]

FORMAT = 1
"""Version of the description's layout, stored under ``"format"``."""

FEATURE_KINDS: dict[str, type[Feature]] = {
    cls.__name__: cls
    for cls in (
        Count,
        DaysSince,
        Ever,
        LatestValue,
        OpenAt,
        PreviousCPPlans,
        AgeYears,
        DaysSinceLeftCare,
        PreviousCarePeriods,
        SiblingsLookedAfter,
        DecayedCount,
        ActiveMonths,
        QuarterChange,
        DaysSinceAny,
        HouseholdCount,
        HouseholdDecayedCount,
        HouseholdCareEntries,
    )
}
"""The feature classes a description may name, by class name."""

_REGISTERED: dict[str, type[Feature]] = {}
"""Users' own feature classes, by ``module.QualifiedName`` (see :func:`register_feature`)."""

_PLAIN = (str, int, float, bool, type(None))

_FAMILY_KEYS = ("name", "event_types", "noun", "singular", "codes")


def _registered_kind(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def register_feature(cls: type[Feature]) -> type[Feature]:
    """Let a feature class of one's own travel with a fitted model.

    A specification that holds a feature of one's own can then be described with
    :meth:`FeatureSpec.to_dict <riskmodel.features.FeatureSpec.to_dict>`, as
    :class:`~riskmodel.RiskClassifier` does in ``fit``, and read back with
    :meth:`FeatureSpec.from_dict <riskmodel.features.FeatureSpec.from_dict>`. The
    description names the class by module and qualified name; reading it back looks
    the name up among the classes registered in this process and never imports
    anything, so a scoring job must import (and so register) the same class before it
    builds features with a stored model. Use it as a class decorator.

    Parameters
    ----------
    cls : type
        A frozen dataclass subclassing :class:`~riskmodel.features.Feature`, whose
        fields hold plain values (``str``, ``int``, ``float``, ``bool``, ``None``, tuples
        of them) or :class:`~riskmodel.features.EventFamily` objects.

    Returns
    -------
    type
        ``cls``, unchanged.

    Raises
    ------
    TypeError
        If ``cls`` is not a dataclass subclassing ``Feature``, or shares its name with
        one of the package's own feature kinds, or another class was registered under
        the same module and name.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from riskmodel.features import Feature, register_feature
    >>> @register_feature
    ... @dataclass(frozen=True)
    ... class Constant(Feature):
    ...     value: int = 1
    ...     name = "constant"
    ...     template = "always {value}"
    ...
    ...     def compute(self, context):
    ...         return [float(self.value)] * len(context)
    >>> from riskmodel.features import FeatureSpec
    >>> spec = FeatureSpec((Constant(2),), count_other_event_types=False)
    >>> FeatureSpec.from_dict(spec.to_dict()) == spec
    True
    """
    if not (isinstance(cls, type) and issubclass(cls, Feature) and is_dataclass(cls)):
        raise TypeError(f"register_feature: expected a dataclass subclassing Feature, got {cls!r}")
    if cls.__name__ in FEATURE_KINDS:
        raise TypeError(
            f"register_feature: {cls.__qualname__} shares its name with the package's own "
            f"feature kind {cls.__name__}; give it another name"
        )
    kind = _registered_kind(cls)
    if _REGISTERED.setdefault(kind, cls) is not cls:
        raise TypeError(f"register_feature: another class is already registered as {kind}")
    return cls


def _kind_of(feature: Feature) -> str | None:
    """Return the name a description gives the feature's class (None: it has none)."""
    cls = type(feature)
    if FEATURE_KINDS.get(cls.__name__) is cls:
        return cls.__name__
    kind = _registered_kind(cls)
    return kind if _REGISTERED.get(kind) is cls else None


def _plain_field(feature: Feature, field_name: str, value: Any) -> Any:
    """Describe a registered feature's field with plain values (families by name)."""
    if isinstance(value, EventFamily):
        return {"event_family": value.name}
    if isinstance(value, (tuple, list)):
        return [_plain_field(feature, field_name, v) for v in value]
    if isinstance(value, _PLAIN):
        return value
    raise TypeError(
        f"feature {feature.name!r}: field {field_name} holds a {type(value).__name__}, "
        f"which has no plain description (use str, int, float, bool, None, tuples of "
        f"them or EventFamily)"
    )


def _from_plain(value: Any, families: dict[str, EventFamily], where: str) -> Any:
    """Undo :func:`_plain_field`: lists back to tuples, family names back to families."""
    if isinstance(value, list):
        return tuple(_from_plain(v, families, where) for v in value)
    if isinstance(value, Mapping):
        name = value.get("event_family")
        if set(value) != {"event_family"} or name not in families:
            raise ValueError(
                f"{where}: {value!r} names no event family that the description defines"
            )
        return families[name]
    return value


def family_to_dict(family: EventFamily) -> dict[str, Any]:
    """Describe an event family with plain values (codes as ``{event_type: [code, ...]}``)."""
    codes = None if family.codes is None else {t: list(c) for t, c in family.codes}
    return {
        "name": family.name,
        "event_types": list(family.event_types),
        "noun": family.noun,
        "singular": family.singular,
        "codes": codes,
    }


def family_from_dict(description: Any) -> EventFamily:
    """Build an event family from :func:`family_to_dict` output."""
    if not isinstance(description, Mapping):
        raise ValueError(f"an event family must be described by a dict, got {description!r}")
    unknown = sorted(set(description) - set(_FAMILY_KEYS))
    if unknown or "name" not in description:
        raise ValueError(
            f"event family {description.get('name')!r}: expected the keys "
            f"{', '.join(_FAMILY_KEYS)}; got {', '.join(map(str, description))}"
        )
    codes = description.get("codes")
    if isinstance(codes, Mapping):
        codes = {t: _tuple(c) for t, c in codes.items()}
    elif isinstance(codes, list):
        codes = tuple(codes)
    try:
        return EventFamily(
            description["name"],
            _tuple(description.get("event_types")),
            description.get("noun"),
            description.get("singular"),
            codes,
        )
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"event family {description.get('name')!r} cannot be built: {error}"
        ) from error


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def feature_to_dict(feature: Feature) -> dict[str, Any]:
    """Describe one feature: its kind and its fields, families by name."""
    kind = _kind_of(feature)
    if kind is None:
        raise TypeError(
            f"feature {feature.name!r} is a {type(feature).__qualname__}, which has no plain "
            f"description; the package's own kinds ({', '.join(FEATURE_KINDS)}) have one, "
            f"and a class of one's own has one once registered with "
            f"riskmodel.features.register_feature"
        )
    out: dict[str, Any] = {"kind": kind}
    for item in fields(feature):
        value = getattr(feature, item.name)
        if kind not in FEATURE_KINDS:
            out[item.name] = _plain_field(feature, item.name, value)
        else:
            out[item.name] = value.name if isinstance(value, EventFamily) else value
    return out


def spec_to_dict(features: tuple[Feature, ...], count_other_event_types: bool) -> dict[str, Any]:
    """Describe a specification's features and families with plain values.

    Returns
    -------
    dict
        ``{"format": 1, "count_other_event_types": bool, "families": [...],
        "features": [...]}``; each family once, each feature naming its families.
    """
    families = {fam.name: fam for f in features for fam in f.families}
    for feature in features:
        if _kind_of(feature) in _REGISTERED:
            for item in fields(feature):
                for value in _families_in(getattr(feature, item.name)):
                    families.setdefault(value.name, value)
    return {
        "format": FORMAT,
        "count_other_event_types": bool(count_other_event_types),
        "families": [family_to_dict(family) for family in families.values()],
        "features": [feature_to_dict(feature) for feature in features],
    }


def _families_in(value: Any) -> list[EventFamily]:
    if isinstance(value, EventFamily):
        return [value]
    if isinstance(value, (tuple, list)):
        return [f for v in value for f in _families_in(v)]
    return []


def _feature_from_dict(
    position: int, description: Any, families: dict[str, EventFamily]
) -> Feature:
    if not isinstance(description, Mapping):
        raise ValueError(f"feature {position}: expected a dict, got {description!r}")
    kind = description.get("kind")
    known = {**FEATURE_KINDS, **_REGISTERED}
    cls = known.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(
            f"feature {position}: unknown kind {kind!r}; known kinds are "
            f"{', '.join(known)} (a class of one's own must be imported and registered "
            f"with riskmodel.features.register_feature before the description is read)"
        )
    allowed = {item.name: item for item in fields(cls)}
    given = {k: v for k, v in description.items() if k != "kind"}
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ValueError(
            f"feature {position} ({kind}): unknown field(s) {', '.join(map(str, unknown))}; "
            f"{kind} has {', '.join(allowed) or 'no fields'}"
        )
    arguments = {}
    for name, value in given.items():
        if kind in _REGISTERED:
            value = _from_plain(value, families, f"feature {position} ({kind}): {name}")
        elif name in ("family", "start", "end"):
            if value not in families:
                raise ValueError(
                    f"feature {position} ({kind}): {name} names the event family {value!r}, "
                    f"which the description does not define"
                )
            value = families[value]
        arguments[name] = value
    try:
        return cls(**arguments)
    except (TypeError, ValueError) as error:
        raise ValueError(f"feature {position} ({kind}) cannot be built: {error}") from error


def spec_from_dict(description: Any) -> tuple[tuple[Feature, ...], bool]:
    """Read :func:`spec_to_dict` output: the features and ``count_other_event_types``.

    Raises
    ------
    ValueError
        If the description is not a dict of the expected layout, names an unknown
        kind or family, or holds a feature or family that cannot be built.
    """
    if not isinstance(description, Mapping):
        raise ValueError(
            f"a feature specification must be described by a dict, got {type(description)}"
        )
    if description.get("format") != FORMAT:
        raise ValueError(
            f"unknown feature specification format {description.get('format')!r}; "
            f"this version of riskmodel reads format {FORMAT}"
        )
    unknown = sorted(
        set(description) - {"format", "count_other_event_types", "families", "features"}
    )
    if unknown:
        raise ValueError(f"feature specification: unknown key(s) {', '.join(map(str, unknown))}")
    other = description.get("count_other_event_types", True)
    if not isinstance(other, bool):
        raise ValueError(f"count_other_event_types must be true or false, got {other!r}")
    families: dict[str, EventFamily] = {}
    for item in _list(description, "families"):
        family = family_from_dict(item)
        if family.name in families:
            raise ValueError(f"feature specification: event family {family.name!r} is repeated")
        families[family.name] = family
    features = tuple(
        _feature_from_dict(i, item, families)
        for i, item in enumerate(_list(description, "features"))
    )
    return features, other


def _list(description: Mapping, key: str) -> list:
    value = description.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"feature specification: {key} must be a list, got {type(value)}")
    return value
