"""Forward propagation of the latent chain's state distribution with the care-entry hazard.

Shared by :meth:`GroundTruth.probability` (from the true state, a point mass) and
:meth:`GroundTruth.achievable` (from the filtered distribution).
"""

from __future__ import annotations

import numpy as np

from riskmodel.data.synthetic._process import (
    N_BANDS,
    N_STATES,
    STATE_CHILD,
    STATE_STRESS,
    child_band,
    hazard,
    joint_transition,
)

__all__ = ["add_months", "propagate"]


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
        fe, hist = fixed_effect[:, None], history[:, None]
        h0 = hazard(STATE_STRESS, STATE_CHILD, (age // 12)[:, None], fe, hist, label_noise)
        ff = f_first[:, None]
        p0 = np.where(blocked[:, None], 0.0, h0 * ff / (1.0 - h0 * (1.0 - ff)))
        alpha = dist[order] * (1.0 - p0)
    joint = joint_transition().reshape(-1, N_STATES, N_STATES)
    fixed_effect, history = fixed_effect[:, None], history[:, None]
    for j in range(1, int(steps.max(initial=0)) + 1):
        combo = cls * N_BANDS + child_band(age + j)
        cuts = np.r_[0, np.flatnonzero(np.diff(combo)) + 1, n]
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            alpha[lo:hi] = alpha[lo:hi] @ joint[combo[lo]]
        h = hazard(
            STATE_STRESS[None, :],
            STATE_CHILD[None, :],
            ((age + j) // 12)[:, None],
            fixed_effect,
            history,
            label_noise,
        )
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
