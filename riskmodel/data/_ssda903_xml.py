"""Reading the XML form of the SSDA903 return into the raw tables of the CSV form.

The file holds one ``<EXPSSDA903>`` root and one ``<CHILD>`` per child::

    <EXPSSDA903>
      <CHILD>
        <HEADER>   CHILDID SEX DOB ETHNIC UPN MOTHER MC_DOB (AREVIEW, OC2... not read)
        <EPISODE>  DECOM RNE LS CIN PL PL_POST HOME_POST URN PLACE_PROVIDER DEC REC
                   REASON_PLACE_CHANGE                              (one per episode)
        <MISSING>  MISSING MIS_START MIS_END (DOB)                  (one per missing episode)
        <UASC>     SEX DOB DUC                                      (at most one)
      </CHILD>
    </EXPSSDA903>

Each block becomes one row of the table of the same CSV name (``header``,
``episodes``, ``missing``, ``uasc``), its leaf elements the columns, with ``CHILD``
taken from the child's ``HEADER/CHILDID`` and ``PL`` renamed ``PLACE``; other blocks
and elements nested inside fields (``AREVIEW``, ``OC2``, ...) are not read, as the
CSV reader does not read their tables. A record's location is its path, such as
``"CHILD 12 / EPISODE 2"``. The file is parsed with expat event by event
(:mod:`riskmodel.data._xml_safe`): a DTD or entity declaration is refused, and so is
nesting deeper than the return ever needs, so no file can expand entities or exhaust
the stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from riskmodel.data._files import read_text
from riskmodel.data._ssda903_return import RawReturn
from riskmodel.data._xml_safe import MAX_DEPTH, SafeXmlParser
from riskmodel.exceptions import SchemaError

__all__ = ["BLOCKS", "COLUMNS", "MAX_DEPTH", "XML_TO_CSV", "read_xml_return"]

ROOT = "EXPSSDA903"
BLOCKS: dict[str, str] = {
    "HEADER": "header",
    "EPISODE": "episodes",
    "MISSING": "missing",
    "UASC": "uasc",
}
"""Blocks of a ``<CHILD>`` and the table each becomes."""

XML_TO_CSV = {"CHILDID": "CHILD", "PL": "PLACE"}
"""Fields whose XML name differs from their CSV column."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
}  # fmt: skip
"""Columns of each table: those of the CSV form (every one present, blank if absent)."""


@dataclass
class _Record:
    table: str
    location: str
    line: int
    values: dict[str, str | None] = field(default_factory=dict)


@dataclass
class _Parser:
    """Builds records from expat events, keeping only the stack of open tags."""

    path: Path
    records: list[_Record] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)
    children: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    current: _Record | None = None
    text: list[str] | None = None
    xml: SafeXmlParser | None = None

    def start(self, tag: str, _attrs: object) -> None:
        self.stack.append(tag)
        depth = len(self.stack)
        if depth == 1 and tag != ROOT:
            raise SchemaError(
                f"{self.path}: not an SSDA903 XML file: the root element is <{tag}>, "
                f"expected <{ROOT}>"
            )
        in_child = depth > 1 and self.stack[1] == "CHILD"
        if depth == 2 and tag == "CHILD":
            self.children += 1
            self.counts = {}
        elif depth == 3 and in_child and tag in BLOCKS:
            self.counts[tag] = self.counts.get(tag, 0) + 1
            location = f"CHILD {self.children} / {tag} {self.counts[tag]}"
            self.current = _Record(BLOCKS[tag], location, self.line())
            self.records.append(self.current)
        elif depth == 4 and self.current is not None:
            self.text = []

    def end(self, _tag: str) -> None:
        depth = len(self.stack)
        tag = self.stack.pop()
        if depth == 4 and self.current is not None and self.text is not None:
            name = XML_TO_CSV.get(tag, tag)
            value = "".join(self.text).strip() or None
            self.current.values.setdefault(name, value)  # a field given twice: the first
            self.text = None
        elif depth == 3:
            self.current = None

    def characters(self, data: str) -> None:
        if self.text is not None and len(self.stack) == 4:
            self.text.append(data)

    def line(self) -> int:
        return self.xml.line if self.xml is not None else 0


def read_xml_return(path: Path) -> RawReturn:
    """Read one ``<EXPSSDA903>`` file into the raw tables of the CSV form.

    Raises
    ------
    SchemaError
        If the file is missing, empty, not UTF-8, not well-formed XML, declares a DTD
        or entities, nests elements deeper than :data:`MAX_DEPTH`, is not an
        ``<EXPSSDA903>`` file, or has no ``<HEADER>`` block at all.
    """
    path = Path(path)
    text = read_text(path)
    parser = _Parser(path)
    parser.xml = SafeXmlParser(
        path, start=parser.start, end=parser.end, data=parser.characters, max_depth=MAX_DEPTH
    )
    parser.xml.parse(text)
    return _raw_return(path, parser.records)


def _raw_return(path: Path, records: list[_Record]) -> RawReturn:
    """Gather the records into one table per block, ``CHILD`` from the child's header."""
    child_ids: dict[str, str | None] = {}
    for record in records:
        child = record.location.split(" / ")[0]
        if record.table == "header":
            child_ids.setdefault(child, record.values.get("CHILD"))
    tables, locations, positions = {}, {}, {}
    for table, columns in COLUMNS.items():
        rows = [r for r in records if r.table == table]
        if not rows and table in ("missing", "uasc"):
            continue
        index = pd.RangeIndex(1, len(rows) + 1)
        values = [
            [r.values.get(c) for c in columns[1:]] for r in rows
        ]  # CHILD comes from the header
        frame = pd.DataFrame(values, columns=list(columns[1:]), index=index, dtype="object")
        ids = [child_ids.get(r.location.split(" / ")[0]) for r in rows]
        if table == "header":
            ids = [r.values.get("CHILD") for r in rows]
        frame.insert(0, "CHILD", pd.Series(ids, index=index, dtype="object"))
        tables[table] = frame
        locations[table] = pd.Series([r.location for r in rows], index=index, dtype="object")
        positions.update({(path.name, r.location): r.line for r in rows})
    if not len(tables["header"]):
        raise SchemaError(f"{path}: no <CHILD> with a <HEADER> block: not an SSDA903 return")
    files = dict.fromkeys(tables, path.name)
    return RawReturn(tables, files, locations, positions, source=path)
