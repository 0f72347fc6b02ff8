"""Batch scoring on Spark: each shard scored by the local functions, ranks on Spark.

Each shard of households (the shards of :func:`~riskmodel.spark.build_training_frame_spark`)
goes through the same steps as :func:`~riskmodel.scoring.score`: the cohort, the
features, the calibrated probability and log-odds, and the reasons. What depends on
the whole scored population (the rank, the flag and the band) is computed on Spark
with windows over each authority, so every number equals the local one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from riskmodel.cohort import build_cohort
from riskmodel.features import FeatureSpec, build_features
from riskmodel.frame._shards import DEFAULT_SHARD_SIZE
from riskmodel.scoring._drift import FeatureProfile, used_profile
from riskmodel.scoring._features import (
    align_features,
    model_spec,
    used_columns,
    with_calibration_groups,
)
from riskmodel.scoring._history import PreviousRun
from riskmodel.scoring._result import EXCLUSION_COLUMNS
from riskmodel.scoring._score import probabilities, reasons_table
from riskmodel.scoring._unexplained import note_unexplained
from riskmodel.spark._drift import BINS, drift_spark, shard_bins
from riskmodel.spark._frame import SHARD, end_date, long_table
from riskmodel.spark._history import add_changes_spark
from riskmodel.spark._model import ShippedModel, ship_model
from riskmodel.spark._tables import local_data

__all__ = ["SparkScores", "authority_codes", "check_children", "score_spark"]

N_BANDS = 20
_IN_COHORT = "_in_cohort"
_LOG_ODDS = "_log_odds"


@dataclass(frozen=True)
class SparkScores:
    """What :func:`score_spark` computes: two Spark DataFrames and the counts.

    Attributes
    ----------
    scores : pyspark.sql.DataFrame
        One row per child in the cohort: ``authority``, then the scores-file
        contract's columns (``person_id``, ``as_of_date``, ``risk_score``,
        ``risk_band``, ``rank``, ``flagged``, ``reason_1`` ..., ``model_name``,
        ``model_version``). Not sorted: order by ``authority`` and ``rank`` to list.
    excluded : pyspark.sql.DataFrame
        One row per other child in the input: ``authority``, ``person_id``,
        ``as_of_date`` and ``reason``.
    counts : dict of str to int
        ``children_in``, ``scored``, ``excluded`` and ``flagged``, counted on Spark.
    as_of : pandas.Timestamp
        The as-of date scored.
    authorities : list of str or None
        The authorities scored, in code order (``[None]`` for data naming none).
    drift : pandas.DataFrame or None
        ``authority``, then the local drift table's columns, per authority; None
        without a profile.
    previous_runs : dict
        Per authority, the history run the change columns were measured against
        (:class:`~riskmodel.scoring.PreviousRun`, or None).
    notes : list of str
        The drift alerts (``authority CODE:`` first on pooled data).
    """

    scores: Any
    excluded: Any
    counts: dict[str, int]
    as_of: pd.Timestamp | None = None
    authorities: list[str | None] = field(default_factory=lambda: [None])
    drift: pd.DataFrame | None = None
    previous_runs: dict[str | None, PreviousRun | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def pooled(self) -> bool:
        """Whether more than one authority was scored (each then has its own folders)."""
        return len(self.authorities) > 1


def score_spark(
    persons: Any,
    events: Any,
    care_episodes: Any,
    model: Any,
    as_of: str | pd.Timestamp,
    *,
    capacity: int = 50,
    reasons: int = 3,
    spec: FeatureSpec | None = None,
    model_name: str | None = None,
    model_version: str | None = None,
    extract_date: Any = None,
    population: str = "all",
    shard_size: int = DEFAULT_SHARD_SIZE,
    history: str | os.PathLike[str] | Mapping[str | None, Any] | None = None,
    profile: FeatureProfile | dict | None = None,
    **cohort_kwargs: Any,
) -> SparkScores:
    """Score the cohort at ``as_of`` on Spark, equal row for row to the local scores.

    Each shard (whole households of one authority) is handed to the local functions
    through ``groupBy("authority", shard).applyInPandas``: the cohort, the features
    (the specification resolved once, on the driver, from the data's event types),
    the calibrated probability, the base model's log-odds and the reasons. Then, on
    Spark, within each authority: ``rank`` by ``risk_score`` descending, log-odds
    descending, ``person_id`` ascending (as :func:`~riskmodel.scoring.score_features`);
    ``flagged`` is ``rank <= capacity``; ``risk_band`` is
    :func:`~riskmodel.metrics.risk_bands` of the authority's scores (mid-ranks from
    window counts, exact integer arithmetic). One authority is the whole data.

    The model is serialised once on the driver with skops (its types checked against
    :data:`~riskmodel.tracking.TRUSTED_TYPES`), sent to the executors as a broadcast
    variable and rebuilt at most once per Python worker process (a cache keyed by
    the bytes' SHA-256; Spark reuses its Python workers between tasks). A model URI is
    loaded on the driver with :func:`~riskmodel.tracking.load_model` (hash and
    allow-list checked), so the executors need no access to MLflow.

    The change columns (``previous_band``, ``band_change``, ``new_to_list``,
    ``rising``) are measured against each authority's latest run before ``as_of``
    in ``history``, joined on Spark (``add_changes_spark`` in ``riskmodel/spark/_history.py``).
    With a ``profile``, each shard bins its children's used features and Spark counts
    the bins, for the local drift formula on the driver (``riskmodel/spark/_drift.py``).
    Out of scope here: the data-quality notes and the feature-alignment notes of the
    local scores, and writing (see :func:`~riskmodel.spark.write_scores_spark`). The
    tables are not validated here (validate them first, e.g. ``read_data``).

    Parameters
    ----------
    persons, events, care_episodes : pyspark.sql.DataFrame
        The canonical tables (see :func:`~riskmodel.spark.spark_tables`).
    model : RiskClassifier or str
        A fitted model, or a model URI such as ``models:/NAME@champion``.
    as_of : date-like
        The as-of date.
    capacity : int, default 50
        The top ``capacity`` ranks of each authority are flagged.
    reasons : int, default 3
        Reason codes per child.
    spec : FeatureSpec, optional
        As for :func:`~riskmodel.scoring.score` (by default the model's own).
    model_name, model_version : str, optional
        Written into every row; by default the registered name and version of a
        model URI, else ``"unregistered"`` and ``"0"``.
    extract_date : date-like, optional
        The data's extract date; by default the latest date in the tables.
    population : {"all", "returns"}, default "all"
        Who ``persons`` holds.
    shard_size : int, default 20,000
        About how many children a shard holds.
    history : path-like or mapping, optional
        A score history folder, only read, as for :func:`~riskmodel.scoring.score`
        (on pooled data, the folder holding each authority's ``authority=CODE``
        history), or each authority's history folder by code (``None`` for data
        naming no authority), as :func:`~riskmodel.spark.history_folders` gives.
    profile : FeatureProfile or dict, optional
        The training profile; when given, drift of the used features is measured
        per authority (and warned about).
    **cohort_kwargs
        Passed to :func:`~riskmodel.cohort.build_cohort` (``min_age``, ...).

    Returns
    -------
    SparkScores

    Raises
    ------
    RuntimeError
        If children in differs from scored plus excluded (see :func:`check_children`).

    Warns
    -----
    DriftWarning
        When a used feature of an authority drifted beyond the alert level.
    DataQualityWarning
        When a flagged child of an authority has no reason (as the local scores warn:
        raised only by characteristics never given as reasons, such as age).

    Notes
    -----
    Reasons of a linear (logistic) model are SHAP values measured from the mean of
    the explained rows, which here are the shard's, not the whole cohort's: they can
    differ from the local reasons. Gradient boosting (the default) is explained row
    by row and gives the same reasons.
    """
    from pyspark.sql import functions as F

    as_of = pd.Timestamp(as_of).normalize()
    shipped = ship_model(persons.sparkSession, model)
    name = model_name or shipped.name or "unregistered"
    version = str(model_version or shipped.version or "0")
    types = [r[0] for r in events.select("event_type").distinct().collect() if r[0] is not None]
    resolved = model_spec(shipped.model, spec).resolve(types)
    end = end_date(events, care_episodes) if extract_date is None else pd.Timestamp(extract_date)
    used = _used_profile(shipped.model, profile)
    scorer = _shard_scorer(
        shipped=shipped.for_workers(),
        as_of=as_of,
        spec=resolved.to_dict(),
        top=reasons,
        options={"extract_date": end, "population": population},
        profile=used,
        cohort_kwargs=cohort_kwargs,
    )
    long = long_table(persons, events, care_episodes, shard_size)
    rows = long.groupBy("authority", SHARD).applyInPandas(scorer, schema=_schema(reasons, used))
    rows = rows.persist()
    scored, excluded = _split(rows)
    codes = authority_codes(persons)
    pooled = len(codes) > 1
    notes: list[str] = []
    drift = None if used is None else drift_spark(scored, used, codes, notes, pooled=pooled)
    tail = [F.lit(name).alias("model_name"), F.lit(version).alias("model_version")]
    scores = rank_and_band(scored, capacity).select("authority", *_contract(reasons, *tail))
    scores, runs = add_changes_spark(scores, history, as_of, codes, pooled=pooled)
    counts = check_children(persons, scores, excluded)
    counts["flagged"] = _note_unexplained(scores, notes, pooled=pooled)
    return SparkScores(scores, excluded, counts, as_of, codes, drift, runs, notes)


def authority_codes(persons: Any) -> list[str | None]:
    """Return the authorities of ``persons`` in code order (``[None]`` when none is named)."""
    found = persons.select("authority").distinct().collect()
    codes = sorted(str(r[0]) for r in found if r[0] is not None)
    return codes or [None]


def _note_unexplained(scores: Any, notes: list[str], *, pooled: bool) -> int:
    """Note each authority's flagged children without a reason; return how many are flagged."""
    from pyspark.sql import functions as F

    reason = F.col("reason_1")
    missing = (reason.isNull() | (F.trim(reason) == "")).cast("int")
    flagged = scores.filter(F.col("flagged")).groupBy("authority")
    rows = flagged.agg(F.count("*").alias("n"), F.sum(missing).alias("missing")).collect()
    for row in sorted(rows, key=lambda r: str(r["authority"])):
        prefix = f"authority {row['authority']}: " if pooled else ""
        note_unexplained(int(row["missing"] or 0), int(row["n"]), notes, prefix)
    return sum(int(row["n"]) for row in rows)


def _used_profile(model: Any, profile: FeatureProfile | dict | None) -> FeatureProfile | None:
    """Return the profile of the features the model uses (its aligned frame's columns)."""
    if profile is None:
        return None
    columns = pd.DataFrame(columns=[str(c) for c in getattr(model, "feature_names_in_", [])])
    return used_profile(profile, used_columns(model, columns))


def _contract(reasons: int, *tail: Any) -> list[Any]:
    head = ["person_id", "as_of_date", "risk_score", "risk_band", "rank", "flagged"]
    return [*head, *(f"reason_{i}" for i in range(1, reasons + 1)), *tail]


def _split(rows: Any) -> tuple[Any, Any]:
    """Return the scored rows and the exclusions (``authority`` + the exclusion columns)."""
    from pyspark.sql import functions as F

    excluded = rows.filter(~F.col(_IN_COHORT)).select("authority", *EXCLUSION_COLUMNS)
    return rows.filter(F.col(_IN_COHORT)).drop(_IN_COHORT, "reason"), excluded


def rank_and_band(scored: Any, capacity: int, n_bands: int = N_BANDS) -> Any:
    """Add ``rank``, ``flagged`` and ``risk_band`` within each authority, on Spark.

    ``rank`` orders by ``risk_score`` descending, then the log-odds column descending,
    then ``person_id``; ``risk_band`` is ``ceil(n_bands * mid_rank / n)`` with the
    mid-rank of tied scores, as :func:`~riskmodel.metrics.risk_bands`, in integers:
    ``twice_mid_rank = 2 * below + tied + 1``.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    authority = Window.partitionBy("authority")
    order = [F.desc("risk_score"), F.desc_nulls_last(_LOG_ODDS), F.asc("person_id")]
    twice = 2 * (F.rank().over(authority.orderBy("risk_score")) - 1) + F.count(F.lit(1)).over(
        Window.partitionBy("authority", "risk_score")
    )
    twice_n = 2 * F.count(F.lit(1)).over(authority)
    band = F.expr(f"({int(n_bands)} * _twice + _twice_n - 1) div _twice_n")
    return (
        scored.withColumn("_twice_n", twice_n)
        .withColumn("_twice", twice + 1)
        .withColumn("risk_band", band.cast("bigint"))
        .withColumn("rank", F.row_number().over(authority.orderBy(*order)).cast("bigint"))
        .withColumn("flagged", F.col("rank") <= F.lit(int(capacity)))
        .drop("_twice", "_twice_n", _LOG_ODDS)
    )


def check_children(persons: Any, scores: Any, excluded: Any) -> dict[str, int]:
    """Check children in = scored + excluded, counted on Spark.

    Returns
    -------
    dict of str to int
        ``children_in``, ``scored`` and ``excluded``.

    Raises
    ------
    RuntimeError
        Naming the three numbers, when they do not add up.
    """
    counts = {
        "children_in": persons.count(),
        "scored": scores.count(),
        "excluded": excluded.count(),
    }
    if counts["scored"] + counts["excluded"] != counts["children_in"]:
        raise RuntimeError(
            f"children in ({counts['children_in']}) != scored ({counts['scored']}) + "
            f"excluded ({counts['excluded']})"
        )
    return counts


def _schema(reasons: int, profile: FeatureProfile | None) -> str:
    fields = [
        "authority string",
        "person_id string",
        "as_of_date timestamp",
        f"{_IN_COHORT} boolean",
        "reason string",
        "risk_score double",
        f"{_LOG_ODDS} double",
    ]
    fields += [f"reason_{i} string" for i in range(1, reasons + 1)]
    return ", ".join(fields + ([] if profile is None else [f"{BINS} array<int>"]))


def _shard_scorer(**settings: Any) -> Any:
    """Return the function applyInPandas calls on each shard (a plain, hinted function)."""

    def score(rows: pd.DataFrame) -> pd.DataFrame:
        return _score_shard(rows, **settings)

    return score


def _score_shard(
    rows: pd.DataFrame,
    *,
    shipped: ShippedModel,
    as_of: pd.Timestamp,
    spec: dict,
    top: int,
    options: dict,
    profile: FeatureProfile | None,
    cohort_kwargs: dict,
) -> pd.DataFrame:
    """Score one shard with the local functions: every child in it, scored or excluded."""
    model = shipped.load()
    resolved = FeatureSpec.from_dict(spec)
    data = local_data(rows, **options)
    code = data.authorities[0] if data.authorities else None
    cohort = build_cohort(data, as_of, **cohort_kwargs).reset_index(drop=True)
    inside = cohort[cohort["in_cohort"]]
    out = cohort[["person_id", "as_of_date", "in_cohort", "reason"]].rename(
        columns={"in_cohort": _IN_COHORT}
    )
    out = out.assign(authority=code, risk_score=float("nan"), **{_LOG_ODDS: float("nan")})
    for i in range(1, top + 1):
        out[f"reason_{i}"] = None
    if profile is not None:
        out[BINS] = [[] for _ in range(len(out))]
    if len(inside):
        X = build_features(data, spec=resolved, keys=inside[["person_id", "as_of_date"]])
        X = with_calibration_groups(align_features(X, model, []), model, code)
        p, log_odds = probabilities(model, X)
        where = out.index[out[_IN_COHORT].to_numpy()]
        out.loc[where, "risk_score"] = p
        out.loc[where, _LOG_ODDS] = float("nan") if log_odds is None else log_odds
        codes = reasons_table(model, X, resolved, top)
        for column in codes:
            out.loc[where, column] = codes[column].to_numpy()
        if profile is not None:
            out[BINS] = _bins_of(out[BINS], where, shard_bins(profile, X))
    out["reason"] = out["reason"].where(~out[_IN_COHORT], None)
    return out.astype({"person_id": "str"})


def _bins_of(column: pd.Series, where: pd.Index, bins: list[list[int]]) -> pd.Series:
    """Put each scored row's bins into the shard's column (excluded rows keep none)."""
    values = column.tolist()
    for position, row_bins in zip(column.index.get_indexer(where), bins, strict=True):
        values[position] = row_bins
    return pd.Series(values, index=column.index)
