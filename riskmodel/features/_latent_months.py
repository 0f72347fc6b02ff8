"""Monthly event counts and the forward filter of a Poisson hidden Markov model.

Months are numbered as months since January 1970 (``datetime64[M]`` as integers). A
child's sequence runs over whole calendar months; an event belongs to the month of
its date. The filter is the forward algorithm with scaling: the state probabilities
at month ``t`` use the counts of months up to ``t`` and never later ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.features._family import EventFamily

__all__ = ["event_months", "forward_filter", "month_of", "monthly_counts"]

_RATE_FLOOR = 1e-12
"""Rates below this are treated as this, so that an event in a state that (almost) never
has one makes the state very unlikely rather than impossible (and never NaN)."""


def month_of(dates: object) -> np.ndarray:
    """Return dates as int64 months since January 1970 (NaT: the int64 minimum)."""
    values = np.asarray(dates, dtype="datetime64[ns]")
    out = values.astype("datetime64[M]").astype(np.int64)
    return np.where(np.isnat(values), np.iinfo(np.int64).min, out)


def event_months(
    events: pd.DataFrame, families: tuple[EventFamily, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each family event's ``person_id``, month and family number.

    An event belonging to several families counts once in each; undated events are
    left out.

    Parameters
    ----------
    events : pandas.DataFrame
        The canonical ``events`` table.
    families : tuple of EventFamily
        The families, numbered in this order.

    Returns
    -------
    tuple of numpy.ndarray
        ``(person_id, month, family)``.
    """
    dated = events[events["event_date"].notna()]
    types, type_names = pd.factorize(dated["event_type"])
    codes, code_names = pd.factorize(dated["code"])
    width = len(code_names) + 1
    pair, kinds = pd.factorize((types.astype(np.int64) + 1) * width + (codes + 1))
    decoded = [
        (
            type_names[k // width - 1] if k // width else None,
            code_names[k % width - 1] if k % width else None,
        )
        for k in kinds
    ]
    person, month, family = [], [], []
    all_months = month_of(dated["event_date"])
    all_persons = dated["person_id"].astype("object").to_numpy()
    for k, fam in enumerate(families):
        selected = np.array(
            [t is not None and fam.selects(t, c) for t, c in decoded],
            dtype=bool,
        )
        mask = selected[pair] if len(selected) else np.zeros(len(dated), dtype=bool)
        person.append(all_persons[mask])
        month.append(all_months[mask])
        family.append(np.full(int(mask.sum()), k, dtype=np.int64))
    return (
        np.concatenate(person) if person else np.array([], dtype=object),
        np.concatenate(month) if month else np.array([], dtype=np.int64),
        np.concatenate(family) if family else np.array([], dtype=np.int64),
    )


def monthly_counts(
    person: np.ndarray, month: np.ndarray, family: np.ndarray, shape: tuple[int, int, int]
) -> np.ndarray:
    """Return a dense ``(persons, months, families)`` array of event counts (uint16).

    ``person`` and ``month`` are positions in the array; events outside it are left out.
    """
    n_persons, n_months, n_families = shape
    keep = (person >= 0) & (person < n_persons) & (month >= 0) & (month < n_months)
    flat = (person[keep] * n_months + month[keep]) * n_families + family[keep]
    counts = np.bincount(flat.astype(np.int64), minlength=n_persons * n_months * n_families)
    return np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16).reshape(shape)


def forward_filter(
    counts: np.ndarray,
    first: np.ndarray,
    model: tuple[np.ndarray, np.ndarray, np.ndarray],
    at: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Return filtered state probabilities, for several sequences at once.

    Parameters
    ----------
    counts : numpy.ndarray
        ``(sequences, months, families)`` event counts.
    first : numpy.ndarray of int
        Per sequence, the month (position) where it starts; earlier months are not
        part of it, and a sequence starting after the last month is empty.
    model : tuple of numpy.ndarray
        Start probabilities ``(K,)``, transition matrix ``(K, K)`` (rows: from) and
        Poisson rates per month ``(K, families)``.
    at : tuple of numpy.ndarray, optional
        ``(sequence, month)`` positions at which to return the probabilities; by
        default the last month of every sequence.

    Returns
    -------
    numpy.ndarray
        ``(positions, K)``: at month ``t``, the probability of each state given the
        sequence's counts up to and including ``t`` (the forward variables, scaled
        to sum to 1). A position before its sequence's start (or before month 0)
        gets the start probabilities.
    """
    start, transition, rates = model
    n, n_months, _ = counts.shape
    if at is None:
        at = (np.arange(n), np.full(n, n_months - 1))
    sequence, month = at
    log_rates = np.log(np.maximum(rates, _RATE_FLOOR))
    total = rates.sum(axis=1)
    out = np.broadcast_to(start, (len(sequence), len(start))).copy()
    order = np.argsort(month, kind="stable")
    bounds = np.searchsorted(month[order], np.arange(n_months + 1))
    alpha = np.broadcast_to(start, (n, len(start))).copy()
    for t in range(n_months):
        # log-likelihood of the month's counts in each state, less log(x!) (the same in all)
        loglik = counts[:, t, :].astype(np.float64) @ log_rates.T - total
        prior = np.where((first == t)[:, None], start, alpha @ transition)
        with np.errstate(divide="ignore"):
            weight = np.log(prior) + loglik
        new = np.exp(weight - weight.max(axis=1, keepdims=True))
        new /= new.sum(axis=1, keepdims=True)
        alpha = np.where((first <= t)[:, None], new, alpha)
        rows = order[bounds[t] : bounds[t + 1]]
        out[rows] = alpha[sequence[rows]]
    return out
