"""The report's backtest section: the table quotes the backtest, with intervals."""

from __future__ import annotations

from report_pages import parse

from riskmodel.reports._format import fmt_interval


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
    assert len(rows["Ranking (AUC)"]) == 4  # model, two rules, best possible
    assert "true probabilities reach an AUC" in synthetic_html
