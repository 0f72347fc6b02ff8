"""What the report says when the backtest ran on a sample (``backtest(..., sample_weight=)``).

A national frame is trained and tested on every care entry and a share of the other
child-dates, each kept one weighted by the inverse of that share. The figures are
then weighted estimates of all child-dates', and the report says so in plain words,
with the share kept and the rows measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from riskmodel.evaluation import MODEL
from riskmodel.evaluation._keys import row_weights
from riskmodel.reports._blocks import Block, Callout
from riskmodel.reports._format import fmt

__all__ = ["SampleFacts", "kept_share", "sample_facts", "sample_note"]


@dataclass(frozen=True)
class SampleFacts:
    """The share of non-entrant child-dates kept, and the test rows kept and stood for."""

    fraction: float
    rows_kept: int
    rows_estimated: float


def kept_share(weights: Any, y: Any) -> float | None:
    """Return the share of the child-dates without a care entry that a sample kept.

    The inverse of their weight (the largest, when they differ); None when every row
    is a care entry.

    Examples
    --------
    >>> kept_share([1.0, 4.0, 4.0], [1, 0, 0]), kept_share([1.0], [1])
    (0.25, None)
    """
    others = np.asarray(weights, dtype=float)[np.asarray(y) == 0]
    return 1.0 / float(others.max()) if len(others) else None


def sample_facts(backtest: Any) -> SampleFacts | None:
    """Read the sample behind a weighted backtest from its model's predictions (else None).

    The share kept is the inverse of the weight of the kept child-dates without a care
    entry (the largest weight, when they differ).
    """
    predictions = backtest.predictions
    part = predictions[predictions["model"] == MODEL]
    weights = row_weights(part)
    if weights is None or part.empty:
        return None
    fraction = kept_share(weights, part["y_true"].to_numpy())
    return SampleFacts(1.0 if fraction is None else fraction, len(part), float(np.sum(weights)))


def sample_note(backtest: Any) -> tuple[Block, ...]:
    """Say that the figures are weighted estimates from a sample (nothing when unsampled)."""
    facts = sample_facts(backtest)
    if facts is None:
        return ()
    return (
        Callout(
            "These figures are weighted estimates from a sample, not counts of every "
            "child-date. The model was trained and tested on every child-date followed by "
            f"a care entry and a random {fmt(facts.fraction, 'pct')} of the others: the "
            f"{facts.rows_kept:,} test child-dates measured stand for about "
            f"{fmt(facts.rows_estimated, 'count')}. Each kept child-date without a care "
            f"entry counts as {1 / facts.fraction:.3g} in every figure (in each list's "
            "capacity and top share too), so the figures estimate those of all "
            "child-dates; the intervals resample the sampled children with their weights, "
            "so a smaller sample gives wider intervals."
        ),
    )
