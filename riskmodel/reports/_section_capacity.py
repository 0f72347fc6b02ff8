"""The report's ``capacity`` section: whom a list of a given size finds, and whom it misses."""

from __future__ import annotations

from typing import Any

import riskmodel.reports._figures as _figures
from riskmodel.reports._blocks import Block, Callout, Figure, Heading, Para, Table
from riskmodel.reports._numbers import (
    MODEL,
    Estimate,
    Headlines,
    capacity_estimates,
    model_label,
    model_names,
)

CAPACITY_HEADER = (
    "Entrants among those flagged",
    "Precision",
    "Entrants missed",
    "Flagged per entrant found",
)


def _capacity_rows(backtest: Any, capacity: int) -> list[list[object]]:
    rows = []
    for model in model_names(backtest):
        est = capacity_estimates(backtest, capacity, model)
        found: Estimate = est["precision_at_capacity"].scaled(capacity)
        rows.append(
            [
                model_label(model),
                found.text("count"),
                est["precision_at_capacity"].text("pct"),
                est["recall_at_capacity"].complement().text("pct"),
                est["nnf_at_capacity"].text("count"),
            ]
        )
    return rows


def _trade_off_rows(backtest: Any, capacity: int, n_resamples: int) -> list[list[object]]:
    rows = []
    for k in sorted({max(1, capacity // 2), capacity, 2 * capacity, 4 * capacity}):
        est = capacity_estimates(backtest, k, MODEL, n_resamples=n_resamples)
        rows.append(
            [
                f"{k:,} (capacity)" if k == capacity else f"{k:,}",
                est["precision_at_capacity"].scaled(k).text("count"),
                est["precision_at_capacity"].text("pct"),
                est["recall_at_capacity"].complement().text("pct"),
                est["nnf_at_capacity"].text("count"),
            ]
        )
    return rows


def capacity_section(
    backtest: Any, numbers: Headlines, capacity: int | None, n_resamples: int = 100
) -> tuple[Block, ...]:
    """Build the ``capacity`` section: whom a list of a given size finds and misses."""
    figure = Figure.of(
        _figures.capacity(backtest, max_k=4 * capacity if capacity else None),
        alt="Precision and recall at k children flagged per as-of date, per model",
        caption="Precision (solid) and recall (dashed) as the list grows; the vertical line "
        "is the service's capacity.",
    )
    if not capacity:
        return (Para("No capacity was given, so no list size is assessed."), figure)
    return (
        Para(
            f"The service can support about {capacity} children from each list. A "
            "longer list finds more of the children who will enter care, but more of "
            "the families on it would never have entered care."
        ),
        Callout(numbers.flagged_text(capacity), "key"),
        Table.of(
            ["Model", *CAPACITY_HEADER],
            _capacity_rows(backtest, capacity),
            caption=f"At capacity ({capacity} per as-of date): value (95% interval)",
        ),
        Heading("If the service could support more, or fewer"),
        Table.of(
            ["Children flagged per as-of date", *CAPACITY_HEADER],
            _trade_off_rows(backtest, capacity, n_resamples),
            caption="This model at other list sizes: value (95% interval)",
        ),
        figure,
    )
