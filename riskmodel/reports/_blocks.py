"""The blocks a report section is made of: plain text and numbers, no markup.

Each section of the review report is a sequence of these blocks; the Jinja2 template
``templates/blocks.html.j2`` lays them out, escaping every piece of text. A
:class:`Figure` carries its PNG image as base64 text, so nothing is ever marked safe.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import riskmodel.reports._figures as _figures

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MatplotlibFigure


@dataclass(frozen=True)
class Cell:
    """A table cell or list item: its text and optional CSS class, tooltip and second line."""

    text: object
    cls: str = ""
    title: str = ""
    sub: str = ""
    """A second, smaller line (such as an interval)."""


def as_cell(value: object) -> Cell:
    """Wrap a plain value in a :class:`Cell` (a cell stays as it is)."""
    return value if isinstance(value, Cell) else Cell(value)


@dataclass(frozen=True)
class Para:
    """A paragraph of plain text."""

    kind: ClassVar[str] = "para"
    text: str
    cls: str = ""


@dataclass(frozen=True)
class Bullets:
    """A list of items (a :class:`Cell` gives an item a class)."""

    kind: ClassVar[str] = "bullets"
    items: tuple[Cell, ...]
    ordered: bool = False

    @classmethod
    def of(cls, items: Iterable[str | Cell], *, ordered: bool = False) -> Bullets:
        """Make a list from strings or cells."""
        return cls(tuple(as_cell(item) for item in items), ordered)


@dataclass(frozen=True)
class Callout:
    """A boxed message: ``"note"``, ``"key"`` (key point) or ``"warn"``."""

    kind: ClassVar[str] = "callout"
    text: str
    style: str = "note"


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section."""

    kind: ClassVar[str] = "heading"
    text: str
    level: int = 3


@dataclass(frozen=True)
class KeyValues:
    """A definition list of label and value pairs."""

    kind: ClassVar[str] = "key_values"
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table; columns from ``numeric_from`` on are right-aligned, the first is a row header."""

    kind: ClassVar[str] = "table"
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    numeric_from: int = 1

    @classmethod
    def of(
        cls,
        header: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        caption: str = "",
        numeric_from: int = 1,
    ) -> Table:
        """Make a table from plain values or cells."""
        body = tuple(tuple(as_cell(v) for v in row) for row in rows)
        return cls(tuple(str(h) for h in header), body, caption, numeric_from)

    def cell_class(self, column: int, cell: Cell) -> str:
        """CSS classes of a cell: its own and ``num`` for numeric columns."""
        return " ".join(c for c in (cell.cls, "num" if column >= self.numeric_from else "") if c)


@dataclass(frozen=True)
class Details:
    """Blocks the reader can open (closed by default): for long tables."""

    kind: ClassVar[str] = "details"
    summary: str
    body: tuple[Block, ...]


@dataclass(frozen=True)
class Figure:
    """An embedded PNG figure with its alternative text and caption."""

    kind: ClassVar[str] = "figure"
    png_base64: str
    alt: str
    caption: str

    @classmethod
    def of(cls, fig: MatplotlibFigure, *, alt: str, caption: str) -> Figure:
        """Render a matplotlib figure to an embedded PNG."""
        data = base64.b64encode(_figures.png_bytes(fig)).decode("ascii")
        return cls(data, alt, caption)


Block = Para | Bullets | Callout | Heading | KeyValues | Table | Details | Figure
"""Any block of a section."""
