"""The audit's bootstrap: interval widths as theory says, clusters resampled whole."""

from __future__ import annotations

import numpy as np
import pytest

from riskmodel.fairness import audit_fairness


def test_interval_width_matches_the_binomial_standard_error():
    rng = np.random.default_rng(5)
    n = 20_000
    y = (rng.random(n) < 0.2).astype(int)
    audit = audit_fairness(
        y, rng.random(n), {"g": ["all"] * n}, threshold=0.5, n_resamples=500, random_state=0
    )
    row = audit.by_group.set_index("metric").loc["prevalence"]
    expected_width = 2 * 1.959964 * np.sqrt(row["value"] * (1 - row["value"]) / n)
    assert row["lower"] < row["value"] < row["upper"]
    assert (row["upper"] - row["lower"]) == pytest.approx(expected_width, rel=0.15)


def test_clusters_keep_repeated_rows_from_narrowing_intervals():
    rng = np.random.default_rng(6)
    n = 3000
    y = np.repeat((rng.random(n) < 0.2).astype(int), 4)
    score = np.repeat(rng.random(n), 4)
    person = np.repeat(np.arange(n), 4)
    groups = {"g": ["all"] * (4 * n)}
    widths = {}
    for name, clusters in (("rows", None), ("persons", person)):
        audit = audit_fairness(
            y,
            score,
            groups,
            threshold=0.5,
            clusters=clusters,
            n_resamples=400,
            random_state=0,
        )
        row = audit.by_group.set_index("metric").loc["prevalence"]
        widths[name] = row["upper"] - row["lower"]
    single = 2 * 1.959964 * np.sqrt(y.mean() * (1 - y.mean()) / n)
    assert widths["persons"] == pytest.approx(single, rel=0.15)
    assert widths["rows"] == pytest.approx(single / 2, rel=0.15)
