"""The report's backtest section: the table quotes the backtest, with intervals."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from report_pages import parse, render

from riskmodel.reports._format import fmt, fmt_interval, fmt_range


def test_backtest_table_quotes_the_backtest_with_intervals(inputs, synthetic_html):
    page = parse(synthetic_html)
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
    achievable = overall.loc[("best achievable", "roc_auc")]
    assert rows["Ranking (AUC)"][-2] == fmt_interval(
        achievable["value"], achievable["lower"], achievable["upper"]
    )
    assert len(rows["Ranking (AUC)"]) == 5  # model, two rules, best achievable, best possible
    top = overall.loc[("model", "precision_at_top_share")]
    assert rows["Precision in the top 2.0%"][0] == fmt_interval(
        top["value"], top["lower"], top["upper"], "pct"
    )
    assert "true probabilities reach an AUC" in synthetic_html
    assert "best prediction from the records alone" in synthetic_html


def test_comparison_table_quotes_the_paired_difference_and_the_share(inputs, synthetic_html):
    page = parse(synthetic_html)
    rows = {
        r["cells"][0][1]: [t for _, t in r["cells"][1:]]
        for r in page.rows
        if r["section"] == "backtest" and r["caption"].startswith("The model against the best")
    }
    paired = inputs.backtest.paired.set_index("metric").loc["roc_auc"]
    share = inputs.backtest.achievable_share
    share = share[share["fold"] == "overall"].set_index("metric").loc["roc_auc"]
    auc = rows["Ranking (AUC)"]
    assert auc[0] == paired["best_rule"]
    interval = fmt_range(paired["difference"], paired["lower"], paired["upper"])
    assert auc[3] == f"+{fmt(paired['difference'])} ({interval})"
    assert auc[-1] == fmt(share["share"], "pct")
    assert 0 < share["share"] < 1


def test_a_slope_without_an_interval_is_said_in_words_where_it_is_quoted(inputs, tmp_path):
    m = inputs.backtest.metrics
    starved = (m["model"] == "model") & (m["fold"] == "overall")
    starved &= m["metric"] == "calibration_slope"
    metrics = m.copy()
    metrics.loc[starved, ["lower", "upper"]] = np.nan
    text = (
        "too few care entries in all test dates (n=12) to estimate an interval for the "
        "calibration slope: it could not be computed on more than 10% of the resamples "
        "of children"
    )
    notes = pd.DataFrame(
        [["model", "overall", "calibration_slope", text]],
        columns=["model", "fold", "metric", "note"],
    )
    backtest = dataclasses.replace(inputs.backtest, metrics=metrics, notes=notes)
    html = render(inputs, tmp_path / "starved.html", backtest=backtest)
    assert "(no interval) (1 is ideal)" in html
    assert "(0 is ideal). Too few care entries in all test dates (n=12)" in html
    assert f"This model: {text}." in html
    assert "DataQualityWarning" not in html
