"""Younger siblings' records as evidence of the household's stress.

Siblings share the household's stress, class and frailty. A sibling under 10 has a
child level of 0 (the chain is frozen before 10), so what is recorded of it while it
lives with the family depends on the household's stress (and the shared frailty)
alone: contacts, referrals and the section 47 enquiries after them, early help
starts, suspensions, and staying at home or entering care. The filter multiplies
these likelihoods in, treating siblings as independent given the household's stress
and frailty (their care-entry draws are in fact often shared, which this ignores).
Siblings aged 10 or more are left out (their own level is unknown); so are police
notifications (one incident writes a row for every child: no new information).
"""

from __future__ import annotations

import numpy as np

import riskmodel.data.synthetic._params as P
from riskmodel.data.synthetic._observed import ENTRY, HOME
from riskmodel.data.synthetic._propagate import state_hazard

__all__ = ["sibling_pairs", "sibling_log_likelihood"]

_STRESS = np.arange(P.N_STRESS)
_ALMOST_ONE = 1.0 - 1e-12


def sibling_pairs(household: np.ndarray, batch: np.ndarray):
    """Siblings of the batch's children: the extended set and (child, sibling) pairs.

    Returns ``extended`` (the batch first, then their siblings, as child indices) and
    the pairs as positions: ``child`` in the batch and ``sibling`` in ``extended``.
    """
    members = np.flatnonzero(np.isin(household, household[batch]))
    extra = np.setdiff1d(members, batch)
    extended = np.r_[batch, extra]
    order = np.argsort(household[extended], kind="stable")
    sorted_h = household[extended][order]
    lo = np.searchsorted(sorted_h, household[batch], "left")
    hi = np.searchsorted(sorted_h, household[batch], "right")
    size = hi - lo
    child = np.repeat(np.arange(len(batch)), size)
    offset = np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
    sibling = order[lo[child] + offset]
    keep = sibling != child  # the batch comes first: a child is its own position
    return extended, child[keep], sibling[keep]


def sibling_log_likelihood(ev, persons, extended, when, fe, bias, label_noise) -> np.ndarray:
    """Log-likelihood of each extended child's month under each stress level, (n, K, 6).

    Zero for children who are not under 10 and living with the family that month.
    """
    m, age, cal_month = when
    status = ev.status[:, m]
    years = age // 12
    use = (age >= 0) & (years < 10) & ((status == HOME) | (status == ENTRY))
    use &= ~ev.permanence[:, m] & ~persons.uasc[extended]
    s = _STRESS[None, :]
    ll = _poisson(ev.counts["contact"][:, m], P.CONTACT_STRESS[s] * bias[:, None])
    eligible = (status == HOME) & ev.eligible[:, m]
    p = P.REFERRAL_STRESS[s] + P.REFERRAL_DISABILITY * persons.disability[extended][:, None]
    p = p * (np.where(ev.known[:, m], P.REFERRAL_KNOWN, 1.0) * bias)[:, None]
    p = np.minimum(p, _ALMOST_ONE)
    referred = ev.counts["referral"][:, m] > 0
    ll += np.where(eligible[:, None], np.log(np.where(referred[:, None], p, 1 - p)), 0.0)
    kept = 1.0 - P.NFA_SHARE
    needed = np.where(bias > 1, kept / bias / (kept / bias + 0.5 * (1 - 1 / bias)), 1.0)
    p = needed[:, None] * P.S47_STRESS[s]
    usable = (eligible & referred & ev.s47_usable[:, m])[:, None]
    enquiry = ev.s47_seen[:, m][:, None]
    ll += np.where(usable, np.log(np.where(enquiry, p, 1 - p)), 0.0)
    p = np.minimum(P.EARLY_HELP_START[s] * bias[:, None], _ALMOST_ONE)
    started = ev.counts["early_help_start"][:, m][:, None] > 0
    helped = (eligible & ~referred & ev.help_closed[:, m])[:, None]
    ll += np.where(helped, np.log(np.where(started, p, 1 - p)), 0.0)
    if cal_month != 8:
        school = (years >= 5)[:, None]
        lam = P.SUSPENSION_CHILD[0] + P.SUSPENSION_STRESS[s]
        ll += np.where(school, _poisson(ev.counts["suspension"][:, m], lam), 0.0)
    k = fe.shape[1]
    rep = np.repeat(np.c_[years, ev.history[:, m]], k, axis=0)
    h = state_hazard(rep[:, 0], fe.ravel(), rep[:, 1], label_noise)
    h = h.reshape(len(extended), k, -1)[:, :, :: P.N_CHILD]  # child level 0
    with np.errstate(divide="ignore"):
        risk = np.log(np.where((status == ENTRY)[:, None, None], h, 1.0 - h))
    out = ll[:, None, :] + risk
    return np.where(use[:, None, None], out, 0.0)


def _poisson(count, lam) -> np.ndarray:
    lam = np.broadcast_to(lam, (len(count), lam.shape[-1]))
    return np.where(count[:, None] > 0, count[:, None] * np.log(lam) - lam, -lam)
