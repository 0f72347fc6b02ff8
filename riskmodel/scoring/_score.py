"""Score every child in the cohort at an as-of date: probability, band, rank, flag, reasons.

Every child in the input is accounted for: the scores table has one row per child in
the cohort, and the exclusions table one row per other child with the reason.
:func:`score` checks ``children in = scored + excluded`` and only reads: writing the
run's files is :func:`~riskmodel.scoring.write_scores` (see
:mod:`riskmodel.scoring._write`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.cohort import build_cohort
from riskmodel.features import build_features
from riskmodel.metrics import risk_bands
from riskmodel.scoring._drift import FeatureProfile, check_drift
from riskmodel.scoring._features import (
    align_features,
    model_spec,
    used_columns,
    with_calibration_groups,
)
from riskmodel.scoring._history import compare_with_history
from riskmodel.scoring._odd_data import warn_odd_data
from riskmodel.scoring._pooled import score_by_authority
from riskmodel.scoring._result import EXCLUSION_COLUMNS, SCORE_COLUMNS, ScoringResult
from riskmodel.scoring._unexplained import warn_unexplained
from riskmodel.scoring._write import history_folder, write_scores

__all__ = ["score", "score_features"]


def _rank(person_ids: np.ndarray, p: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Rank 1 = highest risk; ties broken by ``tiebreak`` (higher first), then person id.

    Isotonic calibration is a step function, so many children share a calibrated
    score; the base model's log-odds (calibration is monotone in them) still orders
    them. The person id makes reruns identical whatever is left tied.
    """
    keys = (person_ids, -p) if tiebreak is None else (person_ids, -tiebreak, -p)
    order = np.lexsort(keys)
    rank = np.empty(len(p), dtype=np.int64)
    rank[order] = np.arange(1, len(p) + 1)
    return rank


def probabilities(
    model: Any, X: pd.DataFrame, *, tiebreak: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return each row's calibrated probability and, for tie-breaking, its log-odds.

    A :class:`~riskmodel.RiskClassifier` gives both from one pass of its base model;
    another estimator pays a second pass for ``decision_function`` (None without one,
    or with ``tiebreak=False``).
    """
    log_odds = None
    if tiebreak and hasattr(model, "predict_proba_and_log_odds"):
        proba, log_odds = model.predict_proba_and_log_odds(X)
        return proba[:, 1], log_odds
    p = model.predict_proba(X)[:, 1]
    if tiebreak and hasattr(model, "decision_function"):
        log_odds = model.decision_function(X)
    return p, log_odds


def score_features(
    model: Any, X: pd.DataFrame, person_ids: Any, capacity: int, *, tiebreak: bool = True
) -> pd.DataFrame:
    """Score a ready feature frame: probability, band, rank and flag per child.

    Parameters
    ----------
    model : fitted estimator
        With ``predict_proba`` (and ``decision_function`` for tie-breaking).
    X : pandas.DataFrame
        Features in the model's columns, one row per child.
    person_ids : array-like of str
        One id per row.
    capacity : int
        The top ``capacity`` ranks are flagged.
    tiebreak : bool, default True
        Order children who share a calibrated score (isotonic steps) by the base
        model's log-odds. A :class:`~riskmodel.RiskClassifier` gives both from one pass of its
        base model; other estimators pay a second pass for ``decision_function``.

    Returns
    -------
    pandas.DataFrame
        ``person_id``, ``risk_score``, ``risk_band`` (1-20), ``rank`` and ``flagged``,
        in the order of ``X``.
    """
    ids = np.asarray(person_ids).astype(str)
    if not len(X):
        return pd.DataFrame(
            {
                "person_id": ids,
                "risk_score": np.array([], dtype=float),
                "risk_band": np.array([], dtype=int),
                "rank": np.array([], dtype=np.int64),
                "flagged": False,
            }
        )
    p, log_odds = probabilities(model, X, tiebreak=tiebreak)
    rank = _rank(ids, p, log_odds)
    return pd.DataFrame(
        {
            "person_id": ids,
            "risk_score": p,
            "risk_band": risk_bands(p),
            "rank": rank,
            "flagged": rank <= capacity,
        }
    )


def reasons_table(model: Any, X: pd.DataFrame, spec: Any, top: int) -> pd.DataFrame:
    """Return ``reason_1`` ... ``reason_<top>`` of each row of ``X``, from SHAP values."""
    from riskmodel.explain import explain, reason_codes

    codes = reason_codes(explain(model, X), spec, top=top)
    return codes[[f"reason_{i}" for i in range(1, top + 1)]].reset_index(drop=True)


def score(
    data: Any,
    model: Any,
    as_of: str | pd.Timestamp,
    *,
    capacity: int = 50,
    spec: Any = None,
    model_name: str = "unregistered",
    model_version: str = "0",
    profile: FeatureProfile | dict | None = None,
    history: str | os.PathLike[str] | None = None,
    reasons: int = 3,
    out: str | os.PathLike[str] | None = None,
    csv: bool = False,
    team_list: bool = True,
    **cohort_kwargs: Any,
) -> ScoringResult:
    """Score the cohort at ``as_of``: the same table whether or not it is written.

    Parameters
    ----------
    data : LocalAuthorityData
        Validated first; a problem raises :class:`~riskmodel.exceptions.SchemaError`.
    model : fitted estimator
        A fitted :class:`~riskmodel.RiskClassifier` (e.g. ``load_model(...).model``).
    as_of : date-like
        The as-of date: only what was known before it is used.
    capacity : int, default 50
        How many children the service can support: the top ``capacity`` are flagged.
    spec : FeatureSpec, optional
        The specification the model was trained on. By default the one the model
        carries (``model.feature_spec_``, stored by ``fit(..., feature_spec=...)``),
        else :func:`~riskmodel.features.default_spec`.
    model_name, model_version : str
        Written into every row.
    profile : FeatureProfile or dict, optional
        The training profile; when given, drift is measured and warned about, for
        the features the model uses (``model.features_used_``) only.
    history : path-like, optional
        A score history folder (``<out>/history``), only read: each child's
        previous band, the change, ``new_to_list`` and ``rising`` are measured
        against its latest run before ``as_of``. Without one (and without ``out``)
        the change columns are still there: ``previous_band`` and ``band_change``
        missing, ``rising`` False and ``new_to_list`` equal to ``flagged``.
    reasons : int, default 3
        Reason codes per child (``reason_1`` ...), from SHAP values in plain English.
    out : path-like, optional
        A shorthand for scoring against the history of ``out`` (unless ``history``
        is given) and then :func:`~riskmodel.scoring.write_scores` into ``out``.
    csv : bool, default False
        With ``out``: also write CSV copies.
    team_list : bool, default True
        With ``out``: also write the list a team opens (``list.html``, ``list.xlsx``).
    **cohort_kwargs
        Passed to :func:`~riskmodel.cohort.build_cohort` (``min_age``, ...).

    Returns
    -------
    ScoringResult
        ``scores`` has the contract's columns, then the change columns, in rank order.

    Raises
    ------
    SchemaError
        If the data are invalid; with ``out``, as :func:`~riskmodel.scoring.write_scores`.
    ValueError
        If the specification cannot build every feature the model was trained on
        (the message names them).
    RuntimeError
        If children in differs from scored plus excluded (nothing is written).

    Warns
    -----
    DataQualityWarning
        When no event is recorded before ``as_of``, or the data hold no care episode:
        the scores then look normal but mean little (also put in ``notes``); and when
        a flagged child has no reason, raised only by characteristics never given as
        reasons, such as age (the count is noted).
    DriftWarning
        When a used feature drifted beyond the alert level since training.

    See Also
    --------
    write_scores : Publish a result's files into an output folder.
    """
    as_of = pd.Timestamp(as_of).normalize()
    data.validate()
    if data.is_pooled:
        settings = {"capacity": capacity, "spec": spec, "model_name": model_name}
        settings |= {"model_version": model_version, "profile": profile, "reasons": reasons}
        settings |= {"csv": csv, "team_list": team_list, **cohort_kwargs}
        return score_by_authority(score, data, model, as_of, history, out, **settings)
    if history is None and out is not None:
        history = history_folder(Path(out))
    notes: list[str] = []
    warn_odd_data(data, as_of, notes)
    cohort = build_cohort(data, as_of, **cohort_kwargs)
    in_cohort = cohort[cohort["in_cohort"]]
    spec = model_spec(model, spec).resolve(data.events["event_type"].unique())
    X = build_features(data, spec=spec, keys=in_cohort[["person_id", "as_of_date"]])
    X = align_features(X, model, notes)
    X = with_calibration_groups(X, model, next(iter(data.authorities), None))
    ids = in_cohort["person_id"].astype("str").to_numpy()
    scores = _scores_table(model, X, ids, spec, as_of, capacity, reasons)
    warn_unexplained(scores, notes)
    scores = scores.assign(model_name=model_name, model_version=str(model_version))
    scores, previous = compare_with_history(scores, history, as_of)
    excluded = cohort.loc[~cohort["in_cohort"], EXCLUSION_COLUMNS].reset_index(drop=True)
    if len(scores) + len(excluded) != len(data.persons):
        raise RuntimeError(
            f"children in ({len(data.persons)}) != scored ({len(scores)}) + excluded "
            f"({len(excluded)}); nothing was written"
        )
    drift = check_drift(profile, X[used_columns(model, X)], notes)
    result = ScoringResult(scores, excluded, as_of, drift, previous, notes)
    return result if out is None else write_scores(result, out, csv=csv, team_list=team_list)


def _scores_table(model, X, ids, spec, as_of, capacity, reasons) -> pd.DataFrame:
    """Return the contract's columns up to the reasons, in rank order."""
    scores = score_features(model, X, ids, capacity).assign(as_of_date=as_of)
    reason_columns = [f"reason_{i}" for i in range(1, reasons + 1)]
    if len(X):
        scores = pd.concat([scores, reasons_table(model, X, spec, reasons)], axis=1)
    else:
        scores = scores.assign(**dict.fromkeys(reason_columns, ""))
    return scores[SCORE_COLUMNS[:6] + reason_columns].sort_values("rank").reset_index(drop=True)
