"""Event families: named groups of event types (and codes) that features read together."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from riskmodel.features._descriptions import singular_of

__all__ = ["EventFamily"]

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def check_name(name: object, what: str) -> str:
    """Return ``name`` if it is a lower-case identifier, else raise ValueError."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(
            f"{what} must be a lower-case name of letters, digits and underscores starting "
            f"with a letter (such as 'domestic_abuse'), got {name!r}"
        )
    return name


@dataclass(frozen=True)
class EventFamily:
    """A named group of events counted together, such as all records of domestic abuse.

    Parameters
    ----------
    name : str
        Lower-case name used in feature names (``"missing_episode"`` gives
        ``missing_episode_count_180d``).
    event_types : str or tuple of str
        The ``events.event_type`` values in the family.
    noun : str
        Plural noun phrase for descriptions: ``"missing from home episodes"``.
    singular : str, optional
        Singular of ``noun``; by default ``noun`` with its last word made singular
        (give it when the plural word is not the last, as in ``"records of neglect"``).
    codes : tuple of str or mapping of str to tuple of str, optional
        Keep only events with these ``code`` values. A tuple applies to every event
        type of the family; a mapping restricts only the event types it names (the
        others count whatever their code). Stored as ``((event_type, codes), ...)``.

    Examples
    --------
    Domestic abuse: police notifications, and assessments with factor 3A, 3B or 3C.

    >>> family = EventFamily(
    ...     "domestic_abuse",
    ...     ("police_domestic_abuse", "assessment_factor"),
    ...     noun="records of domestic abuse",
    ...     singular="record of domestic abuse",
    ...     codes={"assessment_factor": ("3A", "3B", "3C")},
    ... )
    >>> family.selects("assessment_factor", "3B"), family.selects("assessment_factor", "4B")
    (True, False)
    >>> family.selects("police_domestic_abuse", None)
    True
    """

    name: str
    event_types: tuple[str, ...]
    noun: str
    singular: str | None = None
    codes: tuple[tuple[str, tuple[str, ...]], ...] | Mapping[str, tuple[str, ...]] | None = None

    def __post_init__(self) -> None:
        check_name(self.name, "EventFamily.name")
        types = (self.event_types,) if isinstance(self.event_types, str) else self.event_types
        types = tuple(types)
        if not types or not all(isinstance(t, str) and t for t in types):
            raise ValueError(
                f"EventFamily {self.name!r}: event_types must be one or more event type "
                f"names, got {self.event_types!r}"
            )
        if not isinstance(self.noun, str) or not self.noun.strip():
            raise ValueError(f"EventFamily {self.name!r}: noun must be a non-empty phrase")
        object.__setattr__(self, "event_types", types)
        object.__setattr__(self, "codes", _normalise_codes(self.name, types, self.codes))
        if self.singular is None:
            object.__setattr__(self, "singular", singular_of(self.noun))

    def codes_for(self, event_type: str) -> tuple[str, ...] | None:
        """Return the codes kept for ``event_type`` (None: every code, or not in the family)."""
        return dict(self.codes or ()).get(event_type)

    def selects(self, event_type: str, code: str | None) -> bool:
        """Whether an event of this type and code belongs to the family.

        Parameters
        ----------
        event_type : str
            The event's type.
        code : str or None
            The event's code (None or NaN when missing).

        Returns
        -------
        bool
        """
        if event_type not in self.event_types:
            return False
        kept = self.codes_for(event_type)
        return kept is None or (isinstance(code, str) and code in kept)


def _normalise_codes(
    name: str, types: tuple[str, ...], codes: object
) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    if codes is None:
        return None
    if isinstance(codes, str):
        codes = (codes,)
    if isinstance(codes, Mapping):
        pairs = dict(codes)
    elif isinstance(codes, tuple | list) and all(isinstance(c, str) for c in codes):
        pairs = dict.fromkeys(types, tuple(codes))
    elif isinstance(codes, tuple | list) and all(
        isinstance(c, tuple) and len(c) == 2 for c in codes
    ):
        pairs = dict(codes)
    else:
        raise ValueError(
            f"EventFamily {name!r}: codes must be a tuple of codes or a mapping of event type "
            f"to codes, got {codes!r}"
        )
    unknown = [t for t in pairs if t not in types]
    if unknown:
        raise ValueError(
            f"EventFamily {name!r}: codes name event types not in the family: "
            f"{', '.join(map(repr, unknown))}; the family's types are {', '.join(types)}"
        )
    out = []
    for event_type in types:
        if event_type in pairs:
            kept = (
                (pairs[event_type],) if isinstance(pairs[event_type], str) else pairs[event_type]
            )
            kept = tuple(kept)
            if not kept or not all(isinstance(c, str) for c in kept):
                raise ValueError(
                    f"EventFamily {name!r}: codes for {event_type!r} must be one or more "
                    f"strings, got {pairs[event_type]!r}"
                )
            out.append((event_type, kept))
    return tuple(out)
