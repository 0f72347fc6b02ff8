"""The report's ``limitations`` section: what the numbers cannot show."""

from __future__ import annotations

from riskmodel.reports._blocks import Block, Bullets
from riskmodel.reports._format import fmt
from riskmodel.reports._numbers import Headlines


def limitations_section(
    numbers: Headlines, synthetic: bool, min_group_size: int
) -> tuple[Block, ...]:
    """Build the ``limitations`` section."""
    low, high = numbers.fold_auc
    drift = (
        f" Between the backtest's folds the model's AUC ranged from {fmt(low)} to {fmt(high)}."
        if low == low
        else ""
    )
    items = [
        "The outcome is a recorded care entry, not a child's need. Children who needed "
        "care but did not enter it, or whose families were helped in time, count as "
        "'no'. The model learns the authority's past decisions, including any bias in "
        "them, and cannot tell need from decision.",
        "Recording bias. The model sees only what was recorded. Families who are more "
        "watched (by police, schools or children's services) have more records and get "
        "higher scores for the same need; families who are less visible get lower ones. "
        "Calibration within groups checks part of this, but no check on these data can "
        "detect bias in the outcome itself.",
        f"Small numbers. The backtest saw {numbers.n_entrants:,} care entries among "
        f"{numbers.n_rows:,} child-dates ({numbers.n_children:,} children). Intervals "
        f"are wide, groups with fewer than {min_group_size} child-dates were suppressed, "
        "and differences between small groups may be chance.",
        "Drift. Practice, thresholds, services and recording systems change; a model "
        "tested on the past may do worse in future." + drift + " It should be "
        "re-validated at least yearly and after any change in systems or practice.",
        "What the model cannot see: anything not recorded in these returns, such as a "
        "family's strengths, support from relatives or community, health and school "
        "relationships, or events in another authority.",
        "Explanations describe the model's arithmetic, not causes. Changing a recorded "
        "factor would not necessarily change a child's real risk.",
        "Calibration and fairness were measured on out-of-fold predictions of the "
        "backtest; the model that is finally deployed is refitted on all the data and "
        "must be monitored in use.",
    ]
    if synthetic:
        items.insert(
            0,
            "Every number in this report comes from a synthetic authority. The report "
            "shows how the review works; it says nothing about how a model performs on "
            "real children.",
        )
    return (Bullets.of(items),)
