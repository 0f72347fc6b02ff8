"""Realised performance of every run of a score history: :func:`realised_performance`."""

from __future__ import annotations

from collections.abc import Mapping

import joblib
import numpy as np
import pandas as pd

from riskmodel.exceptions import SchemaError
from riskmodel.monitoring._groups import audit_run, history_groups
from riskmodel.monitoring._history import HISTORY_TABLE_COLUMNS, summarise_runs
from riskmodel.monitoring._outcomes import realised_outcomes
from riskmodel.monitoring._overall import ListEstimates, estimate_list
from riskmodel.monitoring._promise import caveats, check_promised, join_promises
from riskmodel.monitoring._result import (
    CALIBRATION_COLUMNS,
    NEAR_CUTOFF_COLUMNS,
    OVERALL,
    REALISED_COLUMNS,
    RUN_COLUMNS,
    MonitoringResult,
)

__all__ = ["realised_performance"]


def _check_history(history: pd.DataFrame) -> None:
    missing = [c for c in HISTORY_TABLE_COLUMNS if c not in history.columns]
    if missing:
        raise SchemaError(
            f"score history: missing column(s) {', '.join(missing)}; read it with "
            "riskmodel.monitoring.read_score_history"
        )
    if history.empty:
        raise SchemaError("score history: no rows (no scoring run to monitor)")


def _aligned_groups(groups: pd.DataFrame | None, history: pd.DataFrame) -> pd.DataFrame | None:
    if groups is None:
        return None
    if (
        not isinstance(groups, pd.DataFrame)
        or len(groups) != len(history)
        or not groups.index.equals(history.index)
    ):
        raise SchemaError(
            f"groups: expected a DataFrame aligned with the history ({len(history)} rows, same "
            f"index), got {type(groups).__name__} of {len(groups)} rows"
        )
    return groups.astype("object").where(groups.notna(), None)


def _estimate(rows: pd.DataFrame, clusters: bool, settings: dict) -> ListEstimates:
    return estimate_list(
        rows["entered_care"].to_numpy(dtype=bool),
        rows["risk_score"].to_numpy(dtype=float),
        rows["flagged"].to_numpy(dtype=bool),
        rows["risk_band"].to_numpy(dtype=int),
        rows["cutoff"].to_numpy(dtype=int),
        clusters=rows["person_id"].to_numpy() if clusters else None,
        **settings,
    )


def _versions(rows: pd.DataFrame) -> str:
    return ", ".join(sorted(map(str, rows["model_version"].unique())))


def _overall_rows(
    est: ListEstimates, rows: pd.DataFrame, as_of: object, months: int
) -> pd.DataFrame:
    table = est.overall.copy()
    table.insert(0, "as_of_date", as_of)
    table["attribute"] = table["group"] = OVERALL
    table["n"] = len(rows)
    table["entrants"] = int(rows["entered_care"].sum())
    table["suppressed"] = False
    table["reference"] = None
    table["disparity"] = False
    return table.assign(
        complete=bool(rows["complete"].all()),
        months_observed=months,
        model_version=_versions(rows),
    )


def _run_tables(
    run: pd.DataFrame, groups: pd.DataFrame, audit_settings: dict, settings: dict
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Realised rows, calibration rows and near-cut-off rows of one run."""
    as_of = pd.Timestamp(run["as_of_date"].iloc[0])
    months = int(run["months_observed"].iloc[0])
    complete = bool(run["complete"].iloc[0])
    est = _estimate(run, False, settings)
    by_group = audit_run(run, groups, random_state=settings["random_state"], **audit_settings)
    by_group = by_group.assign(
        as_of_date=as_of, complete=complete, months_observed=months, model_version=_versions(run)
    )
    stamp = {"as_of_date": as_of, "complete": complete}
    k = int(run["flagged"].sum())
    near = est.near_cutoff.assign(rank_from=[1, k + 1], rank_to=[k, 2 * k], **stamp)
    return (
        pd.concat([_overall_rows(est, run, as_of, months), by_group], ignore_index=True),
        est.calibration.assign(**stamp),
        near,
    )


def _with_cutoff(rows: pd.DataFrame) -> pd.DataFrame:
    """Add ``cutoff``: 0 on the run's flagged list, 1 just below it (as many), else -1."""
    k = rows.groupby("as_of_date")["flagged"].transform("sum").to_numpy()
    rank = rows["rank"].to_numpy()
    return rows.assign(cutoff=np.where(rank <= k, 0, np.where(rank <= 2 * k, 1, -1)))


def _runs_table(outcomes: pd.DataFrame, horizon_months: int) -> pd.DataFrame:
    summary = summarise_runs(outcomes).set_index("as_of_date")
    by_run = outcomes.groupby("as_of_date", sort=True)
    flagged_y = outcomes["entered_care"] & outcomes["flagged"]
    summary["entrants"] = by_run["entered_care"].sum().astype("int64")
    summary["entrants_flagged"] = flagged_y.groupby(outcomes["as_of_date"]).sum().astype("int64")
    summary["months_observed"] = by_run["months_observed"].first().astype("int64")
    summary["horizon_months"] = int(horizon_months)
    summary["complete"] = by_run["complete"].first().astype(bool)
    summary["not_in_data"] = (~outcomes["in_data"]).groupby(outcomes["as_of_date"]).sum()
    return summary.reset_index()[RUN_COLUMNS]


def realised_performance(
    data: object,
    history: pd.DataFrame,
    *,
    horizon_months: int = 12,
    groups: pd.DataFrame | None = None,
    promised: pd.DataFrame | None = None,
    min_group_size: int = 10,
    n_resamples: int = 500,
    confidence: float = 0.95,
    parity_range: tuple[float, float] = (0.8, 1.25),
    reference: Mapping[str, str] | None = None,
    random_state: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
) -> MonitoringResult:
    """Measure what every past list achieved, overall and by group, against the promise.

    For each run of the history, the care entries now known in ``data`` are joined to
    that run's children (:func:`~riskmodel.monitoring.realised_outcomes`) and the list
    is measured: precision and recall at capacity over the children the run actually
    flagged, ROC AUC, average precision and observed/expected
    (:mod:`riskmodel.metrics`), calibration in merged risk bands, entrants among the
    flagged beside those ranked just below, and the fairness audit's group metrics and
    disparities (:func:`riskmodel.fairness.audit_fairness` on the run's decisions).
    Intervals resample children. Complete runs are also pooled (one set of
    whole-list rows with a missing ``as_of_date``); partial runs never are.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables as known now.
    history : pandas.DataFrame
        From :func:`~riskmodel.monitoring.read_score_history`.
    horizon_months : int, default 12
        The model's horizon.
    groups : pandas.DataFrame, optional
        Protected attributes aligned with ``history`` (same index). By default
        :func:`riskmodel.frame.demographic_groups` of each run's children (sex,
        ethnic group, disability, deprivation, age band on the as-of date).
    promised : pandas.DataFrame, optional
        The backtest's promise, columns :data:`~riskmodel.monitoring.PROMISE_COLUMNS`
        (``model_version``, ``metric``, ``value``, ``lower``, ``upper``); a
        ``"capacity"`` metric row gives the backtest's capacity. Missing promises leave
        the promised columns blank.
    min_group_size : int, default 10
        Groups with fewer children are suppressed (as the audit suppresses them).
    n_resamples : int, default 500
        Bootstrap replicates behind every interval.
    confidence : float, default 0.95
        Coverage of the intervals.
    parity_range : tuple of float, default (0.8, 1.25)
        Ratios to the reference group inside this range are not disparities.
    reference : dict, optional
        Reference group per attribute (default: the largest group of each run).
    random_state : int, numpy.random.Generator or None, default None
        Seed of every bootstrap. Each run draws from its own stream spawned from it,
        so the result does not depend on ``n_jobs``.
    n_jobs : int or None, default None
        Runs measured in parallel by ``joblib`` (``None`` is one, ``-1`` every
        core). Each run's fairness audit is the bulk of the work.

    Returns
    -------
    MonitoringResult

    Raises
    ------
    SchemaError
        If the history lacks a column or is empty, ``groups`` is not aligned with it,
        ``promised`` is malformed, or a run's flags are not its top scores.

    Examples
    --------
    >>> result = realised_performance(data, read_score_history("out"))  # doctest: +SKIP
    >>> result.overall(complete_only=True)  # doctest: +SKIP
    """
    _check_history(history)
    promises = check_promised(promised)
    given = _aligned_groups(groups, history)
    outcomes = realised_outcomes(data, history, horizon_months=horizon_months)
    rng = np.random.default_rng(random_state)
    settings = {"n_resamples": n_resamples, "confidence": confidence, "random_state": rng}
    audit_settings = {
        "reference": reference,
        "min_group_size": min_group_size,
        "n_resamples": n_resamples,
        "confidence": confidence,
        "parity_range": parity_range,
    }
    realised, calibration, near = [], [], []
    ordered = _with_cutoff(outcomes.sort_values(["as_of_date", "rank"], kind="stable"))
    every_group = history_groups(data, ordered) if given is None else given.loc[ordered.index]
    by_run = [run for _, run in ordered.groupby("as_of_date", sort=True)]
    streams = rng.spawn(len(by_run))
    for tables in joblib.Parallel(n_jobs=n_jobs)(
        joblib.delayed(_run_tables)(
            run, every_group.loc[run.index], audit_settings, {**settings, "random_state": stream}
        )
        for run, stream in zip(by_run, streams, strict=True)
    ):
        realised.append(tables[0])
        calibration.append(tables[1])
        near.append(tables[2])
    complete = ordered[ordered["complete"]]
    if len(complete):
        pooled = _estimate(complete, True, settings)
        realised.append(_overall_rows(pooled, complete, pd.NaT, int(horizon_months)))
    runs = _runs_table(outcomes, horizon_months)
    table = join_promises(pd.concat(realised, ignore_index=True), promises)
    return MonitoringResult(
        realised=_typed(table, REALISED_COLUMNS),
        runs=runs,
        calibration=_typed(pd.concat(calibration, ignore_index=True), CALIBRATION_COLUMNS),
        near_cutoff=_typed(pd.concat(near, ignore_index=True), NEAR_CUTOFF_COLUMNS),
        horizon_months=int(horizon_months),
        end_date=pd.Timestamp(data.end_date),
        min_group_size=int(min_group_size),
        n_resamples=int(n_resamples),
        confidence=float(confidence),
        caveats=caveats(runs, promises, int(horizon_months), pooled=bool(len(complete))),
    )


_DTYPES = {
    "as_of_date": "datetime64[ns]",
    "attribute": "str",
    "group": "str",
    "metric": "str",
    "model_version": "str",
    "list": "str",
    "complete": "bool",
    "suppressed": "bool",
    "disparity": "bool",
    "outside_promise": "bool",
    "months_observed": "int64",
    "n": "int64",
    "band_from": "int64",
    "band_to": "int64",
    "rank_from": "int64",
    "rank_to": "int64",
    "entrants": "Int64",
    "reference": "object",
}


def _typed(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = table[columns].copy()
    for column in columns:
        out[column] = out[column].astype(_DTYPES.get(column, "float64"))
    return out.reset_index(drop=True)
