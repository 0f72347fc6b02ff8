"""Forward propagation of the latent chain's state distribution with the care-entry hazard.

Shared by :meth:`GroundTruth.probability` (from the true state, a point mass) and
:meth:`GroundTruth.achievable` (from the filtered distribution).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

import riskmodel.data.synthetic._params as P
from riskmodel.data.synthetic._process import (
    N_BANDS,
    N_STATES,
    STATE_CHILD,
    STATE_STRESS,
    baseline_hazard,
    child_band,
    hazard,
    joint_transition,
)

__all__ = ["add_months", "propagate", "state_hazard"]


@lru_cache(maxsize=1)
def _state_table() -> np.ndarray:
    """``_structural`` of every state without its row factor, (ages, permanence, 24)."""
    age = np.arange(18)[:, None, None]
    household = np.where(
        np.array([False, True])[None, :, None],
        P.HAZARD_STRESS[0],
        P.HAZARD_STRESS[STATE_STRESS][None, None, :],
    )
    child = P.HAZARD_CHILD_LEVEL[STATE_CHILD][None, None, :]
    return P.HAZARD_HOUSEHOLD_AGE[age] * household + P.HAZARD_CHILD_AGE[age] * child


def state_hazard(age_years, fixed_effect, history, label_noise: float) -> np.ndarray:
    """Return :func:`hazard` of all 24 states per row, shape (n, 24), to the last bit.

    The same as ``hazard(STATE_STRESS[None], STATE_CHILD[None], age_years[:, None],
    fixed_effect[:, None], history[:, None], label_noise)``, from a table of the
    state-dependent part (the same floating-point operations in the same order).
    """
    age = np.asarray(age_years)
    valid = (age >= 0) & (age < 18)
    age = np.clip(age, 0, 17)
    table = _state_table()[age, (history == P.HISTORY_PERMANENCE).astype(np.int64)]
    out = (fixed_effect * P.HISTORY_MULTIPLIER[history])[:, None] * table
    if label_noise:
        noise = baseline_hazard()[age] * (history != P.HISTORY_LEFT)
        out = (1.0 - label_noise) * out + label_noise * noise[:, None]
    return np.where(valid[:, None], np.minimum(out, P.HAZARD_CAP), 0.0)


def propagate(start, cls, age, fixed_effect, history, window, label_noise: float) -> np.ndarray:
    """Survival to the end of each row's window, propagating the joint state distribution.

    Parameters
    ----------
    start : tuple
        ``(state, None)``: a point mass on each row's state (0-23); or ``(None, dist)``:
        a distribution (weights) over the 24 states per row, shape (n, 24); the
        result is then the sum over states of weight times survival.
    cls, age, fixed_effect, history : numpy.ndarray
        Household class, age in months in the as-of month, fixed effect and care
        history of each row.
    window : tuple
        ``(f_first, steps, f_last, blocked)``: the share of the as-of month left, the
        number of months after it, the share of the last month in the window, and
        whether the as-of month has no hazard left.
    label_noise : float
        As in :func:`~riskmodel.data.synthetic._process.hazard`.

    Returns
    -------
    numpy.ndarray
        The probability of no entry in the window (times the row's weight).

    Notes
    -----
    Rows are sorted by household class and age, so that the rows sharing a
    transition matrix at each step are contiguous. A row whose window has ended
    keeps being propagated with zero hazard, which leaves its survival unchanged.
    """
    state, dist = start
    f_first, steps, f_last, blocked = window
    order = np.lexsort((age, cls))
    cls, age, fixed_effect, history, f_first, steps, f_last, blocked = (
        a[order] for a in (cls, age, fixed_effect, history, f_first, steps, f_last, blocked)
    )
    n = len(cls)
    if dist is None:
        state = state[order]
        h0 = hazard(
            STATE_STRESS[state], STATE_CHILD[state], age // 12, fixed_effect, history, label_noise
        )
        p0 = np.where(blocked, 0.0, h0 * f_first / (1.0 - h0 * (1.0 - f_first)))
        alpha = np.zeros((n, N_STATES))
        alpha[np.arange(n), state] = 1.0 - p0
    else:
        h0 = state_hazard(age // 12, fixed_effect, history, label_noise)
        ff = f_first[:, None]
        p0 = np.where(blocked[:, None], 0.0, h0 * ff / (1.0 - h0 * (1.0 - ff)))
        alpha = dist[order] * (1.0 - p0)
    joint = joint_transition().reshape(-1, N_STATES, N_STATES)
    for j in range(1, int(steps.max(initial=0)) + 1):
        combo = cls * N_BANDS + child_band(age + j)
        cuts = np.r_[0, np.flatnonzero(np.diff(combo)) + 1, n]
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            alpha[lo:hi] = alpha[lo:hi] @ joint[combo[lo]]
        h = state_hazard((age + j) // 12, fixed_effect, history, label_noise)
        weight = np.where(steps == j, f_last, np.where(steps > j, 1.0, 0.0))
        alpha *= 1.0 - weight[:, None] * h
    out = np.empty(n)
    out[order] = alpha.sum(axis=1)
    return out


def add_months(day: np.ndarray, months: int) -> np.ndarray:
    """``day + months`` calendar months, clipped to the month's end (``pandas.DateOffset``)."""
    dates = day.astype("datetime64[D]")
    month = dates.astype("datetime64[M]")
    offset = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]").astype(np.int64) + np.minimum(offset, length - 1)
