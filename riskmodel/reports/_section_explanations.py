"""The report's ``explanations`` section: global importance, group comparison, reasons.

Child-level reasons are shown only for synthetic children, as "Child A, aged 14", and
only from a fixed list of columns: person ids and other identifying columns never
reach the page. For real data, only counts of top reasons over many children are shown,
with small counts suppressed.
"""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd

import riskmodel.reports._figures as _figures
from riskmodel.explain import ExplanationSummary, feature_label
from riskmodel.reports._blocks import Block, Callout, Cell, Figure, Heading, Para, Table
from riskmodel.reports._format import DASH, SMALL_COUNT, fmt

TOP_FEATURES = 15
MAX_EXAMPLES = 6
MAX_GROUP_ROWS = 60
TOP_GROUP_FEATURES = 10
_REASON = re.compile(r"^reason_(\d+)$")

INTRODUCTION = (
    "Each score is split into contributions of the features (SHAP values of the "
    "model before calibration, in log-odds; calibration keeps the order of "
    "children and of reasons). Contributions describe the model's arithmetic, not "
    "causes, and they can only point to what the authority recorded."
)
NO_EXPLANATIONS = (
    "No explanations were supplied to this report. The review board should "
    "ask for them before approving use."
)
REAL_DATA_NOTE = (
    "Child-level reasons are not shown: this report may be shared, and rows "
    "about real children never leave the authority's systems. Only counts over "
    f"many children are shown, and counts below {SMALL_COUNT} are suppressed."
)


def _importance_blocks(importance: pd.DataFrame) -> tuple[Block, ...]:
    top = importance.sort_values("mean_abs_shap", ascending=False).head(TOP_FEATURES)
    descriptions = top["description"] if "description" in top else [None] * len(top)
    labels = [feature_label(f, d) for f, d in zip(top["feature"], descriptions, strict=True)]
    rows = []
    for rank, (r, text) in enumerate(zip(top.itertuples(), labels, strict=True), start=1):
        mean = getattr(r, "mean_shap", np.nan)
        direction = "raises" if mean > 0 else "lowers" if mean < 0 else "—"
        rows.append(
            [
                str(rank),
                Cell(text, "text"),
                Cell(r.feature, "text"),
                fmt(r.mean_abs_shap, "small"),
                f"{fmt(mean, 'small')} ({direction})",
            ]
        )
    short = [t if len(t) <= 60 else t[:57] + "..." for t in labels]
    return (
        Table.of(
            ["Rank", "Feature", "Column", "Mean |contribution|", "Mean contribution"],
            rows,
            caption=f"The {len(top)} features that move the scores most (log-odds)",
        ),
        Figure.of(
            _figures.importance(top, short),
            alt="Bar chart of the mean absolute contribution of each feature",
            caption="Mean absolute contribution of each feature to the children's "
            "scores, in log-odds. N stands for the child's value.",
        ),
    )


def _group_blocks(group_contributions: pd.DataFrame) -> tuple[Block, ...]:
    frame = group_contributions
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    if {"group", "feature", "mean_shap"} <= set(frame.columns):
        return _group_pivots(frame)
    return (_plain_table(frame, "Mean contributions by group"),)


def _group_pivots(frame: pd.DataFrame) -> tuple[Block, ...]:
    """One table per grouping column: top features down, groups across (``compare_groups``)."""
    column = frame["column"] if "column" in frame else pd.Series("group", index=frame.index)
    out: list[Block] = [
        Para(
            "Mean contribution (log-odds) of the features that move scores most, within "
            "each group; positive values raise the group's scores. A feature that raises "
            "one group's scores much more than another's is a question for the review: "
            "need, or how often that group's families are recorded?"
        )
    ]
    for name, part in frame.groupby(column, sort=False):
        features = list(dict.fromkeys(part["feature"]))[:TOP_GROUP_FEATURES]
        groups = list(dict.fromkeys(part["group"]))
        cells = part.set_index(["feature", "group"])
        header = ["Feature"]
        for group in groups:
            first = cells.xs(group, level="group").iloc[0]
            size = "" if pd.isna(first.get("n_children")) else f" ({int(first['n_children']):,})"
            header.append(f"{group}{size}")
        rows = []
        for feature in features:
            row: list[object] = [Cell(feature, "text")]
            for group in groups:
                hit = cells.loc[(feature, group)] if (feature, group) in cells.index else None
                if hit is None or bool(hit.get("suppressed", False)):
                    row.append("suppressed" if hit is not None else DASH)
                else:
                    row.append(fmt(hit["mean_shap"], "small"))
            rows.append(row)
        caption = (
            f"{str(name).replace('_', ' ')}: mean contribution by group "
            "(children in brackets; groups under 10 children suppressed)"
        )
        out.append(Table.of(header, rows, caption=caption))
    return tuple(out)


def _plain_table(frame: pd.DataFrame, caption: str) -> Table:
    shown = frame.head(MAX_GROUP_ROWS)
    numeric = [c for c in shown.columns if pd.api.types.is_float_dtype(shown[c])]
    rows = [
        [
            fmt(v, "small") if c in numeric else Cell(v, "" if j == 0 else "text")
            for j, (c, v) in enumerate(zip(shown.columns, values, strict=True))
        ]
        for values in shown.itertuples(index=False)
    ]
    if len(frame) > len(shown):
        caption += f" (first {len(shown)} of {len(frame)} rows)"
    header = [str(c).replace("_", " ") for c in shown.columns]
    return Table.of(header, rows, caption=caption)


def _example_rows(reason_examples: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    reasons = sorted(
        (c for c in reason_examples.columns if _REASON.match(str(c))),
        key=lambda c: int(_REASON.match(str(c)).group(1)),
    )
    header = ["Child"]
    if "risk_score" in reason_examples:
        header.append("Score")
    header += [f"Reason {c.split('_')[1]}" for c in reasons]
    rows = []
    examples = reason_examples.head(MAX_EXAMPLES)
    for letter, (_, r) in zip(string.ascii_uppercase, examples.iterrows(), strict=False):
        age = r.get("age")
        name = f"Child {letter}" + (f", aged {int(age)}" if pd.notna(age) else "")
        row: list[object] = [name]
        if "risk_score" in reason_examples:
            row.append(fmt(r["risk_score"], "pct"))
        row += [Cell(r[c] if pd.notna(r[c]) else "—", "text") for c in reasons]
        rows.append(row)
    return header, rows


def _examples_blocks(reason_examples: pd.DataFrame) -> tuple[Block, ...]:
    header, rows = _example_rows(reason_examples)
    return (
        Heading("Example reason codes (synthetic children)"),
        Para(
            "These children are invented by the synthetic generator. Each row shows the "
            "score and the features that raised it most, as a practitioner would see "
            "them. Reasons describe what the model weighed, not why a child is at risk."
        ),
        Table.of(header, rows, caption="Flagged synthetic children", numeric_from=1),
    )


def _top_reasons_blocks(top_reasons: pd.DataFrame, synthetic: bool) -> tuple[Block, ...]:
    total = top_reasons["children"].sum()
    rows = []
    for r in top_reasons.sort_values("children", ascending=False).itertuples():
        small = not synthetic and r.children < SMALL_COUNT
        rows.append(
            [
                Cell(r.reason, "text"),
                f"fewer than {SMALL_COUNT}" if small else fmt(r.children, "int"),
                "—" if small else fmt(r.children / total if total else np.nan, "pct"),
            ]
        )
    return (
        Heading("How often each feature is the top reason"),
        Table.of(
            ["Top reason (feature)", "Flagged children", "Share"],
            rows,
            caption="Among the children flagged at the latest as-of date",
        ),
    )


def explanations_section(
    explanations: ExplanationSummary | None, *, synthetic: bool
) -> tuple[Block, ...]:
    """Build the ``explanations`` section (example children only for synthetic data)."""
    e = explanations if explanations is not None else ExplanationSummary()
    out: list[Block] = [Para(INTRODUCTION)]
    if (
        e.importance is None
        and e.group_contributions is None
        and e.top_reasons is None
        and (e.reason_examples is None or not synthetic)
    ):
        out.append(Callout(NO_EXPLANATIONS, "warn"))
    if e.importance is not None:
        out += [Heading("What drives the scores overall"), *_importance_blocks(e.importance)]
    if e.group_contributions is not None:
        out += [
            Heading("Do the same features drive the scores in every group?"),
            *_group_blocks(e.group_contributions),
        ]
    if synthetic and e.reason_examples is not None:
        out += _examples_blocks(e.reason_examples)
    elif not synthetic:
        out.append(Callout(REAL_DATA_NOTE, "note"))
    if e.top_reasons is not None and len(e.top_reasons):
        out += _top_reasons_blocks(e.top_reasons, synthetic)
    return tuple(out)
