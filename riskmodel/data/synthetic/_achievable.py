"""The best achievable from the records: a forward filter over the generator's latent chain.

For each child, the joint (household stress, child level) state is filtered month by
month over the months the records cover before the as-of month, with the generator's
parameters known, and the unknown household class, domestic-abuse trait and frailty
integrated as a finite mixture. The filtered distribution at the as-of month is then
propagated forward exactly as :meth:`GroundTruth.probability` propagates the true
state. See :meth:`GroundTruth.achievable` for the stated approximations.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

import riskmodel.data.synthetic._params as P
from riskmodel.data.synthetic._observed import (
    CARE,
    ENTRY,
    GONE,
    HOME,
    event_arrays,
    read_evidence,
    read_persons,
    take,
)
from riskmodel.data.synthetic._population import AGE_OUT_MONTHS
from riskmodel.data.synthetic._process import (
    N_BANDS,
    N_STATES,
    STATE_CHILD,
    STATE_STRESS,
    child_band,
    joint_transition,
)
from riskmodel.data.synthetic._propagate import propagate, state_hazard
from riskmodel.data.synthetic._siblings import sibling_log_likelihood, sibling_pairs

__all__ = ["achievable_probability"]

N_FRAILTY = 5
"""Gauss-Hermite nodes for the household frailty."""
_BATCH = 8_000
_KEYS = 10_000
_ALMOST_ONE = 1.0 - 1e-12
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(N_FRAILTY)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


@lru_cache(maxsize=1)
def prior_table() -> np.ndarray:
    """Prior state distribution by household class and age in months, (classes, 217, 24).

    Stress is the class's stationary distribution; the child level starts at 0 and moves
    from age 10 with the chain's transitions and no observations.
    """
    joint = joint_transition()
    out = np.zeros((P.N_CLASSES, AGE_OUT_MONTHS + 1, N_STATES))
    for cls in range(P.N_CLASSES):
        dist = np.zeros(N_STATES)
        dist[:: P.N_CHILD] = P.STRESS_STATIONARY[cls]
        for age in range(AGE_OUT_MONTHS + 1):
            out[cls, age] = dist
            dist = dist @ joint[cls, child_band(age + 1)]
    return out


def achievable_probability(truth, data, child, day, horizon: int) -> np.ndarray:
    """Achievable probability of each (child, as-of day) row; see ``GroundTruth.achievable``."""
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

    grid = truth._grid
    out, rows, window = truth._window(child, day, horizon)
    if not len(rows):
        return out
    persons = read_persons(data.persons, truth.person_ids, grid)
    absent = np.flatnonzero(~persons.recorded[child[rows]])
    if len(absent):
        raise ValueError(
            f"GroundTruth.achievable: {len(absent)} row(s) name children who are not in "
            f"data.persons (such as {truth.person_ids[child[rows][absent[0]]]!r}); pass the "
            "data this truth came with"
        )
    events = event_arrays(data.events, truth.person_ids)
    month = window[0]
    # evidence: the months before the as-of date's own month (events before the as-of date)
    seen = grid.month_of(day[rows])
    with threadpool_limits(limits=1, user_api="blas"):
        kids = np.unique(child[rows])
        # batches share transition matrices best when sorted by tier and birth month
        kids = kids[np.lexsort((persons.birth_month[kids], persons.tier[kids]))]
        for lo in range(0, len(kids), _BATCH):
            batch = kids[lo : lo + _BATCH]
            sel = np.flatnonzero(np.isin(child[rows], batch))
            snap = _filter(truth, persons, events, batch, child[rows][sel], seen[sel])
            keyed = child[rows][sel]
            # an as-of date on a month's last day predicts from the next month, unobserved
            _step_late(snap, np.flatnonzero(month[sel] > seen[sel]), keyed, seen[sel], persons)
            part = tuple(a[sel] for a in window)
            for at in range(0, len(sel), _KEYS):  # about 100,000 propagated rows at a time
                cut = slice(at, at + _KEYS)
                window_cut = tuple(a[cut] for a in part)
                p = _predict(truth, persons, keyed[cut], snap[cut], window_cut, horizon)
                out[rows[sel[cut]]] = p
    return out


def _step_late(snap, late, keyed, seen, persons) -> None:
    """Move the snapshots of rows ``late`` one month on (in place), with no observation."""
    tier, age = persons.tier[keyed[late]], seen[late] - persons.birth_month[keyed[late]]
    order = np.lexsort((age, tier))
    moved = np.ascontiguousarray(snap[late[order]].transpose(1, 0, 2, 3))
    _transition(moved, tier[order], age[order])
    snap[late[order]] = moved.transpose(1, 0, 2, 3)


def _filter(truth, persons, events, batch, key_child, key_month) -> np.ndarray:
    """Return the filtered mixture and state distribution at each key's as-of month.

    Shape (keys, vulnerable, frailty nodes, 24), summed over the trait.
    """
    grid = truth._grid
    n_months = int(key_month.max())
    n = len(batch)
    extended, pair_child, pair_sibling = sibling_pairs(persons.household, batch)
    ev_all = read_evidence(events, extended, n_months, grid, truth)
    ev = take(ev_all, slice(0, n))
    local = np.full(len(truth.person_ids), -1)
    local[batch] = np.arange(n)
    key_local = local[key_child]
    tier, birth = persons.tier[batch], persons.birth_month[batch]
    share = P.VULNERABLE_SHARE[tier]
    trait = P.TRAIT_PREVALENCE[:, 0]
    weight_v = np.stack([1 - share, share], axis=1)  # (n, 2)
    weight_vd = weight_v[:, :, None] * np.stack([1 - trait, trait], axis=1)[None]
    age0 = np.clip(-birth, 0, AGE_OUT_MONTHS)
    prior = prior_table()[2 * tier[:, None] + np.arange(2)[None, :], age0[:, None]]
    alpha = (
        weight_vd[:, :, :, None, None]
        * _WEIGHTS[None, None, None, :, None]
        * prior[:, :, None, None, :]
    ).transpose(1, 0, 2, 3, 4)
    alpha = np.ascontiguousarray(alpha)  # (v, n, d, frailty, state)
    fe_all = np.exp(persons.log_effect[extended][:, None] + P.FRAILTY_SD * _NODES[None, :])
    fe_all = fe_all / truth._fixed_effect_scale
    fe = fe_all[:n]
    snap = np.zeros((len(key_child), 2, N_FRAILTY, N_STATES))
    order = np.argsort(key_month, kind="stable")
    bounds = np.searchsorted(key_month[order], np.arange(n_months + 2))
    first = grid.first_day(np.arange(n_months))
    calendar = first.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    group_bias, bias_day = _reporting_bias(truth, persons.group[extended])
    sibling = (extended, pair_child, pair_sibling, ev_all, fe_all)
    for m in range(n_months + 1):
        at = order[bounds[m] : bounds[m + 1]]
        if len(at):
            snap[at] = alpha[:, key_local[at]].sum(axis=2).transpose(1, 0, 2, 3)
        if m == n_months:
            break
        age = m - birth
        bias = group_bias if first[m] >= bias_day else np.ones(len(extended))
        when = (m, age, int(calendar[m]))
        alpha *= _likelihood(ev, persons, batch, when, fe, bias[:n], truth)
        if len(pair_child):
            alpha *= _siblings(sibling, persons, when, bias, truth, n)
        total = alpha.sum(axis=(0, 2, 3, 4), keepdims=True)
        alpha /= np.where(total > 0, total, 1.0)
        _transition(alpha, tier, age)
    total = snap.sum(axis=(1, 2, 3), keepdims=True)
    return snap / np.where(total > 0, total, 1.0)


def _siblings(sibling, persons, when, bias, truth, n) -> np.ndarray:
    """Likelihood of the siblings' records of the month, shape (1, n, 1, frailty, 24)."""
    extended, pair_child, pair_sibling, ev_all, fe_all = sibling
    m, age, cal_month = when
    age_all = m - persons.birth_month[extended]
    ll = sibling_log_likelihood(
        ev_all, persons, extended, (m, age_all, cal_month), fe_all, bias, truth.label_noise
    )
    total = np.zeros((n, *ll.shape[1:]))
    np.add.at(total, pair_child, ll[pair_sibling])
    top = total.max(axis=(1, 2), keepdims=True)
    factor = np.exp(total - np.where(np.isfinite(top), top, 0.0))
    return factor[None, :, None, :, STATE_STRESS]


def _transition(alpha, tier, age) -> None:
    """Move each child's state one month on (in place), with its class's matrices.

    ``alpha`` has shape (vulnerable, children, ..., 24); children sharing a matrix
    are best contiguous (sorted by tier and age).
    """
    if not alpha.shape[1]:
        return
    joint = joint_transition()
    band = child_band(age + 1)
    combo = tier * N_BANDS + band
    cuts = np.r_[0, np.flatnonzero(np.diff(combo)) + 1, len(combo)]
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        for v in range(2):
            block = alpha[v, lo:hi]
            moved = block.reshape(-1, N_STATES) @ joint[2 * tier[lo] + v, band[lo]]
            alpha[v, lo:hi] = moved.reshape(block.shape)


def _poisson(count, lam) -> np.ndarray:
    """Log Poisson likelihood up to a constant; rows (n,), states (n, 24)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = count[:, None] * np.log(lam) - lam
    return np.where(count[:, None] > 0, out, -lam)


def _reporting_bias(truth, group) -> tuple[np.ndarray, int]:
    """Return each child's recording multiplier under the truth's reporting bias, from day."""
    bias = truth._reporting_bias
    if bias is None:
        return np.ones(len(group)), np.iinfo(np.int64).max
    name, factor, start = bias
    day = np.iinfo(np.int64).min if start is None else int(start)
    return np.where(group == name, float(factor), 1.0), day


def _likelihood(ev, persons, batch, when, fe, bias, truth) -> np.ndarray:
    """Likelihood of month ``m``'s records per child, mixture component and state."""
    m, age, cal_month = when
    status = ev.status[:, m]
    present = (age >= 0) & (age < AGE_OUT_MONTHS) & (status != GONE) & ~persons.uasc[batch]
    home = present & (status != CARE)
    family = home & ~ev.permanence[:, m]
    years = age // 12
    stress_eff = np.where(family[:, None], STATE_STRESS[None, :], 0)
    level = STATE_CHILD[None, :]
    ll = np.zeros((len(batch), N_STATES))
    lam = (P.CONTACT_STRESS[stress_eff] + P.CONTACT_CHILD[level]) * bias[:, None]
    ll += np.where(home[:, None], _poisson(ev.counts["contact"][:, m], lam), 0.0)
    agef = np.where(years >= 10, 1.0, np.where(years >= 8, 0.2, 0.0))
    agef = agef * np.where(status == CARE, P.MISSING_IN_CARE, 1.0)
    lam = agef[:, None] * P.MISSING_CHILD[level]
    ll += np.where(present[:, None], _poisson(ev.counts["missing_episode"][:, m], lam), 0.0)
    if cal_month != 8:
        school = present & (years >= 5) & (years <= 15)
        lam = P.SUSPENSION_CHILD[level] + P.SUSPENSION_STRESS[stress_eff]
        ll += np.where(school[:, None], _poisson(ev.counts["suspension"][:, m], lam), 0.0)
        p = P.EXCLUSION_CHILD[level]
        excluded = ev.exclusion[:, m][:, None] > 0
        ll += np.where(school[:, None], np.log(np.where(excluded, p, 1.0 - p)), 0.0)
    ll += _youth_justice(ev, persons, batch, m, present & (years >= 10))
    ll += _referrals(ev, persons, batch, m, home & (status == HOME), stress_eff, bias)
    ll += _plans(ev, m, present & (status == HOME), stress_eff)
    ll = np.where(np.isfinite(ll).any(axis=1, keepdims=True), ll, 0.0)
    lik = np.exp(ll - ll.max(axis=1, keepdims=True))
    police = _police(ev, m, family, bias)  # (n, d, 24)
    risk = _hazard(ev, m, age, fe, home, status, truth.label_noise)  # (n, K, 24)
    return lik[None, :, None, None, :] * police[None, :, :, None, :] * risk[None, :, None, :, :]


def _youth_justice(ev, persons, batch, m, youth) -> np.ndarray:
    codes = ev.youth_justice[:, m]  # (n, codes)
    rate = P.YOUTH_JUSTICE_CHILD[None, :] * np.where(persons.male[batch], 1.4, 0.7)[:, None]
    lam = rate[:, STATE_CHILD]
    ll = _poisson(codes.sum(axis=1), lam)
    with np.errstate(divide="ignore"):
        log_mix = np.log(P.YOUTH_JUSTICE_MIX)[STATE_CHILD]  # (24, codes)
    ll += _mix_ll(codes, log_mix)
    return np.where(youth[:, None], ll, 0.0)


def _mix_ll(codes, log_mix) -> np.ndarray:
    """Log probability of the recorded outcome codes per state, (n, 24)."""
    out = np.zeros((len(codes), N_STATES))
    for k in range(codes.shape[1]):
        c = codes[:, k]
        if c.any():
            with np.errstate(invalid="ignore"):
                out += np.where(c[:, None] > 0, c[:, None] * log_mix[None, :, k], 0.0)
    return out


def _referrals(ev, persons, batch, m, home, stress_eff, bias) -> np.ndarray:
    """Referrals, the section 47 enquiries they lead to, and early help starts.

    Under a reporting bias ``f``, a referral is made with ``f`` times the probability;
    with ``f > 1`` the over-recorded ones (no enquiry, half of them no further action)
    make up ``1 - 1/f`` of them.
    """
    eligible = home & ev.eligible[:, m]
    level = STATE_CHILD[None, :]
    p = (
        P.REFERRAL_STRESS[stress_eff]
        + P.REFERRAL_CHILD[level]
        + P.REFERRAL_DISABILITY * persons.disability[batch][:, None]
    )
    p = p * (np.where(ev.known[:, m], P.REFERRAL_KNOWN, 1.0) * bias)[:, None]
    p = np.minimum(p, _ALMOST_ONE)  # a draw u < p * f: certain once p * f >= 1
    referred = ev.counts["referral"][:, m] > 0
    ll = np.where(eligible[:, None], np.log(np.where(referred[:, None], p, 1.0 - p)), 0.0)
    kept = 1.0 - P.NFA_SHARE
    needed = np.where(bias > 1, kept / bias / (kept / bias + 0.5 * (1 - 1 / bias)), 1.0)
    p = needed[:, None] * np.minimum(P.S47_STRESS[stress_eff] + P.S47_CHILD[level], 0.9)
    enquiry = ev.s47_seen[:, m][:, None]
    usable = (eligible & referred & ev.s47_usable[:, m])[:, None]
    ll += np.where(usable, np.log(np.where(enquiry, p, 1.0 - p)), 0.0)
    p = np.minimum(P.EARLY_HELP_START[stress_eff] * bias[:, None], _ALMOST_ONE)
    started = ev.counts["early_help_start"][:, m][:, None] > 0
    helped = (eligible & ~referred & ev.help_closed[:, m])[:, None]
    return ll + np.where(helped, np.log(np.where(started, p, 1.0 - p)), 0.0)


def _plans(ev, m, home, stress_eff) -> np.ndarray:
    """Return the log-likelihood of plans ending (or a CIN plan escalating) this month."""
    ends = ev.counts["cp_plan_end"][:, m][:, None] > 0
    p = P.CP_END[stress_eff]
    cp = (home & ev.on_cp[:, m])[:, None]
    ll = np.where(cp, np.log(np.where(ends, p, 1.0 - p)), 0.0)
    escalated = ev.counts["s47_start"][:, m][:, None] > 0
    ends = ev.counts["cin_plan_end"][:, m][:, None] > 0
    esc, end = P.CIN_ESCALATE[stress_eff], P.CIN_END[stress_eff]
    p = np.where(escalated, esc, (1.0 - esc) * np.where(ends, end, 1.0 - end))
    cin = (home & ev.on_cin[:, m] & ~ev.on_cp[:, m])[:, None]
    with np.errstate(divide="ignore"):
        return ll + np.where(cin, np.log(p), 0.0)


def _police(ev, m, family, bias) -> np.ndarray:
    count = ev.counts["police_domestic_abuse"][:, m]
    scale = np.array([P.POLICE_DA_WITHOUT_TRAIT, 1.0])
    lam = scale[:, None] * P.POLICE_DA_STRESS[STATE_STRESS][None, :]  # (d, 24)
    lam = lam[None] * bias[:, None, None]
    ll = count[:, None, None] * np.log(lam) - lam
    ll = np.where(family[:, None, None], ll, 0.0)
    return np.exp(ll - ll.max(axis=(1, 2), keepdims=True))


def _hazard(ev, m, age, fe, home, status, label_noise) -> np.ndarray:
    k = fe.shape[1]
    rep = np.repeat(np.c_[age // 12, ev.history[:, m]], k, axis=0)
    h = state_hazard(rep[:, 0], fe.ravel(), rep[:, 1], label_noise).reshape(*fe.shape, N_STATES)
    out = np.where((status == ENTRY)[:, None, None], h, 1.0 - h)
    return np.where(home[:, None, None], out, 1.0)


def _predict(truth, persons, key_child, snap, window, horizon) -> np.ndarray:
    """Average over the mixture of the exact forward propagation from each distribution."""
    month, f_first, month_end, f_last, history, blocked = window
    k = 2 * N_FRAILTY
    cls = (2 * persons.tier[key_child][:, None] + np.arange(2)[None, :]).repeat(N_FRAILTY, 1)
    fe = np.exp(persons.log_effect[key_child][:, None] + P.FRAILTY_SD * _NODES[None, :])
    fe = np.tile(fe / truth._fixed_effect_scale, (1, 2))
    age = month - persons.birth_month[key_child]

    def rep(a):
        return np.repeat(a, k)

    survival = propagate(
        (None, snap.reshape(-1, N_STATES)),
        cls.ravel(),
        rep(age),
        fe.ravel(),
        rep(history),
        (rep(f_first), rep(month_end - month), rep(f_last), rep(blocked)),
        truth.label_noise,
    )
    return np.clip(1.0 - survival.reshape(-1, k).sum(axis=1), 0.0, 1.0)
