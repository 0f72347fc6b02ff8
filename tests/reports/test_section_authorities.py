"""The report's authorities section: each authority's figures and pooling against going alone."""

from __future__ import annotations

import dataclasses
import warnings
from types import SimpleNamespace

import pandas as pd
import pytest
from report_pages import page_text, parse, render_blocks

from riskmodel.data import pool_authorities
from riskmodel.data.synthetic import make_local_authority
from riskmodel.evaluation import backtest
from riskmodel.exceptions import DataQualityWarning
from riskmodel.frame import build_training_frame
from riskmodel.models import RiskClassifier
from riskmodel.reports import AUTHORITIES_SECTION, SECTIONS, build_review
from riskmodel.reports._format import fmt, fmt_children, fmt_interval
from riskmodel.reports._section_authorities import (
    KEY_METRICS,
    PAIRED_WORDS,
    authorities_section,
    best_rule,
)
from riskmodel.splits import TemporalSplit

CODES = ("A01", "B02")
CAPACITY = 10


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    """Two small authorities pooled, backtested and reviewed (explanations left out)."""
    data = pool_authorities(
        {
            "A01": make_local_authority(n_children=3000, random_state=0),
            "B02": make_local_authority(n_children=2000, random_state=1),
        }
    )
    frame = build_training_frame(data, pd.date_range("2019-04-01", "2023-01-01", freq="3MS"))
    model = RiskClassifier(estimator="logistic", calibration="sigmoid", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # small folds
        result = backtest(
            model,
            frame,
            TemporalSplit(n_splits=2, test_duration=12),
            capacity=CAPACITY,
            n_resamples=20,
        )
        model.fit(frame.X, frame.y)
    report = build_review(data, model, frame, result, explain=False, n_resamples=20)
    html = report.write(tmp_path_factory.mktemp("pooled") / "review.html").read_text("utf-8")
    return SimpleNamespace(frame=frame, backtest=result, report=report, html=html)


def _section_text(html: str, section: str) -> str:
    start = html.index(f'<section id="{section}">')
    return " ".join(page_text(html[start : html.index("</section>", start)]).parts)


@pytest.mark.slow
def test_the_section_follows_the_backtest_and_names_each_authority(pooled):
    page = parse(pooled.html)
    ids = [sid for sid, _ in SECTIONS]
    at = ids.index("backtest") + 1
    assert page.sections == [*ids[:at], AUTHORITIES_SECTION[0], *ids[at:]]
    assert page.headings["authorities"] == AUTHORITIES_SECTION[1]
    # the backtest table's column of the own models (pooled over authorities) is named
    assert '<th scope="col">Each authority&#39;s own model</th>' in pooled.html
    text = _section_text(pooled.html, "authorities")
    for code in CODES:
        assert f"Authority {code}" in text
        assert f"Pooling against {code}'s own model" in text


@pytest.mark.slow
def test_each_authority_table_quotes_by_authority(pooled):
    page = parse(pooled.html)
    table = pooled.backtest.by_authority
    for code in CODES:
        rows = {
            r["cells"][0][1]: [t for _, t in r["cells"][1:]]
            for r in page.rows
            if r["section"] == "authorities"
            and r["caption"].startswith(f"Authority {code}, its test rows only")
        }
        mine = table[table["authority"] == code]
        rule = best_rule(mine)
        assert rule is not None and rule.startswith("rule")
        assert rule == max(
            (m for m in mine["model"].unique() if m.startswith("rule")),
            key=lambda m: mine.query("model == @m and metric == 'roc_auc'")["value"].iloc[0],
        )
        indexed = mine.set_index(["model", "metric"])
        for metric, name, kind in KEY_METRICS:
            label = name.format(share="2.0%")
            assert label in rows, (code, label)
            for column, model in enumerate(["model", "own model", rule]):
                r = indexed.loc[(model, metric)]
                expected = fmt_interval(r["value"], r["lower"], r["upper"], kind)
                assert rows[label][column] == expected, (code, metric, model)
        model_rows = mine[mine["model"] == "model"]
        n, entries = model_rows["n_test"].iloc[0], model_rows["test_positives"].iloc[0]
        preds = pooled.backtest.predictions
        assert n == ((preds["model"] == "model") & (preds["authority"] == code)).sum() > 0
        # pooled data keep no synthetic truth, so the report is for real data: 1-4 hidden
        assert not pooled.report.synthetic
        entries = fmt_children(int(entries), synthetic=False)
        expected = f"Authority {code}: {n:,} test rows (child-dates) with {entries} care entries."
        assert expected in _section_text(pooled.html, "authorities")


@pytest.mark.slow
def test_pooling_against_own_is_said_in_words_with_the_table_s_numbers(pooled):
    text = _section_text(pooled.html, "authorities")
    paired = pooled.backtest.pooled_vs_own
    assert set(paired["authority"]) == set(CODES)
    said = 0
    for row in paired.itertuples():
        words, kind = PAIRED_WORDS[row.metric]
        words = words.format(share="2.0%", capacity=CAPACITY)
        assert f"its {words}" in text
        if row.difference == 0:
            assert f"Pooling left its {words} unchanged at {fmt(row.pooled, kind)}" in text
        else:
            verb = "raised" if row.difference > 0 else "lowered"
            amount = fmt(abs(row.difference), kind)
            amount = amount[:-1] + " percentage points" if kind == "pct" else amount
            low, high = fmt(row.lower, kind), fmt(row.upper, kind)
            if kind == "pct":
                low, high = low[:-1], high[:-1] + " percentage points"
            sentence = (
                f"Pooling {verb} its {words} by {amount} (95% interval for the change "
                f"{low} to {high}): {fmt(row.pooled, kind)} pooled against "
                f"{fmt(row.own, kind)} with its own model."
            )
            assert sentence in text, sentence
        said += 1
    assert said == len(paired) > 0
    includes_zero = ((paired["lower"] <= 0) & (paired["upper"] >= 0)).sum()
    assert text.count("The interval includes zero") == includes_zero
    assert text.count("The interval excludes zero") == len(paired) - includes_zero


@pytest.mark.slow
def test_the_fairness_section_lists_the_authority_group(pooled):
    assert "authority" in pooled.frame.groups.columns
    page = parse(pooled.html)
    rows = [
        r["cells"]
        for r in page.rows
        if r["section"] == "fairness" and r["caption"] == "authority: value (95% interval)"
    ]
    assert {cells[0][1].removesuffix(" (reference)") for cells in rows} == set(CODES)
    assert "<h4>Authority</h4>" in pooled.html
    audited = pooled.report.audit.by_group
    assert set(audited.loc[audited["attribute"] == "authority", "group"]) == set(CODES)


@pytest.mark.slow
def test_an_authority_without_an_own_model_is_said_plainly(pooled):
    result = pooled.backtest
    note = "authority B02: no care entry in its 120 training rows of fold 1, so no own model"
    notes = pd.concat(
        [result.notes, pd.DataFrame([["own model", "1", "", note]], columns=result.notes.columns)],
        ignore_index=True,
    )
    paired = result.pooled_vs_own[result.pooled_vs_own["authority"] != "B02"]
    changed = dataclasses.replace(result, notes=notes, pooled_vs_own=paired)
    html = render_blocks(authorities_section(changed, synthetic=True))
    text = " ".join(page_text(html).parts)
    assert "Authority B02 had no own model in any fold" in text
    assert "Folds where B02 had no own model:" in text
    assert "Authority B02: no care entry in its 120 training rows of fold 1" in text
    assert "Folds where A01 had no own model" not in text
    none = dataclasses.replace(result, pooled_vs_own=pd.DataFrame(), notes=pd.DataFrame())
    text = " ".join(page_text(render_blocks(authorities_section(none, synthetic=True))).parts)
    assert text.count("The backtest fitted no own models") == len(CODES)


def test_a_one_authority_report_has_no_authorities_section(inputs, synthetic_html):
    assert inputs.backtest.by_authority.empty
    assert authorities_section(inputs.backtest, synthetic=True) == ()
    page = parse(synthetic_html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert 'id="authorities"' not in synthetic_html
