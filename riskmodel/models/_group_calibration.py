"""Calibration within groups: one shift of the log-odds per authority, on top of the shared map.

Rates of children looked after per 10,000 differ several-fold between English
authorities. A model pooled across them ranks children by what their records share,
but its probabilities sit at the pooled rate. ``RiskClassifier(calibrate_within=
"authority")`` keeps the pooled calibration map and adds, for each authority, one
offset ``b`` on the log-odds scale, fitted on that authority's calibration rows:

    p = sigmoid(logit(p_pooled) + b_authority)

Each offset maximises the (weighted) log-likelihood of the authority's outcomes with a
normal prior of mean 0 and standard deviation :data:`PRIOR_SD` on ``b``, so an
authority with few care entries is pulled towards the pooled calibration rather than
fitted to noise, and an authority with none gets a finite shift. An authority not seen
in fitting (a new member of the collaborative) keeps the pooled probabilities. One
offset moves calibration-in-the-large only: the ranking within an authority is the
pooled model's.

The calibration rows are the latest training dates, so a small authority may have
only a few care entries among them, and the prior then decides much of its shift. On
two synthetic authorities of 20,000 children (one recording a third of the other's
care entries), fitted on the dates up to 2019-04 and measured on the twelve
quarterly dates after: the larger authority's observed/expected went from 1.80
(shared calibration) to 1.06, while the smaller, with 2 care entries among its
calibration rows, went from 0.37 to 1.92 (overshooting). Fitting therefore warns
(:func:`warn_few_care_entries`) when an authority has fewer than
:data:`MIN_GROUP_CARE_ENTRIES` care entries among its calibration rows.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from riskmodel.exceptions import DataQualityWarning
from riskmodel.models._probabilities import EPS

__all__ = [
    "MIN_GROUP_CARE_ENTRIES",
    "PRIOR_SD",
    "apply_group_offsets",
    "apply_within",
    "check_calibrate_within",
    "fit_group_offsets",
    "fit_within",
    "group_values",
    "warn_few_care_entries",
]

PRIOR_SD = 1.0
"""Prior standard deviation of an authority's log-odds shift (a factor of about e)."""
MIN_GROUP_CARE_ENTRIES = 10
"""Fewer care entries than this among a group's calibration rows make its shift uncertain."""
_ITERATIONS = 50


def check_calibrate_within(calibrate_within: Any, calibration: Any) -> None:
    """Raise a ValueError unless ``calibrate_within`` is None or a name beside a calibration."""
    if calibrate_within is None:
        return
    if not isinstance(calibrate_within, str) or not calibrate_within:
        raise ValueError(
            f"calibrate_within must be None or the name of an index level such as "
            f"'authority'; got {calibrate_within!r}"
        )
    if calibration is None:
        raise ValueError(
            f"calibrate_within={calibrate_within!r} shifts a calibration map: it needs "
            "calibration, not None"
        )


def group_values(X: Any, level: str) -> np.ndarray:
    """Return each row's group, from the index level or column ``level`` of ``X``.

    Raises
    ------
    ValueError
        If ``X`` has neither (a pooled training frame's ``X`` is indexed by authority).
    """
    if isinstance(X, pd.DataFrame | pd.Series):
        if level in (X.index.names or []):
            return X.index.get_level_values(level).astype("str").to_numpy()
        if isinstance(X, pd.DataFrame) and level in X.columns:
            return X[level].astype("str").to_numpy()
    raise ValueError(
        f"calibrate_within={level!r} needs X with a {level!r} index level or column "
        "(as the X of a pooled training frame has); got "
        f"{type(X).__name__} without one"
    )


def _offset(z: np.ndarray, y: np.ndarray, w: np.ndarray, prior_sd: float) -> float:
    """Penalised maximum-likelihood shift of log-odds ``z`` for outcomes ``y`` (Newton)."""
    b = 0.0
    for _ in range(_ITERATIONS):
        p = expit(z + b)
        gradient = np.sum(w * (y - p)) - b / prior_sd**2
        curvature = np.sum(w * p * (1.0 - p)) + 1.0 / prior_sd**2
        step = gradient / curvature
        b += step
        if abs(step) < 1e-10:
            break
    return float(b)


def fit_group_offsets(
    risk: np.ndarray,
    positive: np.ndarray,
    groups: np.ndarray,
    sample_weight: np.ndarray | None = None,
    *,
    prior_sd: float = PRIOR_SD,
) -> dict[str, float]:
    """Fit one log-odds shift per group on top of the pooled probabilities ``risk``.

    Parameters
    ----------
    risk : ndarray of shape (n_samples,)
        The pooled calibrated probabilities of the calibration rows.
    positive : ndarray of bool
        Their outcomes.
    groups : ndarray of str
        Their groups (authority codes).
    sample_weight : ndarray, optional
        Row weights (a sampled frame's inverse sampling fractions).
    prior_sd : float, default PRIOR_SD
        Standard deviation of the normal prior on each shift.

    Returns
    -------
    dict of str to float
        The shift of each group seen.
    """
    z = logit(np.clip(risk, EPS, 1.0 - EPS))
    y = np.asarray(positive, dtype=float)
    w = np.ones_like(z) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    return {
        str(g): _offset(z[groups == g], y[groups == g], w[groups == g], prior_sd)
        for g in pd.unique(groups)
    }


def apply_group_offsets(
    risk: np.ndarray, groups: np.ndarray, offsets: dict[str, float]
) -> np.ndarray:
    """Shift each row's log-odds by its group's offset (0 for a group not fitted)."""
    shift = pd.Series(groups).map(offsets).fillna(0.0).to_numpy(dtype=float)
    z = logit(np.clip(risk, EPS, 1.0 - EPS))
    return expit(z + shift)


def fit_within(
    risk: np.ndarray, positive: np.ndarray, X: Any, level: str, sample_weight: np.ndarray | None
) -> dict[str, float]:
    """Fit the offsets of the groups named by ``X``'s ``level`` (see :func:`fit_group_offsets`).

    Warns (:func:`warn_few_care_entries`) for each group with few care entries.
    """
    groups = group_values(X, level)
    offsets = fit_group_offsets(risk, positive, groups, sample_weight)
    warn_few_care_entries(positive, groups, sample_weight, offsets, level)
    return offsets


def warn_few_care_entries(
    positive: np.ndarray,
    groups: np.ndarray,
    sample_weight: np.ndarray | None,
    offsets: dict[str, float],
    level: str,
) -> None:
    """Warn, naming each group whose calibration rows hold few care entries, and its shift.

    Warns
    -----
    DataQualityWarning
        One for all such groups: each with its care entries (weighted, for a sample),
        rows and shift, since its shift rests on too few outcomes to be trusted on
        later dates.
    """
    w = np.ones(len(groups)) if sample_weight is None else np.asarray(sample_weight, float)
    y = np.asarray(positive, dtype=float)
    few = []
    for group in sorted(offsets):
        mine = groups == group
        entries = float(np.sum(w[mine] * y[mine]))
        if entries < MIN_GROUP_CARE_ENTRIES:
            few.append(
                f"{group} ({entries:,.0f} care entries in {int(mine.sum()):,} rows; "
                f"shift {offsets[group]:+.2f}, odds times {np.exp(offsets[group]):.2f})"
            )
    if few:
        warnings.warn(
            f"calibrate_within={level!r}: fewer than {MIN_GROUP_CARE_ENTRIES} care "
            f"entries among the calibration rows (the latest training dates) of "
            f"{'; '.join(few)}. These shifts rest mostly on the prior and can be far "
            "off on later dates; give the calibration more dates "
            "(calibration_fraction) or leave such authorities on the shared "
            "calibration (calibrate_within=None)",
            DataQualityWarning,
            stacklevel=5,
        )


def apply_within(risk: np.ndarray, X: Any, level: str, offsets: dict[str, float]) -> np.ndarray:
    """Shift ``risk`` by the offsets of the groups named by ``X``'s ``level``."""
    return apply_group_offsets(risk, group_values(X, level), offsets)
