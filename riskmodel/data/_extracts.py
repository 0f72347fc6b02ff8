"""Reading a local extract (early help, police, school, contacts) through its mapping file."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskmodel.data._extract_mapping import ExtractMapping, load_mapping
from riskmodel.data._files import read_csv_text
from riskmodel.data._issues import ISSUE_COLUMNS, RECORD_DROPPED
from riskmodel.exceptions import SchemaError

__all__ = ["read_extract"]

EVENT_COLUMNS = ["person_id", "event_date", "event_type", "code", "value"]


class _Problems:
    """The reasons each row of an extract cannot be used; the first names field and value."""

    def __init__(self, index: pd.Index) -> None:
        self.reasons: dict[object, list[str]] = {}
        self.first: dict[object, tuple[str, object]] = {}
        self.index = index

    def add(self, mask: pd.Series, field: str, values: pd.Series, reason: object) -> None:
        reasons = reason if isinstance(reason, pd.Series) else None
        for line in mask.index[mask.to_numpy(dtype=bool)]:
            self.reasons.setdefault(line, []).append(reason if reasons is None else reasons[line])
            self.first.setdefault(line, (field, values[line]))

    def bad(self) -> pd.Series:
        return pd.Series(self.index.isin(list(self.reasons)), index=self.index)


def read_extract(
    path: str | os.PathLike[str],
    mapping: str | os.PathLike[str] | Mapping[str, object],
    *,
    upns: pd.DataFrame | None = None,
    persons: pd.DataFrame | None = None,
    extract_date: object = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a local extract CSV into canonical ``events`` through its mapping.

    Parameters
    ----------
    path : path-like
        The extract (UTF-8 CSV with a header line).
    mapping : path-like or mapping
        Its mapping: a YAML file or the same content as a dict (keys ``source``,
        ``person_id`` or ``upn``, ``date``, ``date_format``, ``type`` with ``types``
        or ``event_type``, ``code``, ``value``; see the data model).
    upns : pandas.DataFrame, optional
        Columns ``upn`` and ``person_id``: the UPNs the SSDA903 return and CIN census
        record. Required when the mapping identifies children by ``upn``.
    persons : pandas.DataFrame, optional
        The children known (column ``person_id``); rows of other children are
        reported and left out.
    extract_date : date-like, optional
        Rows dated after it are reported and left out.

    Returns
    -------
    events : pandas.DataFrame
        Canonical columns ``person_id``, ``event_date``, ``event_type``, ``code``,
        ``value``. Event types outside the data model's vocabulary are kept as given.
    issues : pandas.DataFrame
        One row per extract row left out (consequence 'record dropped'), with the
        columns of the readers' issues tables; ``location`` is the file's line, and
        ``reason`` lists every problem of the row: a blank or unknown child id, a
        UPN that links to no child or to several (the UPN is in ``value``), a blank,
        unreadable or late date, a type with no mapping, a value that is not a
        number, or a row identical to an earlier one.

    Raises
    ------
    SchemaError
        If the extract or the mapping cannot be read, or the mapping names a column
        the extract lacks.
    """
    spec = load_mapping(mapping, path)
    raw = read_csv_text(path)
    spec.check_columns(raw.columns, path)
    if spec.upn is not None and upns is None:
        raise SchemaError(
            f"{spec.where}: identifies children by UPN ({spec.upn!r}); link it with the "
            "UPNs of the SSDA903 return or CIN census (pass upns=)"
        )
    problems = _Problems(raw.index)
    person_id = _identify(raw, spec, upns, persons, problems)
    event_date = _dates(raw, spec, extract_date, problems)
    event_type = _types(raw, spec, problems)
    value = _values(raw, spec, problems)
    events = pd.DataFrame(
        {
            "person_id": person_id,
            "event_date": event_date,
            "event_type": event_type,
            "code": raw[spec.code] if spec.code else None,
            "value": value,
        },
        index=raw.index,
    )
    _duplicates(events, problems)
    bad = problems.bad()
    issues = _issue_frame(path, problems, person_id)
    events = events[~bad].reset_index(drop=True)
    events["code"] = events["code"].astype("object")
    return events[EVENT_COLUMNS], issues


def _identify(raw, spec: ExtractMapping, upns, persons, problems: _Problems) -> pd.Series:
    if spec.person_id is not None:
        column = spec.person_id
        ids = raw[column]
        problems.add(ids.isna(), column, ids, f"no {column} (the child's id)")
    else:
        column = spec.upn
        ids = _link(raw[column], upns, problems, column)
    if persons is not None:
        unknown = ids.notna() & ~ids.isin(set(persons["person_id"].dropna()))
        reason = "the child is not in persons (the SSDA903 return or CIN census)"
        problems.add(unknown, column, raw[column], reason)
    return ids


def _link(raw: pd.Series, upns: pd.DataFrame, problems: _Problems, column: str) -> pd.Series:
    """Return the child of each UPN; report UPNs that link to no child or several."""
    known = upns.dropna(subset=["upn", "person_id"])
    children: dict[str, set[str]] = {}
    for upn, pid in zip(known["upn"].str.strip().str.upper(), known["person_id"], strict=True):
        children.setdefault(upn, set()).add(str(pid))
    upn = raw.str.strip().str.upper()
    found = pd.Series([children.get(u, set()) for u in upn], index=raw.index, dtype="object")
    count = found.map(len)
    problems.add(upn.isna(), column, raw, f"no {column} (the pupil's UPN)")
    none = upn.notna() & (count == 0)
    reason = "the UPN is not among the UPNs of the SSDA903 return or CIN census"
    problems.add(none, column, raw, reason)
    many = count > 1
    reason = found.map(lambda ids: f"the UPN links to {len(ids)} children ({_ids(ids)})")
    problems.add(many, column, raw, reason)
    return found.map(lambda ids: next(iter(ids)) if len(ids) == 1 else None).astype("object")


def _ids(ids: set[str]) -> str:
    return ", ".join(sorted(ids))


def _dates(raw, spec: ExtractMapping, extract_date, problems: _Problems) -> pd.Series:
    column = spec.date
    text = raw[column]
    dates = pd.to_datetime(text, format=spec.date_format, errors="coerce")
    problems.add(text.isna(), column, text, f"no {column} (the event's date)")
    bad = text.notna() & dates.isna()
    problems.add(bad, column, text, f"{column} is not a date in the format {spec.date_format}")
    if extract_date is not None:
        limit = pd.Timestamp(extract_date).normalize()
        late = dates > limit
        problems.add(late, column, text, f"{column} is after the extract date {limit.date()}")
    return dates


def _types(raw, spec: ExtractMapping, problems: _Problems) -> pd.Series:
    if spec.event_type is not None:
        return pd.Series(spec.event_type, index=raw.index, dtype="object")
    column = spec.type
    text = raw[column]
    mapped = text.map(spec.types)
    problems.add(text.isna(), column, text, f"no {column} (the kind of event)")
    unmapped = text.notna() & mapped.isna()
    reason = f"{column} has no event type in 'types' of {spec.where}"
    problems.add(unmapped, column, text, reason)
    return mapped.astype("object")


def _values(raw, spec: ExtractMapping, problems: _Problems) -> pd.Series:
    if spec.value is None:
        return pd.Series(np.nan, index=raw.index)
    text = raw[spec.value]
    numbers = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & ~np.isfinite(numbers.astype(float))
    problems.add(bad, spec.value, text, f"{spec.value} is not a number")
    return numbers.astype(float).where(~bad)


def _duplicates(events: pd.DataFrame, problems: _Problems) -> None:
    good = events[~problems.bad()]
    repeated = good.duplicated(keep="first")
    if not repeated.any():
        return
    key = good.astype("object").where(good.notna(), "").apply(tuple, axis=1)
    first = key.drop_duplicates()
    first_line = pd.Series(first.index, index=first.to_numpy())
    lines = key[repeated].map(first_line)
    reasons = lines.map(lambda n: f"identical to line {n}")
    mask = pd.Series(False, index=events.index)
    mask[repeated[repeated].index] = True
    problems.add(mask, "event_date", events["event_date"].dt.date, reasons.reindex(events.index))


def _issue_frame(path, problems: _Problems, person_id: pd.Series) -> pd.DataFrame:
    rows = []
    for line, reasons in problems.reasons.items():
        field, value = problems.first[line]
        pid = person_id[line]
        rows.append(
            (
                str(path),
                f"line {line}",
                None if pd.isna(pid) else str(pid),
                "events",
                field,
                None if value is None or pd.isna(value) else str(value),
                "; ".join(reasons),
                RECORD_DROPPED,
            )
        )
    rows.sort(key=lambda r: int(r[1].removeprefix("line ")))
    return pd.DataFrame(rows, columns=list(ISSUE_COLUMNS)).astype("str")
