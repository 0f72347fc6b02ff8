"""What the backtest promised, set against what each list achieved, and the caveats.

A promise is a table of :data:`PROMISE_COLUMNS`: for a model version, the backtest's
value and interval of a metric. A row with ``metric == "capacity"`` gives the
backtest's capacity (its ``value``), so that a run flagging a different number is
named in the caveats.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel._wording import describe_rows
from riskmodel.exceptions import SchemaError
from riskmodel.monitoring._result import OVERALL, PROMISED_METRICS

__all__ = ["PROMISE_CAPACITY", "PROMISE_COLUMNS", "caveats", "check_promised", "join_promises"]

PROMISE_COLUMNS: list[str] = ["model_version", "metric", "value", "lower", "upper"]
"""Columns of a promise: the backtest's value and interval of a metric, per model version."""

PROMISE_CAPACITY = "capacity"
"""The promise ``metric`` that carries the backtest's capacity (in ``value``)."""


def check_promised(promised: pd.DataFrame | None) -> pd.DataFrame:
    """Return the promise table with clean dtypes (empty when None).

    Raises
    ------
    SchemaError
        If a column is missing, a number is not numeric, or a model version and
        metric appear twice.
    """
    if promised is None:
        promised = pd.DataFrame(columns=PROMISE_COLUMNS)
    missing = [c for c in PROMISE_COLUMNS if c not in promised.columns]
    if missing:
        raise SchemaError(
            f"promised: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(PROMISE_COLUMNS)}"
        )
    out = pd.DataFrame(
        {
            "model_version": promised["model_version"].astype("str").to_numpy(),
            "metric": promised["metric"].astype("str").to_numpy(),
        }
    )
    for column in ("value", "lower", "upper"):
        values = pd.to_numeric(promised[column], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(np.isnan(values) & promised[column].notna().to_numpy())
        if len(bad):
            where = describe_rows(bad, promised[column].to_numpy()[bad])
            raise SchemaError(f"promised.{column}: not a number ({where})")
        out[column] = values
    twice = np.flatnonzero(out.duplicated(["model_version", "metric"], keep=False).to_numpy())
    if len(twice):
        pairs = (out["model_version"] + "/" + out["metric"]).to_numpy()[twice]
        where = describe_rows(twice, pairs)
        raise SchemaError(f"promised: a model version and metric appear more than once ({where})")
    return out


def join_promises(realised: pd.DataFrame, promised: pd.DataFrame) -> pd.DataFrame:
    """Add the promised value and interval, and ``outside_promise``, to realised rows.

    Only whole-list rows of :data:`PROMISED_METRICS` are joined (by model version and
    metric); ``outside_promise`` is True only for a complete run whose value lies
    outside a known promised interval.
    """
    table = promised.rename(
        columns={"value": "promised_value", "lower": "promised_lower", "upper": "promised_upper"}
    )
    table = table[table["metric"].isin(PROMISED_METRICS)]
    out = realised.drop(
        columns=["promised_value", "promised_lower", "promised_upper", "outside_promise"],
        errors="ignore",
    ).merge(table, on=["model_version", "metric"], how="left")
    whole = (out["attribute"] == OVERALL) & (out["group"] == OVERALL)
    for column in ("promised_value", "promised_lower", "promised_upper"):
        out[column] = out[column].where(whole).astype("float64")
    value = out["value"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        outside = (value < out["promised_lower"].to_numpy()) | (
            value > out["promised_upper"].to_numpy()
        )
    out["outside_promise"] = outside & out["complete"].to_numpy(dtype=bool) & whole.to_numpy()
    return out


def caveats(
    runs: pd.DataFrame, promised: pd.DataFrame, horizon_months: int, *, pooled: bool
) -> tuple[str, ...]:
    """Say in plain words what the figures do and do not mean.

    Parameters
    ----------
    runs : pandas.DataFrame
        The run table (``RUN_COLUMNS``).
    promised : pandas.DataFrame
        The checked promise table.
    horizon_months : int
        The horizon.
    pooled : bool
        Whether complete runs were pooled.

    Returns
    -------
    tuple of str
    """
    lines = []
    for run in runs[~runs["complete"]].itertuples():
        lines.append(
            f"The list of {run.as_of_date.date()} is partial: so far, {run.months_observed} of "
            f"{horizon_months} months of its horizon have passed. Its figures count only the care "
            "entries seen so far and are never mixed into the complete figures."
        )
    complete = runs[runs["complete"]]
    if pooled:
        lines.append(
            f"The pooled figures combine the {len(complete)} complete lists only; a child on "
            "several lists is resampled as one child."
        )
    entrants = complete["entrants"]
    few = (
        f" (the complete lists had {entrants.min()} to {entrants.max()} entrants)"
        if len(entrants)
        else ""
    )
    lines.append(
        f"With few care entries an interval is wide{few}: a value outside the backtest's "
        "interval is a prompt to look, not proof that the model got worse, and a value "
        "inside it is not proof that it is fine."
    )
    lines += [_HELP, _MOVED]
    return tuple(lines + _data_lines(runs) + _capacity_lines(runs, promised))


_HELP = (
    "Help offered to flagged families may have prevented some care entries, which lowers "
    "the entrants among the flagged; compare them with the children ranked just below the "
    "cut-off before reading a low rate as a failure of the ranking."
)
_MOVED = (
    "Children who moved away are not followed: a care entry in another authority is not in "
    "these data, so some entrants are missing from every figure."
)


def _data_lines(runs: pd.DataFrame) -> list[str]:
    """Children with no known outcome, and lists without any entrant yet."""
    lines = []
    absent = runs[runs["not_in_data"] > 0]
    if len(absent):
        lines.append(
            f"{int(absent['not_in_data'].sum())} children of the lists are not in the data's "
            "persons table (lists of "
            + ", ".join(str(d.date()) for d in absent["as_of_date"])
            + "): their outcome is unknown, and they count as not entering care."
        )
    undefined = runs[runs["entrants"] == 0]
    if len(undefined):
        lines.append(
            "No child of the lists of "
            + ", ".join(str(d.date()) for d in undefined["as_of_date"])
            + " has entered care yet: their recall, AUC and average precision are undefined"
            " (blank)."
        )
    return lines


def _capacity_lines(runs: pd.DataFrame, promised: pd.DataFrame) -> list[str]:
    capacity = promised[promised["metric"] == PROMISE_CAPACITY].set_index("model_version")["value"]
    differ: dict[tuple[str, int, int], list[str]] = {}
    for run in runs.itertuples():
        backtest = capacity.get(str(run.model_version))
        if backtest is not None and not np.isnan(backtest) and int(backtest) != run.flagged:
            key = (str(run.model_version), int(backtest), int(run.flagged))
            differ.setdefault(key, []).append(str(run.as_of_date.date()))
    return [
        f"The lists of {', '.join(dates)} flagged {flagged} children but the backtest of model "
        f"version {version} assumed a capacity of {backtest}: their precision and recall at "
        "capacity are not directly comparable with the promise."
        for (version, backtest, flagged), dates in differ.items()
    ]
