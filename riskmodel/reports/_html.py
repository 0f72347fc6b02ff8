"""HTML building blocks of the review report: escaping, number formats, layout, CSS.

Every function that takes text escapes it; arguments named ``body`` are markup built
by these functions. The page has no scripts, no external fonts, stylesheets or images,
so it opens offline and can be attached to an e-mail as it is.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DASH = "—"
"""Shown for a value that could not be measured."""


def esc(value: object) -> str:
    """Escape any value for use as HTML text or an attribute value."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Cell:
    """A table cell: its text (escaped when rendered) and an optional CSS class."""

    text: object
    cls: str = ""
    title: str = ""
    sub: str = ""
    """A second, smaller line (such as an interval)."""


# ----------------------------------------------------------------- numbers


def _missing(value: object) -> bool:
    try:
        return value is None or math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _decimals(kind: str, value: float) -> int:
    """Decimals that show a value of this kind honestly, without false precision."""
    magnitude = abs(value)
    if kind == "pct":
        magnitude *= 100
        return 0 if magnitude >= 10 else 1 if magnitude >= 1 or magnitude == 0 else 2
    if kind == "count":
        return 0 if magnitude >= 10 else 1
    if kind == "int":
        return 0
    if kind == "small":
        if magnitude == 0 or not math.isfinite(magnitude):
            return 3
        return max(3, -math.floor(math.log10(magnitude)) + 1)
    return 2


def fmt(value: object, kind: str = "ratio", decimals: int | None = None) -> str:
    """Format one number: ``"ratio"`` (0.78), ``"pct"`` (1.2%), ``"count"``, ``"small"``."""
    if _missing(value):
        return DASH
    x = float(value)  # type: ignore[arg-type]
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    d = _decimals(kind, x) if decimals is None else decimals
    scale, unit = (100, "%") if kind == "pct" else (1, "")
    text = f"{scale * x:,.{d}f}" if kind in ("count", "int") else f"{scale * x:.{d}f}"
    if text.startswith("-"):
        text = "−" + text[1:] if text.strip("-0.,") else text[1:]
    return text + unit


def fmt_range(value: object, lower: object, upper: object, kind: str = "ratio") -> str:
    """``"0.74–0.82"`` (``"−0.10 to 0.05"`` when a bound is negative), in the value's precision.

    Empty when either bound is missing.
    """
    if _missing(lower) or _missing(upper):
        return ""
    x = float(value) if not _missing(value) else float(lower)  # type: ignore[arg-type]
    d = _decimals(kind, x) if math.isfinite(x) else 2
    low, high = fmt(lower, kind, d), fmt(upper, kind, d)
    return f"{low} to {high}" if "−" in low + high else f"{low}–{high}"


def fmt_interval(value: object, lower: object, upper: object, kind: str = "ratio") -> str:
    """``"0.78 (0.74–0.82)"``: a value and its interval, in the value's precision."""
    if _missing(value):
        return DASH
    x = float(value)  # type: ignore[arg-type]
    d = _decimals(kind, x) if math.isfinite(x) else 2
    interval = fmt_range(x, lower, upper, kind)
    return f"{fmt(x, kind, d)} ({interval})" if interval else fmt(x, kind, d)


def interval_cell(
    value: object, lower: object, upper: object, kind: str = "ratio", cls: str = ""
) -> Cell:
    """Make a table cell with the value on one line and its interval below it."""
    if _missing(value):
        return Cell(DASH, cls)
    interval = fmt_range(value, lower, upper, kind)
    return Cell(fmt(value, kind), cls, sub=f"({interval})" if interval else "")


def fmt_date(value: object) -> str:
    """ISO date (``2023-04-01``), or a dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    text = str(value)
    return text[:10] if len(text) >= 10 and text[4] == "-" else text


# ----------------------------------------------------------------- blocks


def para(text: str, cls: str = "") -> str:
    """Make a paragraph of plain text."""
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def bullets(items: Iterable[str | Cell], *, ordered: bool = False) -> str:
    """Make a list of plain-text items (a :class:`Cell` gives an item a class)."""
    tag = "ol" if ordered else "ul"
    out = []
    for item in items:
        cell = item if isinstance(item, Cell) else Cell(item)
        attr = f' class="{esc(cell.cls)}"' if cell.cls else ""
        out.append(f"<li{attr}>{esc(cell.text)}</li>")
    return f"<{tag}>" + "".join(out) + f"</{tag}>"


def callout(text: str, kind: str = "note") -> str:
    """Make a boxed message: ``"note"``, ``"key"`` (key point) or ``"warn"``."""
    return f'<div class="callout {esc(kind)}">{esc(text)}</div>'


def heading(text: str, level: int = 3) -> str:
    """Make a sub-heading inside a section."""
    return f"<h{level}>{esc(text)}</h{level}>"


def details(summary: str, body: str) -> str:
    """Make a block the reader can open (closed by default): for long tables."""
    return f"<details><summary>{esc(summary)}</summary>{body}</details>"


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str = "",
    numeric_from: int = 1,
) -> str:
    """Make a table; columns from ``numeric_from`` on are right-aligned.

    Cells are plain values (escaped) or :class:`Cell` objects carrying a class.
    """
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = []
    for row in rows:
        cells = []
        for j, value in enumerate(row):
            cell = value if isinstance(value, Cell) else Cell(value)
            classes = " ".join(c for c in (cell.cls, "num" if j >= numeric_from else "") if c)
            attr = f' class="{esc(classes)}"' if classes else ""
            title = f' title="{esc(cell.title)}"' if cell.title else ""
            tag = "th" if j == 0 else "td"
            scope = ' scope="row"' if j == 0 else ""
            sub = f'<br><span class="ci">{esc(cell.sub)}</span>' if cell.sub else ""
            cells.append(f"<{tag}{scope}{attr}{title}>{esc(cell.text)}{sub}</{tag}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def section(section_id: str, title: str, body: str) -> str:
    """Make a report section: ``<section id=...>`` with its ``<h2>`` heading."""
    return (
        f'<section id="{esc(section_id)}"><h2>{esc(title)}</h2>\n{body}\n'
        '<p class="top"><a href="#contents">Back to contents</a></p></section>'
    )


def page(title: str, header: str, sections: Sequence[tuple[str, str, str]]) -> str:
    """Assemble the whole document: head with inline CSS, header, contents, sections.

    Parameters
    ----------
    title : str
        Document title.
    header : str
        Markup shown under the title (banner, key points).
    sections : sequence of (id, title, markup)
        The sections, in order; ``markup`` is the output of :func:`section`.
    """
    toc = "".join(f'<li><a href="#{esc(i)}">{esc(t)}</a></li>' for i, t, _ in sections)
    body = "\n".join(markup for _, _, markup in sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f"<body><main><header><h1>{esc(title)}</h1>{header}</header>\n"
        f'<nav id="contents"><h2>Contents</h2><ol>{toc}</ol></nav>\n'
        f"{body}\n</main></body></html>\n"
    )


CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --band: #f6f8fa;
  --flag: #fbe3e1; --flag-ink: #8c1d18; --key: #e8f1fb; --warn: #fff4d6; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 1.9rem; margin: 0 0 .25rem; }
h2 { font-size: 1.45rem; margin: 2.2rem 0 .6rem; padding-bottom: .3rem;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 1.12rem; margin: 1.5rem 0 .4rem; }
p, li { max-width: 80ch; }
.meta { color: var(--muted); margin: .2rem 0 1rem; }
.callout { border-left: 5px solid #0969da; background: var(--key); padding: .7rem 1rem;
  margin: .9rem 0; max-width: 90ch; }
.callout.warn { border-color: #bf8700; background: var(--warn); }
.callout.key { font-weight: 600; }
.banner { border: 2px solid #bf8700; background: var(--warn); padding: .6rem 1rem;
  font-weight: 600; margin: .8rem 0; }
nav ol { columns: 2; max-width: 60ch; }
.table-wrap { overflow-x: auto; margin: .6rem 0 1rem; }
table { border-collapse: collapse; font-size: .9rem; }
caption { text-align: left; color: var(--muted); padding: .3rem 0; caption-side: top; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; vertical-align: top; }
thead th { background: var(--band); text-align: left; }
tbody th { text-align: left; font-weight: 600; }
tbody tr:nth-child(even) td, tbody tr:nth-child(even) th { background: #fbfcfd; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.text { text-align: left; white-space: normal; }
td.flag { background: var(--flag); color: var(--flag-ink); font-weight: 700; }
li.flag { color: var(--flag-ink); }
.ci { font-size: .8rem; color: var(--muted); font-weight: 400; }
td.flag .ci { color: var(--flag-ink); }
td.flag::before { content: "▲ "; }
td.suppressed, th.suppressed { color: var(--muted); font-style: italic; }
td.ref { color: var(--muted); }
figure { margin: 1rem 0 1.4rem; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .9rem; max-width: 90ch; }
details { margin: .5rem 0 1rem; }
summary { cursor: pointer; color: #0969da; }
.top { font-size: .85rem; }
.top a, nav a { color: #0969da; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.kv dt { font-weight: 600; } dl.kv dd { margin: 0; }
@media print { details { display: block; } .top { display: none; }
  section { break-inside: auto; } figure { break-inside: avoid; } }
"""


def key_values(pairs: Iterable[tuple[str, object]]) -> str:
    """Make a definition list of label and value pairs."""
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs)
    return f'<dl class="kv">{items}</dl>'
