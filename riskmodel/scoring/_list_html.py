"""``list.html``: the team's list as one self-contained page (Jinja2, autoescaped).

The template is ``riskmodel/scoring/templates/list.html.j2`` (package data), rendered
with autoescaping and undefined names as errors, so an id or a reason holding markup
comes out as text. The page has no scripts and loads nothing: its
Content-Security-Policy allows no source at all except its one inline stylesheet (by
its hash), and each child's bands are an inline SVG drawing with a text equivalent.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from riskmodel.scoring._list import (
    NO_ONE,
    NO_REASON,
    PURPOSE,
    STATUS_MEANING,
    STATUS_WORDS,
    ListEntry,
    TeamList,
)
from riskmodel.scoring._streaks import HIGH_BAND

if TYPE_CHECKING:
    import jinja2

__all__ = ["Sparkline", "render_list_html", "sparkline", "write_list_html"]

WIDTH, HEIGHT, PAD = 96, 28, 3
"""The sparkline's size in CSS pixels, and the margin inside it."""


@dataclass(frozen=True)
class Sparkline:
    """An SVG drawing of bands over runs: line segments through runs scored, and points."""

    width: int
    height: int
    segments: tuple[str, ...]
    """``points`` attributes of polylines, one per stretch of runs in a row scored."""
    points: tuple[tuple[float, float, bool], ...]
    """``(x, y, is_this_run)`` per run scored."""
    top: float
    """The y below which the top bands lie (halfway between ``HIGH_BAND`` and the one below)."""


def _y(band: float) -> float:
    return round(PAD + (20 - band) / 19 * (HEIGHT - 2 * PAD), 1)


def sparkline(bands: tuple[int | None, ...]) -> Sparkline:
    """Lay out the bands (oldest first, None when not scored) in the sparkline's box."""
    n = len(bands)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)
    xy = [(round(PAD + i * step if n > 1 else WIDTH / 2, 1), b) for i, b in enumerate(bands)]
    segments, stretch = [], []
    for x, band in [*xy, (0.0, None)]:
        if band is None:
            if len(stretch) > 1:
                segments.append(" ".join(stretch))
            stretch = []
        else:
            stretch.append(f"{x},{_y(band)}")
    points = tuple((x, _y(b), i == n - 1) for i, (x, b) in enumerate(xy) if b is not None)
    return Sparkline(WIDTH, HEIGHT, tuple(segments), points, _y(HIGH_BAND - 0.5))


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("riskmodel.scoring", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _row(entry: ListEntry) -> dict[str, object]:
    from riskmodel.reports._format import fmt

    return {
        "entry": entry,
        "score": fmt(entry.risk_score, "pct"),
        "sparkline": sparkline(entry.bands),
        "bands_shown": " · ".join("–" if b is None else str(b) for b in entry.bands),
    }


def render_list_html(team: TeamList) -> str:
    """Render the list page of a run."""
    from markupsafe import Markup

    env = _environment()
    css = env.loader.get_source(env, "list.css")[0]  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return env.get_template("list.html.j2").render(
        team=team,
        rows=[_row(e) for e in team.entries],
        purpose=PURPOSE,
        no_one=NO_ONE,
        no_reason=NO_REASON,
        status_words=STATUS_WORDS,
        status_meaning=STATUS_MEANING,
        css=Markup(css),  # the package's own stylesheet, hashed into the policy
        style_hash=f"sha256-{digest}",
        high_band=HIGH_BAND,
        run_dates=", ".join(str(run.date()) for run in team.runs),
    )


def write_list_html(team: TeamList, path: Path) -> Path:
    """Write the list page to ``path`` (UTF-8) and return it."""
    Path(path).write_text(render_list_html(team), encoding="utf-8")
    return Path(path)
