"""Writing the events that no statutory return carries as local extracts with mappings.

Each extract is a CSV file shaped like what a case-management, police, youth justice
or education system exports (its own column names, codes and date format) with a
mapping YAML beside it saying how its rows become canonical ``events``. The school
extract identifies children by UPN only, as education systems do; children whose UPN
was changed appear under their former UPN in their earlier rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from riskmodel._atomic import atomic_write

__all__ = ["EXTRACTS", "Extract", "write_extracts"]


@dataclass(frozen=True)
class Extract:
    """One local extract: its file, columns and mapping.

    Attributes
    ----------
    name : str
        The file stem (``DIR/extracts/NAME.csv`` and ``NAME.yaml``).
    source : str
        The system it comes from, named in messages.
    event_types : dict
        Canonical event type -> the value written in the ``type`` column; with a
        single entry and no ``type`` column, every row is of that type.
    date : str
        The date column.
    date_format : str
        Its ``strptime`` format.
    type : str or None
        The column holding the kind of record, when there are several.
    by_upn : bool
        Whether children are identified by UPN (else by the authority's child id).
    code : str or None
        The column holding ``events.code``, written when any row has a code.
    value : str or None
        The column holding ``events.value``, written when any row has a value.
    """

    name: str
    source: str
    event_types: dict[str, str]
    date: str
    date_format: str = "%d/%m/%Y"
    type: str | None = None
    by_upn: bool = False
    code: str | None = "Code"
    value: str | None = "Value"


EXTRACTS: tuple[Extract, ...] = (
    Extract("contacts", "front door contacts", {"contact": "contact"}, "ContactDate",
            code="ContactSource"),
    Extract("early_help", "early help system",
            {"early_help_start": "START", "early_help_end": "END"}, "EventDate",
            type="EpisodeEvent"),
    Extract("police_notifications", "police domestic abuse notifications",
            {"police_domestic_abuse": "police_domestic_abuse"}, "DateReceived"),
    Extract("school", "education system",
            {"suspension": "SUSP", "permanent_exclusion": "PEX", "absence_rate": "ABS"},
            "RecordDate", "%Y-%m-%d", type="RecordType", by_upn=True,
            value="AbsenceRate"),
    Extract("youth_justice", "youth offending service",
            {"youth_justice_outcome": "youth_justice_outcome"}, "OutcomeDate",
            code="OutcomeType"),
    Extract("missing_local", "local missing-person records",
            {"missing_episode": "missing_episode"}, "DateReported", code="MissingType"),
)  # fmt: skip
"""The extracts written, and the event types each holds."""

_OTHER = "other_events"


def _mapping(extract: Extract, frame: pd.DataFrame) -> dict:
    mapping: dict[str, object] = {"source": extract.source}
    mapping["upn" if extract.by_upn else "person_id"] = "UPN" if extract.by_upn else "ChildID"
    mapping["date"] = extract.date
    mapping["date_format"] = extract.date_format
    if extract.type is not None:
        mapping["type"] = extract.type
        mapping["types"] = {written: kind for kind, written in extract.event_types.items()}
    else:
        mapping["event_type"] = next(iter(extract.event_types))
    for key in ("code", "value"):
        column = getattr(extract, key)
        if column is not None and column in frame:
            mapping[key] = column
    return mapping


def _table(extract: Extract, events: pd.DataFrame, upns: pd.DataFrame) -> pd.DataFrame:
    rows = events.sort_values(["event_date", "person_id"], kind="stable")
    table = pd.DataFrame(index=rows.index)
    if extract.by_upn:
        table["UPN"] = _school_upns(rows, upns)
    else:
        table["ChildID"] = rows["person_id"].astype(str)
    if extract.type is not None:
        table[extract.type] = rows["event_type"].map(extract.event_types)
    table[extract.date] = rows["event_date"].dt.strftime(extract.date_format)
    if extract.code is not None and rows["code"].notna().any():
        table[extract.code] = rows["code"]
    if extract.value is not None and rows["value"].notna().any():
        table[extract.value] = rows["value"]
    return table.reset_index(drop=True)


def _school_upns(rows: pd.DataFrame, upns: pd.DataFrame) -> pd.Series:
    """Each row's UPN: the former UPN in the earlier half of a child's rows, if it has one."""
    current = rows["person_id"].map(upns["upn"])
    former = rows["person_id"].map(upns["former_upn"])
    rank = rows.groupby("person_id").cumcount()
    count = rows.groupby("person_id")["person_id"].transform("size")
    early = former.notna() & (rank < count // 2)
    return current.where(~early, former)


def write_extracts(folder: Path, events: pd.DataFrame, upns: pd.DataFrame) -> list[Path]:
    """Write one extract and mapping per family of events present in ``events``.

    Parameters
    ----------
    folder : pathlib.Path
        The ``extracts`` folder.
    events : pandas.DataFrame
        The canonical events to write (none that a statutory return carries).
    upns : pandas.DataFrame
        ``upn`` and ``former_upn`` by ``person_id``.

    Returns
    -------
    list of pathlib.Path
        The CSV files written. Event types of no known family go to
        ``other_events.csv``, whose ``EventType`` column holds the type itself.
    """
    folder.mkdir(parents=True, exist_ok=True)
    known = {kind for extract in EXTRACTS for kind in extract.event_types}
    others = sorted(set(events["event_type"]) - known)
    extracts = list(EXTRACTS)
    if others:
        types = {kind: kind for kind in others}
        extracts.append(Extract(_OTHER, "other local records", types, "EventDate",
                                type="EventType"))  # fmt: skip
    written = []
    for extract in extracts:
        rows = events[events["event_type"].isin(extract.event_types)]
        if rows.empty:
            continue
        table = _table(extract, rows, upns)
        mapping = _mapping(extract, table)
        csv = folder / f"{extract.name}.csv"
        atomic_write(csv, lambda tmp, t=table: t.to_csv(tmp, index=False))
        text = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)
        atomic_write(folder / f"{extract.name}.yaml", lambda tmp, s=text: Path(tmp).write_text(s))
        written.append(csv)
    return written
