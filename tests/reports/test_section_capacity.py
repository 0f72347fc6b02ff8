"""The report's capacity section: the sentence matches the backtest; no capacity is said."""

from __future__ import annotations

import re

import pandas as pd
from report_pages import CAPACITY, parse, render

from riskmodel.fairness import audit_fairness
from riskmodel.reports import SECTIONS


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
    html = render(inputs, tmp_path / "r.html", backtest=no_capacity, audit=audit)
    page = parse(html)
    assert page.sections == [sid for sid, _ in SECTIONS]
    assert "No capacity was given" in html and "Of the" not in html
    assert "scores of at least 10%" in html
    assert sum(s == "capacity" for s, _, _ in page.images) == 1
