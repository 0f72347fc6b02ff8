"""The whole-list bootstrap draws children exactly as riskmodel.metrics.bootstrap_metric does."""

from __future__ import annotations

import numpy as np
import pytest

from riskmodel.metrics import average_precision, bootstrap_metric, roc_auc
from riskmodel.monitoring._overall import estimate_list


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(5)
    n = 3000
    score = np.sort(np.round(rng.beta(1, 20, n), 3))[::-1]  # ties, in decreasing order
    y = rng.random(n) < score
    band = np.clip(20 - np.arange(n) * 20 // n, 1, 20)
    flagged = np.arange(n) < 60
    cutoff = np.where(flagged, 0, np.where(np.arange(n) < 120, 1, -1))
    person = rng.integers(0, 1200, n).astype(str)  # several rows per child
    return y, score, flagged, band, cutoff, person


@pytest.mark.parametrize("clustered", [False, True])
def test_ranking_intervals_match_bootstrap_metric(rows, clustered):
    # clustered: the same draws, so the same interval; by row: the same distribution
    # drawn per cell (multinomial), so the same interval up to Monte Carlo noise
    y, score, flagged, band, cutoff, person = rows
    clusters = person if clustered else None
    est = estimate_list(
        y, score, flagged, band, cutoff,
        clusters=clusters, n_resamples=300, confidence=0.9, random_state=11,
    )  # fmt: skip
    table = est.overall.set_index("metric")
    for name, metric in (("roc_auc", roc_auc), ("average_precision", average_precision)):
        ref = bootstrap_metric(
            metric, y, score, clusters=clusters, n_resamples=300, confidence=0.9, random_state=11
        )
        assert table.loc[name, "value"] == pytest.approx(ref.value, rel=1e-12)
        tolerance = 1e-9 * ref.upper if clustered else 0.2 * (ref.upper - ref.lower)
        assert table.loc[name, "lower"] == pytest.approx(ref.lower, abs=tolerance)
        assert table.loc[name, "upper"] == pytest.approx(ref.upper, abs=tolerance)


def test_precision_counts_the_flagged_rows_not_the_top_scores(rows):
    y, score, flagged, band, cutoff, person = rows
    chosen = np.zeros(len(y), dtype=bool)
    chosen[[5, 50, 500, 2999]] = True  # decisions need not follow the score here
    est = estimate_list(
        y, score, chosen, band, cutoff,
        clusters=None, n_resamples=50, confidence=0.95, random_state=0,
    )  # fmt: skip
    table = est.overall.set_index("metric")
    assert table.loc["precision_at_capacity", "value"] == y[chosen].mean()
    assert table.loc["recall_at_capacity", "value"] == y[chosen].sum() / y.sum()
    near = est.near_cutoff.set_index("list")
    assert near.loc["flagged", "entrants"] == y[:60].sum()
    assert near.loc["just below", "rate"] == pytest.approx(y[60:120].mean())
