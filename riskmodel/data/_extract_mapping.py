"""The mapping file of a local extract: which columns become an event, checked key by key."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from riskmodel.data._files import read_text
from riskmodel.exceptions import SchemaError

__all__ = ["ExtractMapping", "load_mapping"]

_COLUMN_KEYS = ("person_id", "upn", "date", "type", "code", "value")
_TEXT_KEYS = ("source", "date_format", "event_type", *_COLUMN_KEYS)
_KEYS = (*_TEXT_KEYS, "types")
_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*")
_DEFAULT_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class ExtractMapping:
    """How the rows of one local extract become ``events`` (see the data model).

    Attributes
    ----------
    where : str
        How messages name the mapping (its YAML file, or "the mapping of FILE").
    source : str
        A name for the extract, used in the import's issues and summary.
    person_id, upn : str or None
        The column holding the authority's child id, or the pupil's UPN (one of the two).
    date, date_format : str
        The column holding the date the authority knew the fact, and its format.
    type, types : str or None, dict
        A column whose values map to event types through ``types``...
    event_type : str or None
        ... or one event type for every row.
    code, value : str or None
        Optional columns copied to ``events.code`` and (numeric) ``events.value``.
    """

    where: str
    source: str
    date: str
    person_id: str | None = None
    upn: str | None = None
    date_format: str = _DEFAULT_FORMAT
    type: str | None = None
    types: dict[str, str] = field(default_factory=dict)
    event_type: str | None = None
    code: str | None = None
    value: str | None = None

    def columns(self) -> dict[str, str]:
        """Return the extract's columns that the mapping names, by mapping key."""
        named = {key: getattr(self, key) for key in _COLUMN_KEYS}
        return {key: column for key, column in named.items() if column is not None}

    def check_columns(self, header: Iterable[str], path: object) -> None:
        """Raise :class:`SchemaError` if a column the mapping names is not in ``header``."""
        header = list(header)
        for key, column in self.columns().items():
            if column not in header:
                raise SchemaError(
                    f"{path}: no column {column!r}, which {self.where} names as {key!r} "
                    f"(the header is {', '.join(header)[:200]!r})"
                )


def load_mapping(mapping: object, csv_path: object) -> ExtractMapping:
    """Read and check a mapping given as a YAML file or a dict.

    Parameters
    ----------
    mapping : path-like or mapping
        The YAML mapping file, or its content as a dict.
    csv_path : path-like
        The extract it maps (named in messages and the default ``source``).

    Returns
    -------
    ExtractMapping

    Raises
    ------
    SchemaError
        If the YAML cannot be read (naming the line), or a key is unknown, missing,
        of the wrong kind or inconsistent with another, naming the file and the key.
    """
    if isinstance(mapping, str | os.PathLike):
        where = str(mapping)
        content = _load_yaml(Path(mapping))
    elif isinstance(mapping, Mapping):
        where, content = f"the mapping of {csv_path}", dict(mapping)
    else:
        raise TypeError(f"mapping must be a YAML file or a dict, got {type(mapping).__name__}")
    if not isinstance(content, dict):
        raise SchemaError(
            f"{where}: a mapping file holds keys ({', '.join(_KEYS)}), "
            f"not a {type(content).__name__}"
        )
    unknown = [str(k) for k in content if k not in _KEYS]
    if unknown:
        raise SchemaError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"the keys are {', '.join(_KEYS)}"
        )
    for key in _TEXT_KEYS:
        value = content.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise SchemaError(f"{where}: key {key!r} must be text, got {value!r}")
    _check_identity(where, content)
    _check_date(where, content)
    types = _check_types(where, content)
    source = content.get("source") or Path(str(csv_path)).stem
    return ExtractMapping(
        where=where,
        source=source,
        date=content["date"],
        person_id=content.get("person_id"),
        upn=content.get("upn"),
        date_format=content.get("date_format") or _DEFAULT_FORMAT,
        type=content.get("type"),
        types=types,
        event_type=content.get("event_type"),
        code=content.get("code"),
        value=content.get("value"),
    )


def _load_yaml(path: Path) -> object:
    import yaml

    text = read_text(path)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = "" if mark is None else f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or str(exc)
        raise SchemaError(f"{path}: not valid YAML{at}: {problem}") from None


def _check_identity(where: str, content: dict) -> None:
    given = [key for key in ("person_id", "upn") if content.get(key) is not None]
    if len(given) != 1:
        what = "both" if given else "neither"
        raise SchemaError(
            f"{where}: give exactly one of 'person_id' (the column of the authority's "
            f"child id) and 'upn' (the column of the pupil's UPN); {what} given"
        )


def _check_date(where: str, content: dict) -> None:
    if content.get("date") is None:
        raise SchemaError(f"{where}: key 'date' (the column of the event's date) is missing")
    fmt = content.get("date_format") or _DEFAULT_FORMAT
    sample = dt.datetime(2024, 11, 30)
    try:
        parsed = dt.datetime.strptime(sample.strftime(fmt), fmt)
        ok = (parsed.year, parsed.month) == (sample.year, sample.month)
    except ValueError:
        ok = False
    if not ok:
        raise SchemaError(
            f"{where}: key 'date_format' {fmt!r} is not a strptime format that gives at "
            "least the month and year (e.g. '%d/%m/%Y')"
        )


def _check_types(where: str, content: dict) -> dict[str, str]:
    column, types, single = content.get("type"), content.get("types"), content.get("event_type")
    if (column is None) == (single is None):
        what = "both" if column is not None else "neither"
        raise SchemaError(
            f"{where}: give either 'type' (a column, with 'types') or 'event_type' "
            f"(one event type for every row); {what} given"
        )
    if single is not None:
        if types is not None:
            raise SchemaError(f"{where}: key 'types' needs 'type', not 'event_type'")
        _check_event_type(where, "event_type", single)
        return {}
    if not isinstance(types, dict) or not types:
        raise SchemaError(
            f"{where}: key 'types' must map each value of column {column!r} to an event "
            f"type, got {types!r}"
        )
    checked = {}
    for value, event_type in types.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise SchemaError(
                f"{where}: key 'types': {value!r} is not a value of a column; quote it"
            )
        _check_event_type(where, f"types.{value}", event_type)
        checked[str(value).strip()] = event_type
    return checked


def _check_event_type(where: str, key: str, value: object) -> None:
    if not isinstance(value, str) or not _EVENT_TYPE.fullmatch(value):
        raise SchemaError(
            f"{where}: key {key!r}: {value!r} is not an event type name "
            "(lower case letters, digits and _, e.g. early_help_start)"
        )
