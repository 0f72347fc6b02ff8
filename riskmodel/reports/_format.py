"""How the review report writes numbers: honest precision, intervals, dates, small counts."""

from __future__ import annotations

import math

from riskmodel.reports._blocks import Cell

DASH = "—"
"""Shown for a value that could not be measured."""

SMALL_COUNT = 5
"""Counts of children below this are shown as "fewer than 5" for real data."""


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


def fmt_children(value: int, synthetic: bool) -> str:
    """Write a count of children or events; 1 to 4 read "fewer than 5" for real data."""
    if not synthetic and 0 < value < SMALL_COUNT:
        return f"fewer than {SMALL_COUNT}"
    return fmt(value, "int")
