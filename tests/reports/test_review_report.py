"""The review report: sections, embedded figures, privacy, flags, offline rendering."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from riskmodel._frame import TrainingFrame
from riskmodel.evaluation import backtest
from riskmodel.fairness import audit_fairness
from riskmodel.features import FeatureSpec
from riskmodel.models import RiskClassifier
from riskmodel.reports import (
    SECTIONS,
    audit_backtest,
    build_review,
    review_report,
    summarise_top_reasons,
)
from riskmodel.reports._html import fmt_interval
from riskmodel.splits import TemporalSplit

CAPACITY = 20
MIN_GROUP = 40
EXPECTED_FIGURES = {
    "backtest": 1,
    "calibration": 2,
    "capacity": 1,
    "fairness": 1,
    "explanations": 1,
}
DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


# ------------------------------------------------------------------ inputs


def _simulate(n_children: int = 700, seed: int = 0) -> tuple[TrainingFrame, np.ndarray]:
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
        spec=FeatureSpec.default(),
    )
    return frame, p


@pytest.fixture(scope="module")
def inputs():
    frame, truth = _simulate()
    result = backtest(
        RiskClassifier("logistic", calibration="sigmoid", random_state=0),
        frame,
        TemporalSplit(n_splits=2, test_duration=12),
        capacity=CAPACITY,
        truth=truth,
        n_resamples=40,
    )
    preds = result.predictions[result.predictions["model"] == "model"]
    keys = pd.MultiIndex.from_frame(preds[["person_id", "as_of_date"]])
    audit = audit_fairness(
        preds["y_true"].to_numpy(),
        preds["y_score"].to_numpy(),
        frame.groups.reindex(keys).reset_index(drop=True),
        capacity=CAPACITY,
        periods=preds["as_of_date"].to_numpy(),
        clusters=preds["person_id"].to_numpy(),
        min_group_size=MIN_GROUP + 1,
        n_resamples=60,
        random_state=0,
    )
    return SimpleNamespace(frame=frame, truth=truth, backtest=result, audit=audit)


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


def _examples(frame: TrainingFrame) -> pd.DataFrame:
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


def _render(inputs, path: Path, *, synthetic: bool = True, **kwargs) -> str:
    defaults = dict(
        backtest=inputs.backtest,
        audit=inputs.audit,
        synthetic=synthetic,
        importance=IMPORTANCE,
        reason_examples=_examples(inputs.frame),
        top_reasons=TOP_REASONS,
        group_contributions=GROUP_CONTRIBUTIONS,
        model_description={"Estimator": "logistic", "Calibration": "sigmoid"},
    )
    defaults.update(kwargs)
    out = review_report(path, **defaults)
    assert out == path
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def synthetic_html(inputs, tmp_path_factory) -> str:
    return _render(inputs, tmp_path_factory.mktemp("report") / "review.html")


@pytest.fixture(scope="module")
def real_html(inputs, tmp_path_factory) -> str:
    return _render(inputs, tmp_path_factory.mktemp("report") / "review.html", synthetic=False)


# ------------------------------------------------------------------ parsing


class _Page(HTMLParser):
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


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _text_only(text: str) -> str:
    """The page without its embedded images (base64 can contain any short string)."""
    return DATA_URI.sub("data:image/png;base64,", text)


# ------------------------------------------------------------------ tests


def test_every_section_is_present_in_order_with_its_heading(synthetic_html):
    page = _parse(synthetic_html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    for sid, heading in SECTIONS:
        assert page.headings[sid].strip() == heading


def test_every_figure_is_an_embedded_png_with_alt_text(synthetic_html):
    page = _parse(synthetic_html)
    counts = pd.Series([s for s, _, _ in page.images]).value_counts().to_dict()
    assert counts == EXPECTED_FIGURES
    for _, src, alt in page.images:
        assert src.startswith("data:image/png;base64,")
        assert alt.strip()
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_page_opens_offline(synthetic_html):
    page = _parse(synthetic_html)
    assert not {"script", "link", "iframe", "object", "embed"} & page.tags
    for url in page.urls:
        assert url.startswith(("#", "data:image/png;base64,")), url
    text = _text_only(synthetic_html)
    assert "http://" not in text and "https://" not in text
    assert "@import" not in text and "url(" not in text


def test_no_person_id_appears_anywhere(inputs, synthetic_html, real_html):
    ids = inputs.frame.keys["person_id"].unique()
    for html in (synthetic_html, real_html):
        text = _text_only(html)
        assert not [i for i in ids if i in text]
    assert "person_id" not in _text_only(synthetic_html)


def test_synthetic_report_shows_example_children_without_ids(synthetic_html):
    page = _parse(synthetic_html)
    rows = [r["cells"] for r in page.rows if r["caption"] == "Flagged synthetic children"]
    assert [cells[0][1] for cells in rows] == [
        "Child A, aged 14",
        "Child B, aged 16",
        "Child C, aged 12",
    ]
    assert rows[0][1][1] == "31%"
    assert rows[0][2][1] == "3 referrals in the last year"
    assert rows[1][3][1] == "—"  # a missing reason
    assert "quirky reason 77" in synthetic_html


def test_real_data_report_shows_only_aggregate_reasons(real_html):
    page = _parse(real_html)
    assert not [r for r in page.rows if r["caption"] == "Flagged synthetic children"]
    text = _text_only(real_html)
    assert "Child A" not in text and "quirky reason 77" not in text
    assert "Child-level reasons are not shown" in text
    reasons = {
        r["cells"][0][1]: r["cells"][1][1]
        for r in page.rows
        if r["caption"].startswith("Among the children flagged")
    }
    assert reasons == {
        "N referrals in the last year": "12",
        "aged N": "7",
        "rare reason": "fewer than 5",
    }
    assert "Synthetic data" not in text and "Aggregates only" in text


def _fairness_rows(page: _Page, attribute: str) -> dict[str, list]:
    rows = [
        r["cells"]
        for r in page.rows
        if r["section"] == "fairness" and r["caption"] == f"{attribute}: value (95% interval)"
    ]
    return {cells[0][1].removesuffix(" (reference)"): cells for cells in rows}


FAIRNESS_COLUMNS = {
    "selection_rate": 3,
    "fnr": 4,
    "fpr": 5,
    "precision": 6,
    "observed_expected": 7,
}


def test_flagged_disparities_are_marked_and_only_they(inputs, synthetic_html):
    flags = inputs.audit.flags()
    assert not flags.empty, "the simulation's recording bias should produce a flag"
    page = _parse(synthetic_html)
    flagged = set(zip(flags["attribute"], flags["group"], flags["metric"], strict=True))
    for attribute in inputs.audit.by_group["attribute"].unique():
        for group, cells in _fairness_rows(page, attribute).items():
            for metric, column in FAIRNESS_COLUMNS.items():
                marked = "flag" in cells[column][0].split()
                assert marked == ((attribute, group, metric) in flagged), (group, metric)
    listed = [r["cells"][0] for r in page.rows if r["caption"] == "Flagged disparities"]
    assert len(listed) == len(flags)
    assert all("flag" in cls for cls, _ in listed)


def test_suppressed_group_is_marked_without_numbers(inputs, synthetic_html):
    assert inputs.audit.by_group.query("group == 'Tiny'")["suppressed"].all()
    n = inputs.audit.by_group.query("group == 'Tiny'")["n"].iloc[0]
    assert 0 < n < MIN_GROUP + 1
    cells = _fairness_rows(_parse(synthetic_html), "ethnic_group")["Tiny"]
    assert cells[1][1] == str(n)
    assert cells[2][1].startswith("suppressed")
    assert all(text == "—" and "suppressed" in cls for cls, text in cells[3:])


def test_backtest_table_quotes_the_backtest_with_intervals(inputs, synthetic_html):
    page = _parse(synthetic_html)
    rows = {
        r["cells"][0][1]: [t for _, t in r["cells"][1:]]
        for r in page.rows
        if r["section"] == "backtest" and r["caption"].startswith("All test dates pooled")
    }
    m = inputs.backtest.metrics
    overall = m[m["fold"] == "overall"].set_index(["model", "metric"])
    auc = overall.loc[("model", "roc_auc")]
    assert rows["Ranking (AUC)"][0] == fmt_interval(auc["value"], auc["lower"], auc["upper"])
    best = overall.loc[("best possible", "roc_auc")]
    assert rows["Ranking (AUC)"][-1] == fmt_interval(best["value"], best["lower"], best["upper"])
    assert rows["Calibration slope"][-1] == "—"  # not measured for the ground truth
    assert len(rows["Ranking (AUC)"]) == 4  # model, two rules, best possible
    assert "true probabilities reach an AUC" in synthetic_html


def test_capacity_sentence_matches_the_backtest(inputs, synthetic_html):
    precision = inputs.backtest.value("precision_at_capacity")
    recall = inputs.backtest.value("recall_at_capacity")
    found = (
        f"{CAPACITY * precision:.0f}"
        if CAPACITY * precision >= 10
        else f"{CAPACITY * precision:.1f}"
    )
    missed = f"{100 * (1 - recall):.0f}%"
    sentence = re.search(
        r"Of the 20 children flagged at each as-of date, about ([^ ]+) ", synthetic_html
    )
    assert sentence and sentence.group(1) == found
    assert f"the list missed about {missed} of the children" in synthetic_html


def test_without_best_possible_or_explanations(inputs, tmp_path):
    preds = inputs.backtest.predictions
    keep = inputs.backtest.metrics["model"] != "best possible"
    plain = type(inputs.backtest)(
        metrics=inputs.backtest.metrics[keep],
        folds=inputs.backtest.folds,
        by_date=inputs.backtest.by_date[inputs.backtest.by_date["model"] != "best possible"],
        predictions=preds[preds["model"] != "best possible"],
        capacity=CAPACITY,
    )
    html = _render(
        inputs,
        tmp_path / "plain.html",
        backtest=plain,
        importance=None,
        reason_examples=None,
        top_reasons=None,
        group_contributions=None,
    )
    page = _parse(html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert "true probabilities" not in html
    assert "No explanations were supplied" in html
    assert sum(s == "explanations" for s, _, _ in page.images) == 0


def test_text_is_escaped(inputs, tmp_path):
    html = _render(
        inputs,
        tmp_path / "escaped.html",
        model_description={"Estimator": "<script>alert(1)</script>"},
        title="A & B <review>",
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<title>A &amp; B &lt;review&gt;</title>" in html


def test_failed_render_leaves_no_file(inputs, tmp_path):
    target = tmp_path / "review.html"
    target.write_text("previous report")
    no_model = SimpleNamespace(**vars(inputs.backtest))
    no_model.metrics = inputs.backtest.metrics[inputs.backtest.metrics["model"] != "model"]
    with pytest.raises(ValueError, match="no rows for 'model'"):
        review_report(target, backtest=no_model, audit=inputs.audit, synthetic=True)
    with pytest.raises(TypeError, match="audit must be a FairnessAudit"):
        review_report(target, backtest=inputs.backtest, audit=object(), synthetic=True)
    assert target.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.html"]


def test_summarise_top_reasons_counts_largest_positive_contribution():
    explanation = SimpleNamespace(
        values=np.array(
            [[0.5, 0.1, -1], [0.2, 0.9, 0], [-0.1, -0.2, -0.3], [0.3, np.nan, 0.4], [2, 0, 1]]
        ),
        feature_names=["referral_count_365d", "cp_plan_open", "noise"],
    )
    table = summarise_top_reasons(
        explanation, {"referral_count_365d": "{value} referrals in the last year"}
    )
    assert table.to_dict("list") == {
        "feature": ["referral_count_365d", "cp_plan_open", "noise", ""],
        "reason": [
            "N referrals in the last year",
            "cp plan open",
            "noise",
            "no feature raised the score",
        ],
        "children": [2, 1, 1, 1],
    }
    with pytest.raises(ValueError, match="2 feature names for 3 columns"):
        summarise_top_reasons(SimpleNamespace(values=np.zeros((2, 3)), feature_names=["a", "b"]))


def test_audit_backtest_equals_a_direct_audit(inputs):
    audit = audit_backtest(inputs.backtest, inputs.frame.groups, n_resamples=20, random_state=1)
    preds = inputs.backtest.predictions.query("model == 'model'")
    direct = audit_fairness(
        preds["y_true"].to_numpy(),
        preds["y_score"].to_numpy(),
        inputs.frame.groups.reindex(
            pd.MultiIndex.from_frame(preds[["person_id", "as_of_date"]])
        ).reset_index(drop=True),
        capacity=CAPACITY,
        periods=preds["as_of_date"].to_numpy(),
        clusters=preds["person_id"].to_numpy(),
        n_resamples=20,
        random_state=1,
    )
    pd.testing.assert_frame_equal(audit.by_group, direct.by_group)
    with pytest.raises(ValueError, match="predicted rows have no groups"):
        last = inputs.frame.groups.index.get_level_values("as_of_date").max()
        groups = inputs.frame.groups.drop(index=last, level="as_of_date")
        audit_backtest(inputs.backtest, groups, n_resamples=5)


def test_build_review_summarises_and_hides_examples_for_real_data(inputs, tmp_path):
    frame = inputs.frame
    data = SimpleNamespace(
        truth=None,
        summary=lambda: pd.DataFrame(
            {
                "rows": [700],
                "children": [700],
                "first_date": ["2000-01-01"],
                "last_date": ["2021-12-31"],
            },
            index=["persons"],
        ),
        coverage_summary=lambda: pd.DataFrame(
            {
                "family": ["referral", "early_help_start"],
                "source": ["events", "events"],
                "in_vocabulary": [True, True],
                "first_month": pd.PeriodIndex(["2014-04", pd.NaT], freq="M"),
                "last_month": pd.PeriodIndex(["2021-12", pd.NaT], freq="M"),
                "months_recorded": [93, 0],
                "events": [4_000, 0],
                "children": [3, 0],
            }
        ),
    )
    model = RiskClassifier("logistic", calibration="sigmoid", random_state=0)
    out = build_review(
        data,
        model,
        frame,
        inputs.backtest,
        out=tmp_path / "sub" / "review.html",
        audit=inputs.audit,
        reason_examples=_examples(frame),
        top_reasons=TOP_REASONS,
    )
    html = out.read_text(encoding="utf-8")
    page = _parse(html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert "Child A" not in html and "Aggregates only" in html
    assert "RiskClassifier" in html and "logistic" in html
    assert "The cohort was taken at 20 as-of dates" in html
    coverage = {r["cells"][0][1]: [c[1] for c in r["cells"][1:]] for r in page.rows}
    assert coverage["referral"] == ["2014-04", "2021-12", "4,000", "fewer than 5"]
    assert coverage["early_help_start"][:2] == ["not recorded", "not recorded"]
    too_old = [r["cells"] for r in page.rows if r["cells"][0][1] == "too old"]
    assert too_old and too_old[0][1][1] == f"{int((~frame.cohort['in_cohort']).sum()):,}"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::riskmodel.exceptions.DataQualityWarning")
def test_build_review_on_a_synthetic_authority(tmp_path):
    """End to end on the library's own synthetic authority (few entrants: NaNs allowed)."""
    from riskmodel._frame import build_training_frame
    from riskmodel.data.synthetic import make_local_authority

    data = make_local_authority(n_children=6000, random_state=0)
    frame = build_training_frame(data, pd.date_range("2019-04-01", "2023-01-01", freq="3MS"))
    model = RiskClassifier("logistic", calibration="sigmoid", random_state=0)
    result = backtest(
        model, frame, TemporalSplit(n_splits=2, test_duration=12), capacity=10, n_resamples=20
    )
    model.fit(frame.X, frame.y)  # explanations are computed for the fitted model
    out = build_review(data, model, frame, result, out=tmp_path / "review.html", n_resamples=30)
    html = out.read_text(encoding="utf-8")
    page = _parse(html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert "No explanations were supplied" not in html
    assert "Synthetic data" in html  # inferred from data.truth
    text = _text_only(html)
    assert not [i for i in data.persons["person_id"] if i in text]
    assert all(url.startswith(("#", "data:image/png;base64,")) for url in page.urls)
    n_dates = len(frame.as_of_dates)
    assert f"The cohort was taken at {n_dates} as-of dates" in html
    # contributions by group: one table per attribute, the top features down the side
    for attribute in frame.groups.columns:
        caption = (
            f"{attribute.replace('_', ' ')}: mean contribution by group "
            "(children in brackets; groups under 10 children suppressed)"
        )
        rows = [r for r in page.rows if r["caption"] == caption]
        assert 0 < len(rows) <= 10, attribute
        assert len({len(r["cells"]) for r in rows}) == 1


def test_without_capacity_the_report_says_so(inputs, tmp_path):
    keep = ~inputs.backtest.metrics["metric"].str.endswith("_at_capacity")
    no_capacity = type(inputs.backtest)(
        metrics=inputs.backtest.metrics[keep],
        folds=inputs.backtest.folds,
        by_date=inputs.backtest.by_date,
        predictions=inputs.backtest.predictions,
        capacity=None,
    )
    preds = inputs.backtest.predictions.query("model == 'model'")
    groups = inputs.frame.groups.reindex(
        pd.MultiIndex.from_frame(preds[["person_id", "as_of_date"]])
    )
    audit = audit_fairness(
        preds["y_true"].to_numpy(),
        preds["y_score"].to_numpy(),
        groups.reset_index(drop=True),
        threshold=0.1,
        n_resamples=20,
        random_state=0,
    )
    html = _render(inputs, tmp_path / "r.html", backtest=no_capacity, audit=audit)
    page = _parse(html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert "No capacity was given" in html and "Of the" not in html
    assert "scores of at least 10%" in html
    assert sum(s == "capacity" for s, _, _ in page.images) == 1
