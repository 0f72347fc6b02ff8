"""The review report as a whole: sections, embedded figures, offline page, privacy, escaping."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pandas as pd
import pytest
from report_pages import (
    CAPACITY,
    GROUP_CONTRIBUTIONS,
    IMPORTANCE,
    examples,
    explanations,
    page_text,
    parse,
    render,
    text_only,
)

from riskmodel.explain import ExplanationSummary
from riskmodel.fairness import audit_fairness
from riskmodel.reports import SECTIONS, ReviewReport

EXPECTED_FIGURES = {
    "backtest": 1,
    "calibration": 2,
    "capacity": 1,
    "fairness": 1,
    "explanations": 1,
}


def test_every_section_is_present_in_order_with_its_heading(synthetic_html):
    page = parse(synthetic_html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    for sid, heading in SECTIONS:
        assert page.headings[sid].strip() == heading


def test_every_figure_is_an_embedded_png_with_alt_text(synthetic_html):
    page = parse(synthetic_html)
    counts = pd.Series([s for s, _, _ in page.images]).value_counts().to_dict()
    assert counts == EXPECTED_FIGURES
    for _, src, alt in page.images:
        assert src.startswith("data:image/png;base64,")
        assert alt.strip()
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_page_opens_offline(synthetic_html):
    page = parse(synthetic_html)
    assert not {"script", "link", "iframe", "object", "embed"} & page.tags
    for url in page.urls:
        assert url.startswith(("#", "data:image/png;base64,")), url
    text = text_only(synthetic_html)
    assert "http://" not in text and "https://" not in text
    assert "@import" not in text and "url(" not in text


def test_no_person_id_appears_anywhere(inputs, synthetic_html, real_html):
    ids = inputs.frame.keys["person_id"].unique()
    for html in (synthetic_html, real_html):
        text = text_only(html)
        assert not [i for i in ids if i in text]
    assert "person_id" not in text_only(synthetic_html)


def test_real_data_report_holds_no_child_rows(inputs):
    report = ReviewReport(
        backtest=inputs.backtest,
        audit=inputs.audit,
        synthetic=False,
        explanations=explanations(inputs.frame),
    )
    assert report.explanations.reason_examples is None
    assert report.explanations.top_reasons is not None
    assert report.capacity == CAPACITY  # the backtest's


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
    html = render(inputs, tmp_path / "plain.html", backtest=plain, explanations=None)
    page = parse(html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert "true probabilities" not in html
    assert "No explanations were supplied" in html
    assert sum(s == "explanations" for s, _, _ in page.images) == 0


def test_write_writes_what_to_html_renders(inputs, tmp_path):
    report = ReviewReport(backtest=inputs.backtest, audit=inputs.audit, synthetic=True)
    out = report.write(tmp_path / "sub" / "review.html")
    assert out == tmp_path / "sub" / "review.html"
    assert out.read_text(encoding="utf-8") == report.to_html()


def test_text_is_escaped(inputs, tmp_path):
    html = render(
        inputs,
        tmp_path / "escaped.html",
        model_description={"Estimator": "<script>alert(1)</script>"},
        title="A & B <review>",
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<title>A &amp; B &lt;review&gt;</title>" in html


def _hostile(kind: str) -> str:
    return f'<script>alert("{kind}")</script> & "{kind}"'


def _hostile_items(inputs) -> dict:
    """Every kind of text that reaches the page, each made of markup, ``&`` and quotes."""
    preds = inputs.backtest.predictions.query("model == 'model'")
    groups = inputs.frame.groups.reindex(
        pd.MultiIndex.from_frame(preds[["person_id", "as_of_date"]])
    ).reset_index(drop=True)
    groups["ethnic_group"] = groups["ethnic_group"].replace("Asian", _hostile("group"))
    audit = audit_fairness(
        preds["y_true"].to_numpy(),
        preds["y_score"].to_numpy(),
        groups,
        capacity=CAPACITY,
        periods=preds["as_of_date"].to_numpy(),
        clusters=preds["person_id"].to_numpy(),
        n_resamples=20,
        random_state=0,
    )
    importance = IMPORTANCE.copy()
    importance.loc[3, ["feature", "description"]] = [_hostile("feature"), _hostile("description")]
    reasons = examples(inputs.frame).assign(reason_1=_hostile("example reason"))
    top = pd.DataFrame({"reason": [_hostile("top reason")], "children": [9]})
    contributions = GROUP_CONTRIBUTIONS.rename(columns={"F": _hostile("contribution group")})
    dates = pd.to_datetime(["2020-01-01", "2020-04-01"])
    cohort = pd.DataFrame(
        {"children": [100, 100], "in_cohort": [90, 91], "excluded": [10, 9]}, index=dates
    ).assign(**{_hostile("exclusion"): [10, 9]})
    coverage = pd.DataFrame(
        {
            "family": [_hostile("family")],
            "in_vocabulary": [True],
            "first_month": pd.PeriodIndex(["2014-04"], freq="M"),
            "last_month": pd.PeriodIndex(["2021-12"], freq="M"),
            "events": [40],
            "children": [30],
        }
    )
    return dict(
        audit=audit,
        explanations=ExplanationSummary(importance, reasons, top, contributions),
        data_summary=pd.DataFrame(
            {"rows": [7], "children": [7], "first_date": ["2000-01-01"], "last_date": ["x"]},
            index=[_hostile("table")],
        ),
        cohort_summary=cohort,
        coverage_summary=coverage,
        model_description={_hostile("label"): _hostile("value")},
        title=_hostile("title"),
    )


KINDS = (
    "group",
    "feature",
    "description",
    "example reason",
    "top reason",
    "contribution group",
    "exclusion",
    "family",
    "table",
    "label",
    "value",
    "title",
)


def test_hostile_values_are_escaped_in_every_kind_of_input(inputs, tmp_path):
    html = render(inputs, tmp_path / "hostile.html", **_hostile_items(inputs))
    assert "<script" not in html
    page = page_text(html)
    assert "script" not in page.tags
    text = "".join(page.parts)
    for kind in KINDS:
        # read back as text: it was escaped, not taken for markup
        assert _hostile(kind).replace("{value}", "N") in text, kind
    assert "&amp; &#34;feature&#34;" in html or "&amp; &quot;feature&quot;" in html


def test_failed_render_leaves_no_file(inputs, tmp_path):
    target = tmp_path / "review.html"
    target.write_text("previous report")
    no_model = SimpleNamespace(**vars(inputs.backtest))
    no_model.metrics = inputs.backtest.metrics[inputs.backtest.metrics["model"] != "model"]
    with pytest.raises(ValueError, match="no rows for 'model'"):
        ReviewReport(backtest=no_model, audit=inputs.audit, synthetic=True).write(target)
    with pytest.raises(TypeError, match="audit must be a FairnessAudit"):
        ReviewReport(backtest=inputs.backtest, audit=object(), synthetic=True).write(target)
    with pytest.raises(ValueError, match="capacity must be a positive integer"):
        ReviewReport(backtest=inputs.backtest, audit=inputs.audit, synthetic=True, capacity=0)
    broken = SimpleNamespace(**vars(inputs.backtest))
    broken.folds = pd.DataFrame({"fold": [1]})  # no dates: rendering fails half-way
    with pytest.raises(AttributeError):
        ReviewReport(backtest=broken, audit=inputs.audit, synthetic=True).write(target)
    assert target.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.html"]
