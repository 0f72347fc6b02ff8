"""``build_review``: the report's items computed from a backtest, its frame and the data."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from report_pages import TOP_REASONS, examples, parse, text_only

from riskmodel.evaluation import backtest
from riskmodel.explain import ExplanationSummary
from riskmodel.models import RiskClassifier
from riskmodel.reports import SECTIONS, build_review
from riskmodel.splits import TemporalSplit


def test_build_review_summarises_and_hides_examples_for_real_data(inputs):
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
    report = build_review(
        data,
        model,
        frame,
        inputs.backtest,
        audit=inputs.audit,
        explanations=ExplanationSummary(reason_examples=examples(frame), top_reasons=TOP_REASONS),
    )
    assert report.explanations.reason_examples is None  # real data: no child rows kept
    assert report.capacity == inputs.backtest.capacity
    html = report.to_html()
    page = parse(html)
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
    from riskmodel.data.synthetic import make_local_authority
    from riskmodel.frame import build_training_frame

    data = make_local_authority(n_children=6000, random_state=0)
    frame = build_training_frame(data, pd.date_range("2019-04-01", "2023-01-01", freq="3MS"))
    model = RiskClassifier("logistic", calibration="sigmoid", random_state=0)
    result = backtest(
        model, frame, TemporalSplit(n_splits=2, test_duration=12), capacity=10, n_resamples=20
    )
    model.fit(frame.X, frame.y)  # explanations are computed for the fitted model
    report = build_review(data, model, frame, result, n_resamples=30)
    assert report.synthetic  # inferred from data.truth
    assert report.explanations.reason_examples is not None
    html = report.write(tmp_path / "review.html").read_text(encoding="utf-8")
    page = parse(html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert "No explanations were supplied" not in html
    assert "Synthetic data" in html  # inferred from data.truth
    text = text_only(html)
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
