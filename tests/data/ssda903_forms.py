"""Write the same SSDA903 returns as CSV year folders and as ``<EXPSSDA903>`` XML files.

A return is a dict of table name (``header``, ``episodes``, ``missing``, ``uasc``) to
a list of rows, each a dict of CSV column to text (missing keys are blank). In XML,
each header row opens a ``<CHILD>`` holding its ``<HEADER>`` (``CHILDID``), then the
child's ``<EPISODE>`` (``PL`` for ``PLACE``), ``<MISSING>`` and ``<UASC>`` blocks;
rows of children without a header row go into a ``<CHILD>`` without ``<HEADER>``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from xml.sax.saxutils import escape

COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
}  # fmt: skip
BLOCKS = {"episodes": "EPISODE", "missing": "MISSING", "uasc": "UASC"}
XML_NAMES = {"CHILD": "CHILDID", "PLACE": "PL"}


def write_csv_return(folder: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    """Write one return's CSV tables into ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[name])
            writer.writeheader()
            writer.writerows({c: row.get(c, "") for c in COLUMNS[name]} for row in rows)
    return folder


def xml_text(tables: dict[str, list[dict[str, str]]]) -> str:
    """Return one return as the text of an ``<EXPSSDA903>`` file."""
    headers = tables.get("header", [])
    blocks: dict[str, list[str]] = {}
    for name, tag in BLOCKS.items():
        for row in tables.get(name, []):
            blocks.setdefault(row.get("CHILD", ""), []).append(_block(tag, row, COLUMNS[name][1:]))
    parts = ["<?xml version='1.0' encoding='utf-8'?>", "<EXPSSDA903>"]
    for row in headers:  # a child listed twice gets its blocks in its first <CHILD>
        parts += ["  <CHILD>", _block("HEADER", row, COLUMNS["header"])]
        parts += blocks.pop(row.get("CHILD", ""), [])
        parts.append("  </CHILD>")
    for orphan in blocks.values():
        parts += ["  <CHILD>", *orphan, "  </CHILD>"]
    parts.append("</EXPSSDA903>")
    return "\n".join(parts) + "\n"


def write_xml_return(path: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    """Write one return as an XML file at ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(xml_text(tables), encoding="utf-8")
    return path


def _block(tag: str, row: dict[str, str], columns: tuple[str, ...]) -> str:
    fields = "".join(
        f"<{XML_NAMES.get(c, c)}>{escape(row.get(c, ''))}</{XML_NAMES.get(c, c)}>" for c in columns
    )
    return f"    <{tag}>{fields}</{tag}>"


def write_both(
    root: Path, returns: dict[int, dict[str, list[dict[str, str]]]]
) -> tuple[Path, Path]:
    """Write ``returns`` (collection year -> return) in both forms; return the two folders."""
    for year, tables in returns.items():
        write_csv_return(root / "ssda903" / str(year), tables)
        write_xml_return(root / "ssda903_xml" / f"SSDA903_{year}.xml", tables)
    return root / "ssda903", root / "ssda903_xml"
