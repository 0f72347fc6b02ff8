"""Sections that frame the numbers: intended use, data and cohort, limitations, questions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from riskmodel.reports._html import (
    Cell,
    bullets,
    callout,
    details,
    fmt,
    fmt_date,
    heading,
    key_values,
    para,
    table,
)
from riskmodel.reports._numbers import MODEL, Headlines

JUDGEMENT = "Scores support professional judgement; they never decide."

OUT_OF_SCOPE = (
    "Deciding anything about a child or family. The score never decides whether a child "
    "enters care, is the subject of a child protection enquiry, or goes to court.",
    "Children under 10. The model was built and tested only on children aged 10 to 17.",
    "Unaccompanied asylum-seeking children. Their entry into care follows their arrival "
    "in the country, not their history with the authority, so they were left out.",
    "Children who are already looked after.",
    "Deciding who is eligible for a service, rationing support or withdrawing it. A low "
    "score is not evidence that a family does not need help.",
    "Sharing scores with other agencies (police, schools, housing, health) or using them "
    "as a label on a child's record.",
    "Judging practitioners, teams or families.",
    "Use in another authority, or after a change in recording systems or practice, "
    "without a new validation on that data.",
)


def intended_use(horizon_months: int, model_description: Mapping[str, Any] | None) -> str:
    """Render the ``intended-use`` section: what the model is for, and not for."""
    body = [
        callout(JUDGEMENT, "key"),
        para(
            "The model estimates, for each child aged 10 to 17 who is known to the "
            "authority, the chance that the child enters care in the next "
            f"{horizon_months} months. Its only intended use is to help early-help and "
            "children's social care managers decide which families to review first, so "
            "that voluntary support can be offered earlier."
        ),
        heading("Intended users and use"),
        bullets(
            [
                "Team managers and practitioners in early help and children's social "
                "care, who read each flagged child's file before any contact.",
                "A qualified social worker reviews every flagged child. The score and its "
                "reasons are one input; the practitioner's judgement and the family's own "
                "account come first.",
                "Practitioners may disagree with a score and record why; disagreements are "
                "reviewed regularly and fed back into the review of the model.",
                "Families can ask what information about them was used (UK GDPR articles "
                "13 to 15). No decision about them is made by the model alone (article 22).",
            ]
        ),
        heading("Out of scope: the model must not be used for"),
        bullets(OUT_OF_SCOPE),
    ]
    if model_description:
        body += [
            heading("The model reviewed here"),
            key_values((str(k), v) for k, v in model_description.items()),
        ]
    return "".join(body)


def _table_summary(data_summary: pd.DataFrame) -> str:
    rows = [
        (
            name,
            fmt(row.get("rows"), "count"),
            fmt(row.get("children"), "count"),
            fmt_date(row.get("first_date")),
            fmt_date(row.get("last_date")),
        )
        for name, row in data_summary.iterrows()
    ]
    header = ["Table", "Rows", "Children", "First date", "Last date"]
    return table(header, rows, caption="The authority's tables (dates of birth, events, episodes)")


def _cohort_block(cohort_summary: pd.DataFrame) -> str:
    dates = pd.to_datetime(pd.Index(cohort_summary.index))
    size = cohort_summary["in_cohort"]
    reasons = [c for c in cohort_summary.columns if c not in ("children", "in_cohort", "excluded")]
    out = [
        para(
            f"The cohort was taken at {len(dates)} as-of dates from {fmt_date(dates.min())} "
            f"to {fmt_date(dates.max())}. At each date between {fmt(size.min(), 'count')} "
            f"and {fmt(size.max(), 'count')} children were in it (median "
            f"{fmt(size.median(), 'count')})."
        )
    ]
    totals = cohort_summary[reasons].sum()
    total = int(cohort_summary["excluded"].sum())
    rows = [
        (reason, fmt(n, "int"), fmt(n / total if total else float("nan"), "pct"))
        for reason, n in totals.items()
    ]
    out.append(
        table(
            ["Reason not in the cohort", "Child-dates", "Share of exclusions"],
            rows,
            caption="Exclusions by reason, summed over the as-of dates",
        )
    )
    per_date = [
        (fmt_date(d), *(fmt(v, "int") for v in row))
        for d, row in zip(
            dates, cohort_summary[["children", "in_cohort", "excluded"]].to_numpy(), strict=True
        )
    ]
    per_date_table = table(["As-of date", "Children in data", "In cohort", "Excluded"], per_date)
    out.append(details(f"Cohort size at each of the {len(dates)} as-of dates", per_date_table))
    return "".join(out)


def _base_rate(backtest: Any, horizon_months: int) -> str:
    preds = backtest.predictions
    part = preds[preds["model"] == MODEL]
    if part.empty:
        return ""
    per_date = part.groupby("as_of_date")["y_true"].agg(["sum", "size"])
    entrants, rows = int(part["y_true"].sum()), len(part)
    return para(
        f"Base rate: across the backtest's test dates, {entrants:,} of {rows:,} child-dates "
        f"({fmt(entrants / rows, 'pct')}) were followed by a care entry within "
        f"{horizon_months} months: on average {fmt(per_date['sum'].mean(), 'count')} "
        f"entrants among {fmt(per_date['size'].mean(), 'count')} children per as-of date. "
        "This is the honest size of the problem: most children on any list will not "
        "enter care, and every estimate below rests on few entrants."
    )


def data_and_cohort(
    backtest: Any,
    data_summary: pd.DataFrame | None,
    cohort_summary: pd.DataFrame | None,
    horizon_months: int,
    *,
    coverage_summary: pd.DataFrame | None = None,
    synthetic: bool = False,
) -> str:
    """Render the ``data`` section: tables, dates, event families, cohort, base rate."""
    out = [
        para(
            "The data are the authority's own statutory records: the SSDA903 return "
            "(children looked after) and the Children in Need census, or an extract in the "
            "same shape. Only facts the authority knew before an as-of date are used for "
            "that date's features."
        ),
        para(
            "Cohort: children aged 10 to 17 on the as-of date who are not looked after on "
            "that date and are not unaccompanied asylum-seeking children. Children who "
            "were in care before and went home stay in the cohort. Outcome: the start of "
            f"a period of care (not only short breaks) within {horizon_months} months "
            "after the as-of date, as recorded in the SSDA903 return."
        ),
    ]
    if data_summary is not None:
        out.append(_table_summary(data_summary))
    if coverage_summary is not None:
        from riskmodel.reports._coverage import coverage_block

        out.append(heading("Event families recorded"))
        out.append(coverage_block(coverage_summary, synthetic=synthetic))
    if cohort_summary is not None and len(cohort_summary):
        out.append(heading("Cohort and exclusions"))
        out.append(_cohort_block(cohort_summary))
    out.append(heading("How common care entry is"))
    out.append(_base_rate(backtest, horizon_months))
    return "".join(out)


def limitations(numbers: Headlines, synthetic: bool, min_group_size: int) -> str:
    """Render the ``limitations`` section."""
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
    return bullets(items)


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


def questions(numbers: Headlines) -> str:
    """Render the ``questions`` section: questions for the ethics review board."""
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
    return bullets([Cell(q) for q in items], ordered=True)
