"""Latent states of the event histories, learnt without labels (a Poisson hidden Markov model).

:func:`fit_latent_states` fits hmmlearn's ``PoissonHMM`` by EM to every child's
monthly event counts (contacts, referrals, missing episodes, domestic abuse,
suspensions, exclusions, youth justice) at ages 10 to 17, before a date. The
fitted :class:`LatentStates` holds the parameters as plain arrays; its
:meth:`~LatentStates.filter` gives the filtered (never smoothed) state
probabilities, and :meth:`~LatentStates.features` the features
``latent_state_1`` ... ``latent_state_K`` that carry them into a
:class:`~riskmodel.features.FeatureSpec`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskmodel.features._default_families import (
    CONTACT,
    DOMESTIC_ABUSE,
    MISSING,
    PERMANENT_EXCLUSION,
    REFERRAL,
    SUSPENSION,
    YOUTH_JUSTICE,
)
from riskmodel.features._family import EventFamily
from riskmodel.features._latent_feature import LatentState, pattern_words
from riskmodel.features._latent_months import (
    event_months,
    forward_filter,
    month_of,
)
from riskmodel.features._spec import FeatureSpec
from riskmodel.features._spec_dict import family_from_dict, family_to_dict

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["LATENT_FAMILIES", "LatentStates", "fit_latent_states"]

LATENT_FAMILIES: tuple[EventFamily, ...] = (
    CONTACT,
    REFERRAL,
    MISSING,
    DOMESTIC_ABUSE,
    SUSPENSION,
    PERMANENT_EXCLUSION,
    YOUTH_JUSTICE,
)
"""The event families whose monthly counts the latent states describe, by default."""

MIN_AGE, MAX_AGE = 10, 17
"""The ages whose months the model is fitted on: from the month of the 10th birthday to
the month before the 18th."""

_FORMAT = 1

_TOL_PER_MONTH = 1e-5
"""EM stops when an iteration improves the log-likelihood by less than this per month."""


class LatentStates:
    """A fitted hidden Markov model of monthly event counts, as plain arrays.

    Made by :func:`fit_latent_states` or :meth:`from_dict`. States are numbered
    from the quietest (fewest expected events a month) to the busiest.

    Parameters
    ----------
    families : tuple of EventFamily
        The families counted, in the column order of ``rates``.
    start : array-like of shape (K,)
        Probability of each state in a sequence's first month.
    transition : array-like of shape (K, K)
        ``transition[i, j]``: probability of state ``j`` next month given state ``i``.
    rates : array-like of shape (K, families)
        Expected events of each family in a month, in each state.
    until : str
        The fit used months strictly before this date (``YYYY-MM-DD``).
    observed_from : str
        The first month counted (``YYYY-MM``); sequences start no earlier.
    skipped : tuple of (str, str), default ()
        Families asked for but left out, each with the reason.

    Attributes
    ----------
    n_states : int
        ``K``.

    Examples
    --------
    >>> import numpy as np
    >>> from riskmodel.features import EventFamily, LatentStates
    >>> referral = EventFamily("referral", "referral", "referrals")
    >>> model = LatentStates((referral,), [0.9, 0.1], [[0.95, 0.05], [0.2, 0.8]],
    ...                      [[0.01], [0.5]], until="2020-04-01", observed_from="2014-04")
    >>> probabilities = model.filter(np.array([[0], [1], [2]]))
    >>> bool(probabilities[1] > 0.5)
    True
    >>> model.features()[1].name
    'latent_state_2'
    """

    def __init__(
        self,
        families: tuple[EventFamily, ...],
        start: Any,
        transition: Any,
        rates: Any,
        *,
        until: str,
        observed_from: str,
        skipped: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.families = tuple(families)
        self.start = np.asarray(start, dtype=np.float64)
        self.transition = np.asarray(transition, dtype=np.float64)
        self.rates = np.asarray(rates, dtype=np.float64)
        self.until = str(pd.Timestamp(until).date())
        self.observed_from = str(pd.Period(observed_from, "M"))
        self.skipped = tuple((str(a), str(b)) for a, b in skipped)
        k = len(self.start)
        if self.transition.shape != (k, k) or self.rates.shape != (k, len(self.families)):
            raise ValueError(
                f"LatentStates: expected start (K,), transition (K, K) and rates (K, "
                f"families) with K={k} and {len(self.families)} families; got transition "
                f"{self.transition.shape} and rates {self.rates.shape}"
            )

    @property
    def n_states(self) -> int:
        """The number of states."""
        return len(self.start)

    def __repr__(self) -> str:
        return (
            f"LatentStates(n_states={self.n_states}, families="
            f"{[f.name for f in self.families]}, until={self.until})"
        )

    def filter(self, counts: Any) -> np.ndarray:
        """Return the filtered state probabilities at the last month of a sequence.

        The forward algorithm with scaling: the probabilities given the counts of
        every month of the sequence up to the last, and nothing later (never
        smoothed).

        Parameters
        ----------
        counts : array-like of shape (months, families)
            One child's monthly event counts, oldest first, columns as
            :attr:`families`.

        Returns
        -------
        numpy.ndarray of shape (K,)
            Sums to 1; the start probabilities for an empty sequence.
        """
        counts = np.asarray(counts, dtype=np.float64).reshape(-1, len(self.families))
        if len(counts) == 0:
            return self.start.copy()
        model = (self.start, self.transition, self.rates)
        return forward_filter(counts[None], np.zeros(1, dtype=np.int64), model)[0]

    def describe_state(self, state: int) -> str:
        """Describe state ``state`` (1 to K) in words, from its rates."""
        return pattern_words(self.rates, self.families, self.transition, state - 1)

    def features(self) -> tuple[LatentState, ...]:
        """Return the features ``latent_state_1`` ... ``latent_state_K``.

        Each is the filtered probability of its state at the as-of date, given the
        monthly counts from the month of the 10th birthday (or :attr:`observed_from`
        if later) to the month before the as-of month.
        """
        fields = {
            "event_families": self.families,
            "start": tuple(float(x) for x in self.start),
            "transition": tuple(tuple(float(x) for x in row) for row in self.transition),
            "rates": tuple(tuple(float(x) for x in row) for row in self.rates),
            "observed_from": self.observed_from,
            "min_age": MIN_AGE,
        }
        return tuple(LatentState(state=k + 1, **fields) for k in range(self.n_states))

    def extend(self, spec: FeatureSpec) -> FeatureSpec:
        """Return ``spec`` with the latent-state features added at the end.

        Parameters
        ----------
        spec : FeatureSpec

        Returns
        -------
        FeatureSpec
            Its :meth:`~FeatureSpec.to_dict` holds the model's parameters as plain numbers.
        """
        return FeatureSpec(spec.features + self.features(), spec.count_other_event_types)

    def to_dict(self) -> dict:
        """Return the model as plain JSON-able values (see :meth:`from_dict`)."""
        return {
            "format": _FORMAT,
            "families": [family_to_dict(f) for f in self.families],
            "start": [float(x) for x in self.start],
            "transition": [[float(x) for x in row] for row in self.transition],
            "rates": [[float(x) for x in row] for row in self.rates],
            "until": self.until,
            "observed_from": self.observed_from,
            "skipped": [list(pair) for pair in self.skipped],
        }

    @classmethod
    def from_dict(cls, description: dict) -> LatentStates:
        """Build the model from :meth:`to_dict` output.

        Raises
        ------
        ValueError
            If the description is not of the expected format.
        """
        expected = {"format", "families", "start", "transition", "rates", "until"}
        if not isinstance(description, dict) or not expected <= set(description):
            raise ValueError(
                f"LatentStates.from_dict: expected a dict with the keys {sorted(expected)}, "
                f"got {description!r:.200}"
            )
        if description["format"] != _FORMAT:
            raise ValueError(f"LatentStates.from_dict: unknown format {description['format']!r}")
        return cls(
            tuple(family_from_dict(f) for f in description["families"]),
            description["start"],
            description["transition"],
            description["rates"],
            until=description["until"],
            observed_from=description["observed_from"],
            skipped=tuple(tuple(pair) for pair in description.get("skipped", [])),
        )


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
        :attr:`LatentStates.skipped`.
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
