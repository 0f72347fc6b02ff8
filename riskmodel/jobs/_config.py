"""Settings of the batch jobs, read from small YAML files or given directly."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from numbers import Real
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel.exceptions import SchemaError

__all__ = [
    "JobConfig",
    "choose_as_of_dates",
    "data_records_start",
    "load_config",
    "records_start",
    "records_start_of_months",
]


@dataclass(frozen=True)
class JobConfig:
    """Settings shared by ``train``, ``score``, ``review`` and ``monitor``.

    Every field has a default, so a YAML file needs to say only what differs.
    ``n_jobs`` is how many scoring runs ``monitor`` measures at once (joblib's
    convention: ``None`` one, ``-1`` every core). ``engine`` is where ``train``
    builds its features and ``score`` scores: ``"local"`` (pandas) or ``"spark"``
    (on ``spark_master``, by default ``local[*]``). ``negative_fraction`` below 1
    makes ``train`` keep every care entry and that share of the other child-dates
    (a hash draw, the same rows on either engine; drawn on Spark before the collect),
    weighted by its inverse in the backtest, the fit and the fairness audit, so a
    frame larger than memory can be trained on.
    Constructing one checks the values (whole numbers, known model and calibration,
    readable dates) and raises :class:`~riskmodel.exceptions.SchemaError` listing
    every value a job could not use.
    """

    data: str = "demo-output/data"
    out: str = "demo-output"
    horizon_months: int = 12
    model: str = "hgb"
    calibration: str = "temperature"
    capacity: int = 50
    as_of_dates: tuple[str, ...] | None = None
    history_months: int = 24
    n_splits: int = 3
    test_duration_months: int = 12
    register_as: str | None = "riskmodel"
    model_uri: str | None = None
    as_of: str | None = None
    tracking_uri: str | None = None
    n_resamples: int = 200
    n_jobs: int | None = None
    csv: bool = False
    random_state: int = 0
    engine: str = "local"
    spark_master: str = "local[*]"
    negative_fraction: float = 1.0

    def __post_init__(self) -> None:
        problems = _check_settings(self)
        if problems:
            raise SchemaError("job settings: " + "; ".join(problems))


ENGINES = ("local", "spark")
"""Where ``train`` and ``score`` compute: pandas on this machine, or Spark."""

_WHOLE_NUMBERS = {
    "horizon_months": 1,
    "capacity": 1,
    "history_months": 0,
    "n_splits": 1,
    "test_duration_months": 1,
    "n_resamples": 1,
    "random_state": 0,
}
"""Settings that must be whole numbers, with their smallest value."""


def _bad_date(value: Any) -> bool:
    try:
        return pd.isna(pd.Timestamp(value))
    except (TypeError, ValueError):
        return True


def _check_settings(config: JobConfig) -> list[str]:
    """Every setting whose value a job cannot use, as ``"name: expected, got value"``."""
    from riskmodel.models._classifier import CALIBRATIONS, ESTIMATORS

    problems = []
    for name, low in _WHOLE_NUMBERS.items():
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            problems.append(f"{name} must be a whole number of at least {low}, got {value!r}")
    n_jobs = config.n_jobs
    if n_jobs is not None and (
        isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0
    ):
        problems.append(
            f"n_jobs must be a whole number other than 0 (-1: every core), got {n_jobs!r}"
        )
    fraction = config.negative_fraction
    if isinstance(fraction, bool) or not isinstance(fraction, Real) or not 0 < fraction <= 1:
        problems.append(
            "negative_fraction must be a share in (0, 1] of the child-dates without a care "
            f"entry kept for training (1: all), got {fraction!r}"
        )
    if config.engine not in ENGINES:
        problems.append(f"engine must be one of {', '.join(ENGINES)}, got {config.engine!r}")
    if config.model not in ESTIMATORS:
        problems.append(f"model must be one of {', '.join(ESTIMATORS)}, got {config.model!r}")
    if config.calibration is not None and config.calibration not in CALIBRATIONS:
        problems.append(
            f"calibration must be one of {', '.join(CALIBRATIONS)}, got {config.calibration!r}"
        )
    bad = [d for d in config.as_of_dates or () if _bad_date(d)]
    if bad:
        problems.append(f"as_of_dates must be dates such as 2023-04-01, got {bad[:3]}")
    if config.as_of is not None and _bad_date(config.as_of):
        problems.append(f"as_of must be a date such as 2024-04-01, got {config.as_of!r}")
    return problems


def load_config(path: str | os.PathLike[str] | None = None, **overrides: Any) -> JobConfig:
    """Read a YAML config (keys as in :class:`JobConfig`) and apply overrides.

    Raises
    ------
    SchemaError
        For an unreadable file, an unknown key, or a value a job cannot use (a
        horizon that is not a whole number of months, an unknown model...), naming
        the file and the key.
    """
    import yaml

    values: dict[str, Any] = {}
    if path is not None:
        try:
            values = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SchemaError(f"{path}: not a readable YAML config ({exc})") from None
        if not isinstance(values, dict):
            raise SchemaError(
                f"{path}: a config holds settings as 'name: value' lines, "
                f"got a {type(values).__name__}"
            )
    known = {f.name for f in fields(JobConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise SchemaError(
            f"{path}: unknown setting(s) {', '.join(unknown)}; known: {sorted(known)}"
        )
    values.update({k: v for k, v in overrides.items() if v is not None})
    if values.get("as_of_dates") is not None:
        dates = values["as_of_dates"]
        dates = [dates] if isinstance(dates, str | int) else dates
        values["as_of_dates"] = tuple(str(d) for d in dates)
    try:
        return JobConfig(**values)
    except SchemaError as exc:
        where = f" (from {path} and the command line)" if path is not None else ""
        raise SchemaError(f"{exc}{where}") from None


def records_start(event_dates: pd.Series, *, share: float = 0.5) -> pd.Timestamp:
    """Return the first month from which an authority's event records are complete.

    Extracts often reach back before their case-management system: plans open at
    migration carry their old start dates, and SSDA903 episodes go back to a child's
    first care. Features computed before records are complete see too little history
    (no contacts "ever", no school absence), so training on those dates teaches the
    model a world that scoring never meets. Records are taken to start in the first
    month whose number of events reaches ``share`` of the median over the months that
    have any (so a long empty gap after a few stray records does not lower the bar).

    Parameters
    ----------
    event_dates : pandas.Series
        The ``event_date`` column of the events table.
    share : float, default 0.5
        Fraction of the median monthly volume that counts as complete.

    Returns
    -------
    pandas.Timestamp
        The first day of that month.

    Raises
    ------
    SchemaError
        If there are no dated events.
    """
    months = pd.to_datetime(event_dates).dropna().dt.to_period("M")
    return records_start_of_months(months.value_counts(), share=share)


def data_records_start(data: Any) -> pd.Timestamp:
    """Return :func:`records_start` of ``data``'s events (counted on Spark for SparkData)."""
    from riskmodel.spark import SparkData

    if isinstance(data, SparkData):
        return records_start_of_months(data.event_months())
    return records_start(data.events["event_date"])


def records_start_of_months(counts: pd.Series, *, share: float = 0.5) -> pd.Timestamp:
    """Return :func:`records_start` from the number of events in each month.

    ``counts`` is indexed by month (``pandas.Period``), one entry per month holding
    any event (as the Spark engine counts them); the rule is :func:`records_start`'s.
    """
    if counts.empty:
        raise SchemaError(
            "events: no dated events, so no as-of dates can be chosen; give as_of_dates "
            "in the job settings to train on persons and care episodes alone"
        )
    counts = counts.sort_index()  # months with at least one event
    full = counts >= share * counts.median()
    return counts.index[full.to_numpy().argmax()].to_timestamp()


def choose_as_of_dates(
    end: pd.Timestamp, start: pd.Timestamp, *, horizon_months: int, history_months: int
) -> pd.DatetimeIndex:
    """Quarterly as-of dates from ``history_months`` after ``start`` to the last labelled one.

    ``start`` is when records become complete (see :func:`records_start`).

    The last date leaves a whole horizon before ``end`` (so every row is labelled);
    the first leaves ``history_months`` of history for the features.

    Raises
    ------
    SchemaError
        When the data span too short a period.
    """
    first = (start + pd.DateOffset(months=history_months)).to_period("Q").to_timestamp()
    if first < start + pd.DateOffset(months=history_months):
        first += pd.DateOffset(months=3)
    last = end - pd.DateOffset(months=horizon_months)
    dates = pd.date_range(first, last, freq="QS")
    if len(dates) < 2:
        raise SchemaError(
            f"the data run from {start.date()} to {end.date()}: too short for "
            f"{history_months} months of history and a {horizon_months}-month horizon"
        )
    return dates
