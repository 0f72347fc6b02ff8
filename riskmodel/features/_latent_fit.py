"""Fitting the latent states: hmmlearn's ``PoissonHMM`` by EM on monthly event counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel.features._family import EventFamily
from riskmodel.features._latent import LATENT_FAMILIES, MAX_AGE, MIN_AGE, LatentStates
from riskmodel.features._latent_months import event_months, month_of

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["fit_latent_states"]

_TOL_PER_MONTH = 1e-5
"""EM stops when an iteration improves the log-likelihood by less than this per month."""


def fit_latent_states(
    data: LocalAuthorityData,
    *,
    until: object,
    n_states: int = 4,
    families: tuple[EventFamily, ...] | None = None,
    random_state: int | None = None,
    max_children: int | None = None,
    observed_from: object = None,
    n_iter: int = 100,
) -> LatentStates:
    """Fit latent states to the children's monthly event counts, without labels.

    hmmlearn's ``PoissonHMM`` is fitted by EM to one sequence per child: the
    monthly counts of each family from the month of the child's 10th birthday
    (or ``observed_from``, if later) to the month before
    their 18th birthday, keeping only months strictly before ``until`` (months
    ending before it; events on or after it are never read). Children without a
    known date of birth, or without such a month, are left out. No label is used.

    Sequences start no earlier than ``observed_from``: by default the first month
    whose number of events (of the families, before ``until``) is at least half
    that of the median month, so that a thin back-history (a few earlier referrals
    carried into a new system) is not read as quiet months.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables.
    until : date-like
        Fit on months strictly before this date (say the first as-of date of the
        test period).
    n_states : int, default 4
        The number of latent states.
    families : tuple of EventFamily, optional
        The families counted; :data:`LATENT_FAMILIES` by default. A family with no
        event before ``until`` is skipped, with the reason in
        ``LatentStates.skipped``.
    random_state : int, optional
        Seed of the EM start and of the choice of children; the fit is deterministic
        given it.
    max_children : int, optional
        Fit on at most this many children, chosen at random (the fit's time grows
        with the number of child-months).
    observed_from : date-like, optional
        The first month counted (see above); give it when the authority's records
        are known to start then.
    n_iter : int, default 100
        The most EM iterations (EM stops earlier when the log-likelihood improves
        by less than 1e-5 per child-month fitted).

    Returns
    -------
    LatentStates
        States sorted from the quietest to the busiest.

    Raises
    ------
    ValueError
        If no family has an event before ``until``, or no child has a month to fit on.
    """
    from hmmlearn.hmm import PoissonHMM

    until = pd.Timestamp(until).normalize()
    families = LATENT_FAMILIES if families is None else tuple(families)
    events = data.events[data.events["event_date"] < until]
    person, month, family = event_months(events, families)
    recorded = np.bincount(family, minlength=len(families))
    skipped = tuple(
        (f.name, f"no {f.noun} are recorded before {until.date()}")
        for f, n in zip(families, recorded, strict=True)
        if n == 0
    )
    kept = [k for k, n in enumerate(recorded) if n > 0]
    if not kept:
        raise ValueError(
            f"fit_latent_states: none of the families {[f.name for f in families]} has an "
            f"event before {until.date()}"
        )
    renumber = np.full(len(families), -1)
    renumber[kept] = np.arange(len(kept))
    if observed_from is None:
        first = _steady_start(month)
    else:
        first = int(month_of([pd.Period(observed_from, "M").start_time])[0])
    X, lengths = _sequences(data, until, first, (person, month, renumber[family]), len(kept))
    rng = np.random.default_rng(random_state)
    if max_children is not None and len(lengths) > max_children:
        chosen = np.sort(rng.choice(len(lengths), size=max_children, replace=False))
        X = X[np.isin(np.repeat(np.arange(len(lengths)), lengths), chosen)]
        lengths = lengths[chosen]
    hmm = PoissonHMM(
        n_components=n_states,
        random_state=int(rng.integers(2**31 - 1)),
        n_iter=n_iter,
        tol=_TOL_PER_MONTH * len(X),
        init_params="st",
        implementation="scaling",
    )
    hmm.lambdas_ = _initial_rates(X, n_states, rng)
    hmm.fit(X, lengths)
    order = np.argsort(hmm.lambdas_.sum(axis=1), kind="stable")
    return LatentStates(
        tuple(families[k] for k in kept),
        hmm.startprob_[order],
        hmm.transmat_[np.ix_(order, order)],
        hmm.lambdas_[order],
        until=str(until.date()),
        observed_from=str(np.datetime64(first, "M")),
        skipped=skipped,
    )


def _initial_rates(X: np.ndarray, n_states: int, rng: np.random.Generator) -> np.ndarray:
    """Start EM from rates spread around each family's mean (quiet to busy), jittered.

    hmmlearn's own start (gamma draws from the counts' overall moments) gives rates
    of exactly 0 on sparse counts, and the fit then ends in NaN.
    """
    mean = np.maximum(X.mean(axis=0), 1e-6)
    spread = np.geomspace(0.1, 10.0, n_states)[:, None]
    jitter = np.exp(rng.normal(0.0, 0.5, size=(n_states, X.shape[1])))
    return mean * spread * jitter


def _steady_start(month: np.ndarray) -> int:
    """Return the first month with at least half the events of the median month."""
    per_month = np.bincount(month - month.min())
    threshold = max(0.5 * float(np.median(per_month)), 1.0)
    return int(month.min() + np.flatnonzero(per_month >= threshold)[0])


def _sequences(
    data: LocalAuthorityData,
    until: pd.Timestamp,
    first: int,
    events: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_families: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the stacked monthly counts and the sequence lengths.

    ``events`` are each event's person id, month and family number. Children come in
    the order of ``data.persons``; each child's months in order.
    """
    person, month, family = events
    last = int(month_of([until])[0]) - 1
    persons = data.persons[data.persons["date_of_birth"].notna()]
    ids = pd.Index(persons["person_id"].astype("object"))
    birth = month_of(persons["date_of_birth"])
    begin = np.maximum(birth + 12 * MIN_AGE, first)
    end = np.minimum(birth + 12 * (MAX_AGE + 1) - 1, last)
    lengths = np.maximum(end - begin + 1, 0)
    if not lengths.any():
        raise ValueError(
            f"fit_latent_states: no child has a month at ages {MIN_AGE}-{MAX_AGE} between "
            f"{pd.Period(np.datetime64(first, 'M'), 'M')} and {until.date()}"
        )
    offset = np.cumsum(lengths) - lengths
    where = ids.get_indexer(person)
    where, month, family = where[where >= 0], month[where >= 0], family[where >= 0]
    inside = (month >= begin[where]) & (month <= end[where])
    rows = offset[where[inside]] + month[inside] - begin[where[inside]]
    X = np.zeros((int(lengths.sum()), n_families), dtype=np.int64)
    np.add.at(X, (rows, family[inside]), 1)
    return X, lengths[lengths > 0]
