"""The monitoring report's child-level section: persistently high, misses, time on the list."""

from __future__ import annotations

import pandas as pd

from riskmodel.monitoring._paths import summarise_time_on_list
from riskmodel.reports._blocks import Block, Cell, Details, Heading, Para, Table
from riskmodel.reports._format import DASH, fmt, fmt_date
from riskmodel.scoring._streaks import HIGH_BAND, PERSISTENT_RUNS

__all__ = ["paths_section"]

NOT_GIVEN = "Not computed for this page."


def _plural(n: int, one: str, many: str) -> str:
    return f"{fmt(n, 'int')} {one if n == 1 else many}"


def _persistent(table: pd.DataFrame | None) -> tuple[Block, ...]:
    if table is None:
        return (Para(NOT_GIVEN),)
    still = int(table["still_high"].astype(bool).sum())
    text = (
        f"{_plural(len(table), 'child was', 'children were')} in the top bands (band "
        f"{HIGH_BAND} or above) for {PERSISTENT_RUNS} or more runs in a row; {fmt(still, 'int')} "
        "of them still are at the latest run. A child who stays high while on the list may "
        "need a different conversation, not only the same offer again."
    )
    if table.empty:
        return (Para(text),)
    rows = [
        [
            Cell(str(r.person_id), "text"),
            fmt_date(r.streak_start),
            fmt_date(r.streak_end),
            fmt(r.streak_runs, "int"),
            fmt(r.longest_runs, "int"),
            "yes" if r.still_high else "no",
            Cell(str(r.bands), "text"),
        ]
        for r in table.itertuples()
    ]
    header = ["Child", "From", "To", "Runs", "Longest", "Still high", "Bands"]
    ids = Table.of(header, rows, caption="Latest streak of each child, longest first")
    return (Para(text), Details(f"The {len(rows)} children", (ids,)))


def _misses(table: pd.DataFrame | None) -> tuple[Block, ...]:
    if table is None:
        return (Para(NOT_GIVEN),)
    status = table["status"] if "status" in table else pd.Series("missed", index=table.index)
    missed = table[status == "missed"]
    unscored = int((status == "not scored").sum())
    text = (
        f"{_plural(len(missed), 'care entry', 'care entries')} fell within the horizon of "
        "a run that scored the child, and the child was flagged in none of those runs. "
        "These are the cases to learn from: what did the records show, and what would have "
        "helped the list find them?"
    )
    if unscored:
        text += (
            f" A further {_plural(unscored, 'entry was', 'entries were')} of children in no "
            "run's cohort (not known to the authority then, or excluded from scoring): not "
            "misses of the list, but outside its reach."
        )
    blocks: list[Block] = [Para(text)]
    if len(missed):
        rows = [
            [
                Cell(str(r.person_id), "text"),
                fmt_date(r.entry_date),
                fmt(r.runs_scored, "int"),
                fmt_date(r.last_as_of),
                _int(r.last_band),
                _int(r.last_rank),
                _int(r.best_band),
                Cell(str(r.bands), "text"),
            ]
            for r in missed.itertuples()
        ]
        header = [
            "Child",
            "Entered care",
            "Runs scored before",
            "Last run",
            "Last band",
            "Last rank",
            "Best band",
            "Bands, oldest first",
        ]
        blocks.append(Table.of(header, rows, caption="Entrants never flagged", numeric_from=2))
    return tuple(blocks)


def _int(value: object) -> str:
    return DASH if pd.isna(value) else fmt(value, "int")  # type: ignore[arg-type]


def _time_on_list(table: pd.DataFrame | None) -> tuple[Block, ...]:
    if table is None:
        return (Para(NOT_GIVEN),)
    if "children" not in table:  # one row per child: summarise it here
        table = summarise_time_on_list(table)
    total = int(table["children"].sum())
    still = int(table["still_on_list"].sum())
    text = (
        f"{_plural(total, 'child was', 'children were')} flagged at least once; "
        f"{fmt(still, 'int')} are on the latest list, so their time on it is not yet final."
    )
    if table.empty:
        return (Para(text),)
    rows = [
        [
            fmt(r.runs_on_list, "int"),
            fmt(r.children, "int"),
            fmt(r.share, "pct"),
            fmt(r.still_on_list, "int"),
        ]
        for r in table.itertuples()
    ]
    header = ["Runs on the list", "Children", "Share", "Still on the list"]
    return (Para(text), Table.of(header, rows, caption="Time on the list", numeric_from=0))


def paths_section(
    persistent: pd.DataFrame | None,
    misses: pd.DataFrame | None,
    time_on_list: pd.DataFrame | None,
) -> tuple[Block, ...]:
    """Build the paths section from the child-level tables (any may be missing)."""
    return (
        Heading("Persistently high"),
        *_persistent(persistent),
        Heading("Entered care without being flagged"),
        *_misses(misses),
        Heading("Time on the list"),
        *_time_on_list(time_on_list),
    )
