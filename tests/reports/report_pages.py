"""Helpers shared by the report's tests: a simulated frame, report inputs, a page parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from riskmodel.explain import ExplanationSummary
from riskmodel.features import default_spec
from riskmodel.frame import TrainingFrame
from riskmodel.reports import ReviewReport

CAPACITY = 20
MIN_GROUP = 40
DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


def simulate(n_children: int = 700, seed: int = 0) -> tuple[TrainingFrame, np.ndarray]:
    """Children at quarterly as-of dates; one ethnic group is recorded more often.

    Also returns the simulation's own probability of each row: the true risk.
    """
    rng = np.random.default_rng(seed)
    ids = np.array([f"QX{i:05d}Z" for i in range(n_children)])
    dates = pd.date_range("2017-01-01", periods=20, freq="3MS")
    ethnic = rng.choice(["White", "Black", "Asian", "Mixed"], n_children, p=[0.5, 0.2, 0.2, 0.1])
    ethnic[:2] = "Tiny"  # 2 children: too few test rows, so suppressed
    child = pd.DataFrame(
        {
            "person_id": ids,
            "sex": rng.choice(["F", "M"], n_children),
            "ethnic_group": ethnic,
            "need": rng.normal(0, 1, n_children),
            "age0": rng.integers(10, 15, n_children),
        }
    )
    rows = child.merge(pd.DataFrame({"as_of_date": dates}), how="cross")
    n = len(rows)
    need = rows["need"].to_numpy() + rng.normal(0, 0.5, n)
    watched = np.where(rows["ethnic_group"] == "Black", 1.2, 0.0)  # recording bias
    X = pd.DataFrame(
        {
            "cp_plan_open": (need + rng.normal(0, 1, n) > 1.5).astype(float),
            "referral_count_365d": rng.poisson(np.exp(0.6 * need + watched)).astype(float),
            "missing_episode_count_180d": rng.poisson(np.exp(0.8 * need - 1)).astype(float),
            "noise": rng.normal(0, 1, n),
        },
        index=pd.MultiIndex.from_frame(rows[["person_id", "as_of_date"]]),
    )
    p = 1 / (1 + np.exp(-(-4.2 + 1.4 * need)))
    y = pd.Series((rng.random(n) < p).astype("int64"), index=X.index, name="care_entry")
    years = ((rows["as_of_date"] - dates[0]).dt.days // 365).to_numpy()
    age = rows["age0"].to_numpy() + years
    groups = pd.DataFrame(
        {
            "sex": rows["sex"].to_numpy(),
            "ethnic_group": rows["ethnic_group"].to_numpy(),
            "age_band": np.where(age <= 12, "10-12", np.where(age <= 15, "13-15", "16-17")),
        },
        index=X.index,
    )
    cohort = rows[["person_id", "as_of_date"]].assign(age=age, in_cohort=age <= 17)
    cohort["reason"] = np.where(cohort["in_cohort"], None, "too old")
    frame = TrainingFrame(
        X=X,
        y=y,
        keys=rows[["person_id", "as_of_date"]],
        groups=groups,
        cohort=cohort,
        horizon_months=12,
        spec=default_spec(),
    )
    return frame, p


IMPORTANCE = pd.DataFrame(
    {
        "feature": ["referral_count_365d", "missing_episode_count_180d", "cp_plan_open", "noise"],
        "mean_abs_shap": [0.9, 0.6, 0.4, 0.01],
        "mean_shap": [0.1, 0.05, -0.02, 0.0],
        "description": [
            "{value} referrals in the last year",
            "{value} missing from home episodes in the last 6 months",
            "on a child protection plan at the as-of date",
            None,
        ],
    }
)
GROUP_CONTRIBUTIONS = pd.DataFrame(
    {"feature": ["referral_count_365d", "cp_plan_open"], "F": [0.2, 0.1], "M": [0.3, -0.1]}
)
TOP_REASONS = pd.DataFrame(
    {"reason": ["N referrals in the last year", "aged N", "rare reason"], "children": [12, 7, 2]}
)


def examples(frame: TrainingFrame) -> pd.DataFrame:
    ids = frame.keys["person_id"].iloc[:3].to_numpy()
    return pd.DataFrame(
        {
            "person_id": ids,
            "age": [14, 16, 12],
            "risk_score": [0.31, 0.22, 0.18],
            "reason_1": ["3 referrals in the last year"] * 3,
            "reason_2": ["on a child protection plan at the as-of date", None, "aged 12"],
            "reason_3": ["quirky reason 77"] * 3,
        },
        index=pd.Index(ids, name="person_id"),
    )


def explanations(frame: TrainingFrame) -> ExplanationSummary:
    """Every kind of explanation, examples included."""
    return ExplanationSummary(
        importance=IMPORTANCE,
        reason_examples=examples(frame),
        top_reasons=TOP_REASONS,
        group_contributions=GROUP_CONTRIBUTIONS,
    )


def render(inputs, path: Path, *, synthetic: bool = True, **kwargs) -> str:
    """Write a report of the shared inputs (every explanation given) and read it back."""
    items = dict(
        backtest=inputs.backtest,
        audit=inputs.audit,
        synthetic=synthetic,
        explanations=explanations(inputs.frame),
        model_description={"Estimator": "logistic", "Calibration": "sigmoid"},
    )
    items.update(kwargs)
    out = ReviewReport(**items).write(path)
    assert out == path
    return path.read_text(encoding="utf-8")


class Page(HTMLParser):
    """Sections with their headings, images, URLs and table body rows."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.headings: dict[str, str] = {}
        self.images: list[tuple[str, str, str]] = []  # section, src, alt
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.rows: list[dict] = []  # section, caption, cells [(class, text)]
        self._section = ""
        self._h2 = False
        self._caption = ""
        self._in_caption = False
        self._cell: list | None = None
        self._row: list | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        for name in ("src", "href", "action", "poster"):
            if a.get(name):
                self.urls.append(a[name])
        if tag == "section":
            self._section = a.get("id", "")
            self.sections.append(self._section)
        elif tag == "h2" and self._section and self._section not in self.headings:
            self._h2 = True
            self.headings[self._section] = ""
        elif tag == "img":
            self.images.append((self._section, a.get("src", ""), a.get("alt", "")))
        elif tag == "caption":
            self._in_caption, self._caption = True, ""
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = [a.get("class") or "", ""]

    def handle_endtag(self, tag):
        if tag == "h2":
            self._h2 = False
        elif tag == "thead":
            self._in_head = False
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append((self._cell[0], self._cell[1].strip()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(
                {"section": self._section, "caption": self._caption, "cells": self._row}
            )
            self._row = None
        elif tag == "table":
            self._caption = ""

    def handle_data(self, data):
        if self._h2:
            self.headings[self._section] += data
        if self._in_caption:
            self._caption += data
        if self._cell is not None:
            self._cell[1] += data


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def text_only(text: str) -> str:
    """The page without its embedded images (base64 can contain any short string)."""
    return DATA_URI.sub("data:image/png;base64,", text)


def render_blocks(blocks) -> str:
    """Render a section's blocks with the report's own template, as the page does."""
    from riskmodel.reports._html import environment

    block = environment().get_template("blocks.html.j2").module.block
    return "".join(str(block(b)) for b in blocks)


class Text(HTMLParser):
    """All the text of a page, as a reader sees it (entities decoded)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.parts.append(data)


def page_text(html: str) -> Text:
    text = Text()
    text.feed(html)
    text.close()
    return text
