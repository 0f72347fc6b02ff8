"""A feature specification as a plain description, and back.

The description holds only ``str``, ``int``, ``float``, ``bool``, ``None``, ``list``
and ``dict``, so that it can travel with a fitted model (MLflow's skops format stores
it without trusting any new type) and be written as JSON. Reading it back constructs
only the feature classes this package exports, looked up by name in a fixed table:
nothing named in a description is ever imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from riskmodel.features._base import Feature
from riskmodel.features._event_features import (
    Count,
    DaysSince,
    Ever,
    LatestValue,
    OpenAt,
    PreviousCPPlans,
)
from riskmodel.features._family import EventFamily
from riskmodel.features._person_features import (
    AgeYears,
    DaysSinceLeftCare,
    PreviousCarePeriods,
    SiblingsLookedAfter,
)

__all__ = ["FORMAT", "FEATURE_KINDS", "spec_from_dict", "spec_to_dict"]

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
    )
}
"""The feature classes a description may name, by class name."""

_FAMILY_KEYS = ("name", "event_types", "noun", "singular", "codes")


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
    kind = type(feature).__name__
    if FEATURE_KINDS.get(kind) is not type(feature):
        raise TypeError(
            f"feature {feature.name!r} is a {type(feature).__qualname__}, which has no plain "
            f"description; only these kinds do: {', '.join(FEATURE_KINDS)}"
        )
    out: dict[str, Any] = {"kind": kind}
    for item in fields(feature):
        value = getattr(feature, item.name)
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
    return {
        "format": FORMAT,
        "count_other_event_types": bool(count_other_event_types),
        "families": [family_to_dict(family) for family in families.values()],
        "features": [feature_to_dict(feature) for feature in features],
    }


def _feature_from_dict(
    position: int, description: Any, families: dict[str, EventFamily]
) -> Feature:
    if not isinstance(description, Mapping):
        raise ValueError(f"feature {position}: expected a dict, got {description!r}")
    kind = description.get("kind")
    cls = FEATURE_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(
            f"feature {position}: unknown kind {kind!r}; known kinds are "
            f"{', '.join(FEATURE_KINDS)}"
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
        if name in ("family", "start", "end"):
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
