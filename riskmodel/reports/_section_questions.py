"""The report's ``questions`` section: questions for the ethics review board."""

from __future__ import annotations

from riskmodel.reports._blocks import Block, Bullets
from riskmodel.reports._numbers import Headlines


def _flag_question(numbers: Headlines) -> str:
    if numbers.n_flags:
        n = numbers.n_flags
        return (
            f"The fairness audit flags {n} disparit{'y' if n == 1 else 'ies'}, for "
            + ", ".join(numbers.flagged_groups)
            + " (listed in the fairness section). Do they reflect real differences in "
            "need, or differences in how families are recorded and referred? What will "
            "be done about them?"
        )
    return (
        "No disparity was flagged, but intervals are wide. Is the evidence strong "
        "enough to rule out a meaningful disparity, and how will it be monitored?"
    )


def _gain_question(numbers: Headlines) -> str:
    if numbers.best_rule is None or not numbers.best_rule_auc.known:
        return (
            "The model was not compared with a simple rule. Is a model needed at all, "
            "or would a transparent rule do as well?"
        )
    return (
        f"The model's AUC on future data was {numbers.auc.prose()}, against "
        f"{numbers.best_rule_auc.prose()} for the simple rule '{numbers.best_rule}'. Is "
        "the difference enough to justify the model's complexity and risk, or would a "
        "transparent rule do?"
    )


def questions_section(numbers: Headlines) -> tuple[Block, ...]:
    """Build the ``questions`` section: questions for the ethics review board."""
    capacity = numbers.capacity
    trade_off = (
        numbers.flagged_text(capacity)
        + " Is that trade-off acceptable? What happens to flagged families who would not "
        "have entered care (intrusion, stigma), and to the children the list misses?"
        if capacity
        else "No capacity was set. How many families can the service really support from "
        "each list, and what happens to the children the list misses?"
    )
    items = [
        "Is offering early, voluntary help the purpose the service will really use the "
        "list for? How will use for any other purpose be prevented?",
        trade_off,
        _flag_question(numbers),
        _gain_question(numbers),
        "How will families be told that their records are used in this way, and how can "
        "they see the reasons and challenge a flag?",
        "How will practitioners record disagreement with a score, and who reviews those records?",
        "Who monitors the model's accuracy, calibration and fairness in use, how often, "
        "and what result would suspend its use?",
        (
            f"Some groups were too small to assess ({', '.join(numbers.suppressed)}), "
            if numbers.suppressed
            else "Small groups, and combinations of groups (such as ethnic group and sex), "
            "cannot be assessed with confidence on these numbers: "
        )
        + "how will the model's effect on them be reviewed?",
        "Has a data protection impact assessment been completed, with a lawful basis, and "
        "how long are scores kept?",
        "Are the reason codes understandable and appropriate to share with families?",
    ]
    return (Bullets.of(items, ordered=True),)
