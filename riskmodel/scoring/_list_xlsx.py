"""``list.xlsx``: the team's list as a workbook (openpyxl), every value written as data.

Sheet "List" opens with the same purpose text as the page, the as-of date, model and
counts, then the table (header row frozen, filters on, widths set, printable on A4
landscape); sheet "About" says what each column means.

openpyxl stores a string beginning with ``=`` as a formula. Every text cell here is
written by :func:`put_text`, which keeps the value a string (``data_type "s"``) and,
for text beginning with ``= + - @``, a tab or a carriage return (what a spreadsheet
would read as a formula when the cell is edited or the sheet saved as CSV), sets the
cell's quote prefix so the program shows and keeps it as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from riskmodel.scoring._list import (
    NO_ONE,
    NO_REASON,
    PURPOSE,
    STATUS_MEANING,
    STATUS_WORDS,
    TeamList,
)

__all__ = ["FORMULA_START", "put_text", "write_list_xlsx"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A text cell beginning with one of these is marked as literal text (quote prefix)."""

TITLE = "Children to talk about early help"

# (heading, width, what it means)
COLUMNS = [
    ("Rank", 7, "1 = the highest score at this run."),
    ("Person id", 16, "The child's id in the authority's records."),
    ("Score", 9, "The model's estimate of the chance of entering care within its horizon."),
    ("Band", 7, "1 to 20: twentieths of the children scored (20 = the highest scores)."),
    (
        "Reason 1",
        45,
        "The recorded events that raised the score most, in plain words (or why there is none).",
    ),
    ("Reason 2", 45, "The next reason (empty when the run gave fewer)."),
    ("Reason 3", 45, "The next reason (empty when the run gave fewer)."),
    ("Status", 30, "; ".join(f"{STATUS_WORDS[k]}: {m}" for k, m in STATUS_MEANING.items())),
    (
        "Bands at the last runs",
        24,
        "The child's band at each of the last runs, oldest first, this run last "
        "(a dash: not scored at that run).",
    ),
]


def put_text(cell: Any, value: object) -> None:
    """Write ``value`` into ``cell`` as literal text, never as a formula.

    Characters a workbook cannot hold (control characters other than tab, line feed
    and carriage return) are replaced by U+FFFD.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    cell.value = text
    cell.data_type = "s"  # openpyxl makes "=..." a formula on assignment: undo it
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True


def _header(ws: Any, team: TeamList) -> int:
    """Write the header block; return the row of the table's header."""
    from openpyxl.styles import Font

    put_text(ws.cell(1, 1), f"{TITLE}, as of {team.as_of.date()}")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    for i, line in enumerate(PURPOSE):
        put_text(ws.cell(2 + i, 1), line)
    ws.cell(2, 1).font = Font(bold=True)
    row = 2 + len(PURPOSE)
    facts = [
        ("As of", str(team.as_of.date())),
        ("Model", team.model_name),
        ("Version", team.model_version),
        ("Runs shown", ", ".join(str(run.date()) for run in team.runs)),
    ]
    counts = [
        ("Children in", team.counts["children_in"]),
        ("Scored", team.counts["scored"]),
        ("Excluded", team.counts["excluded"]),
        ("Flagged", team.counts["flagged"]),
    ]
    for r, pairs in ((row, facts), (row + 1, counts)):
        for k, (label, value) in enumerate(pairs):
            put_text(ws.cell(r, 1 + 2 * k), label)
            ws.cell(r, 1 + 2 * k).font = Font(bold=True)
            if isinstance(value, int):
                ws.cell(r, 2 + 2 * k).value = value
            else:
                put_text(ws.cell(r, 2 + 2 * k), value)
    return row + 3


def _table(ws: Any, team: TeamList, top: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for j, (heading, width, _) in enumerate(COLUMNS, start=1):
        cell = ws.cell(top, j)
        put_text(cell, heading)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF0F3")
        ws.column_dimensions[get_column_letter(j)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, entry in enumerate(team.entries, start=top + 1):
        reasons = [*(entry.reasons or (NO_REASON,)), "", "", ""][:3]
        ws.cell(i, 1).value = entry.rank
        put_text(ws.cell(i, 2), entry.person_id)
        ws.cell(i, 3).value = entry.risk_score
        ws.cell(i, 3).number_format = "0.0%"
        ws.cell(i, 4).value = entry.risk_band
        for k, reason in enumerate(reasons):
            if reason:
                put_text(ws.cell(i, 5 + k), reason)
        if entry.status:
            put_text(ws.cell(i, 8), "; ".join(entry.status))
        put_text(ws.cell(i, 9), ", ".join("–" if b is None else str(b) for b in entry.bands))
        for j in range(1, len(COLUMNS) + 1):
            ws.cell(i, j).alignment = wrap
    last = get_column_letter(len(COLUMNS))
    if team.entries:
        ws.auto_filter.ref = f"A{top}:{last}{top + len(team.entries)}"
    else:
        put_text(ws.cell(top + 1, 1), NO_ONE)
    ws.freeze_panes = ws.cell(top + 1, 1)
    ws.print_title_rows = f"{top}:{top}"


def _print_setup(ws: Any) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _about(ws: Any) -> None:
    from openpyxl.styles import Alignment, Font

    put_text(ws.cell(1, 1), "About this list")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    for i, line in enumerate(PURPOSE, start=2):
        put_text(ws.cell(i, 1), line)
    top = 3 + len(PURPOSE)
    for j, heading in enumerate(("Column", "What it means"), start=1):
        put_text(ws.cell(top, j), heading)
        ws.cell(top, j).font = Font(bold=True)
    for i, (heading, _, meaning) in enumerate(COLUMNS, start=top + 1):
        put_text(ws.cell(i, 1), heading)
        put_text(ws.cell(i, 2), meaning)
        ws.cell(i, 2).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100


def write_list_xlsx(team: TeamList, path: Path) -> Path:
    """Write the list workbook to ``path`` and return it."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "List"
    _table(ws, team, _header(ws, team))
    _print_setup(ws)
    _about(wb.create_sheet("About"))
    wb.properties.creator = "riskmodel"
    wb.save(Path(path))
    return Path(path)
