"""Score every child in the cohort at an as-of date: probability, band, rank, flag, reasons.

Every child in the input is accounted for: the scores file has one row per child in
the cohort, and the exclusions file one row per other child with the reason. The
function checks ``children in = scored + excluded`` before anything is written, and
publishes a run's files as one unit (see :mod:`riskmodel.scoring._outputs`): readers
never see the scores of one run beside the exclusions of another.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._warnings import warn_caller
from riskmodel.cohort import build_cohort
from riskmodel.features import build_features
from riskmodel.metrics import risk_bands
from riskmodel.scoring._drift import PSI_ALERT, FeatureProfile, population_stability
from riskmodel.scoring._features import align_features, model_spec, used_columns
from riskmodel.scoring._odd_data import warn_odd_data
from riskmodel.scoring._write import write_run

__all__ = ["DriftWarning", "ScoringResult", "score", "score_features"]

SCORE_COLUMNS = [
    "person_id",
    "as_of_date",
    "risk_score",
    "risk_band",
    "rank",
    "flagged",
    "reason_1",
    "reason_2",
    "reason_3",
    "model_name",
    "model_version",
]
CHANGE_COLUMNS = ["previous_band", "band_change", "new_to_list", "rising"]
EXCLUSION_COLUMNS = ["person_id", "as_of_date", "reason"]


class DriftWarning(UserWarning):
    """The population scored differs materially from the one the model was trained on."""


@dataclass(frozen=True)
class ScoringResult:
    """The outputs of :func:`score`.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per child in the cohort (see the scores-file contract), ranked.
    exclusions : pandas.DataFrame
        One row per other child in the input, with the reason.
    drift : pandas.DataFrame or None
        Per-feature population stability against the training profile.
    files : dict of str to pathlib.Path
        What was written, when ``out`` was given.
    notes : list of str
        What the run assumed or noticed (dropped or added feature columns, drift).
    """

    scores: pd.DataFrame
    exclusions: pd.DataFrame
    drift: pd.DataFrame | None = None
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Children in, scored, excluded and flagged."""
        return {
            "children_in": len(self.scores) + len(self.exclusions),
            "scored": len(self.scores),
            "excluded": len(self.exclusions),
            "flagged": int(self.scores["flagged"].sum()),
        }


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
    log_odds = None
    if tiebreak and hasattr(model, "predict_proba_and_log_odds"):
        proba, log_odds = model.predict_proba_and_log_odds(X)
        p = proba[:, 1]
    else:
        p = model.predict_proba(X)[:, 1]
        if tiebreak and hasattr(model, "decision_function"):
            log_odds = model.decision_function(X)
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


def _reasons(model: Any, X: pd.DataFrame, spec: Any, top: int) -> pd.DataFrame:
    from riskmodel.explain import explain, reason_codes

    codes = reason_codes(explain(model, X), spec, top=top)
    return codes[[f"reason_{i}" for i in range(1, top + 1)]].reset_index(drop=True)


def _check_drift(profile, X, notes) -> pd.DataFrame | None:
    """Drift of the features the model uses (``X`` holds only those)."""
    if profile is None:
        return None
    if isinstance(profile, dict):
        profile = FeatureProfile.from_dict(profile)
    used = set(X.columns)
    profile = FeatureProfile(
        {k: v for k, v in profile.edges.items() if k in used},
        {k: v for k, v in profile.shares.items() if k in used},
        {k: v for k, v in profile.missing.items() if k in used},
        profile.n_rows,
    )
    drift = population_stability(profile, X)
    alerts = drift[drift["status"] == "alert"]
    if len(alerts):
        message = (
            f"{len(alerts)} feature(s) drifted beyond PSI {PSI_ALERT} since training: "
            + ", ".join(f"{r.feature} ({r.psi:.2f})" for r in alerts.head(5).itertuples())
        )
        notes.append(message)
        warn_caller(message, DriftWarning)
    return drift


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
    out: str | os.PathLike[str] | None = None,
    csv: bool = False,
    reasons: int = 3,
    **cohort_kwargs: Any,
) -> ScoringResult:
    """Score the cohort at ``as_of`` and, when ``out`` is given, write the outputs.

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
    out : path-like, optional
        A directory for ``scores.parquet``, ``exclusions.parquet``, ``drift.parquet``
        (and ``.csv`` copies with ``csv=True``) and the score ``history/``; or the
        path of the scores file itself (``.parquet`` or ``.csv``), the other files
        then going beside it as ``<name>_exclusions`` and ``<name>_drift``. Each run
        adds each child's previous band, the change, ``new_to_list`` and ``rising``.
        The files of a run are published at once (links through one pointer to a
        complete run folder), so they always belong to one run; a second run on the
        same folder at the same time is refused.
    csv : bool, default False
        Also write CSV copies.
    reasons : int, default 3
        Reason codes per child (``reason_1`` ...), from SHAP values in plain English.
    **cohort_kwargs
        Passed to :func:`~riskmodel.cohort.build_cohort` (``min_age``, ...).

    Returns
    -------
    ScoringResult

    Raises
    ------
    SchemaError
        If the data are invalid, or another run is writing into ``out`` (the message
        names its pid and as-of date).
    ValueError
        If the specification cannot build every feature the model was trained on
        (the message names them).
    RuntimeError
        If children in differs from scored plus excluded (nothing is written).

    Warns
    -----
    DataQualityWarning
        When no event is recorded before ``as_of``, or the data hold no care episode:
        the scores then look normal but mean little (also put in ``notes``).
    """
    as_of = pd.Timestamp(as_of).normalize()
    data.validate()

    def compute() -> ScoringResult:
        return _score(
            data,
            model,
            as_of,
            capacity,
            spec,
            model_name,
            model_version,
            profile,
            reasons,
            cohort_kwargs,
        )

    if out is None:
        return compute()
    return write_run(Path(out), as_of, compute, csv=csv)


def _score(
    data, model, as_of, capacity, spec, model_name, model_version, profile, reasons, cohort_kwargs
) -> ScoringResult:
    """Score the cohort (validated data, normalised ``as_of``); nothing is written."""
    notes: list[str] = []
    warn_odd_data(data, as_of, notes)
    cohort = build_cohort(data, as_of, **cohort_kwargs)
    in_cohort = cohort[cohort["in_cohort"]]
    spec = model_spec(model, spec).resolve(data.events["event_type"].unique())
    X = build_features(data, spec=spec, keys=in_cohort[["person_id", "as_of_date"]])
    X = align_features(X, model, notes)
    ids = in_cohort["person_id"].astype("str").to_numpy()
    scores = score_features(model, X, ids, capacity).assign(as_of_date=as_of)
    if len(X):
        scores = pd.concat([scores, _reasons(model, X, spec, reasons)], axis=1)
    else:
        scores = scores.assign(**{f"reason_{i}": "" for i in range(1, reasons + 1)})
    scores = scores.assign(model_name=model_name, model_version=str(model_version))
    scores = (
        scores[
            SCORE_COLUMNS[:6] + [f"reason_{i}" for i in range(1, reasons + 1)] + SCORE_COLUMNS[-2:]
        ]
        .sort_values("rank")
        .reset_index(drop=True)
    )
    excluded = cohort.loc[~cohort["in_cohort"], EXCLUSION_COLUMNS].reset_index(drop=True)
    if len(scores) + len(excluded) != len(data.persons):
        raise RuntimeError(
            f"children in ({len(data.persons)}) != scored ({len(scores)}) + excluded "
            f"({len(excluded)}); nothing was written"
        )
    drift = _check_drift(profile, X[used_columns(model, X)], notes)
    return ScoringResult(scores, excluded, drift, {}, notes)
