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

from typing import Any

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
from riskmodel.features._latent_months import forward_filter
from riskmodel.features._spec import FeatureSpec
from riskmodel.features._spec_dict import family_from_dict, family_to_dict

__all__ = ["LATENT_FAMILIES", "MAX_AGE", "MIN_AGE", "LatentStates"]

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
            ``families``.

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
        monthly counts from the month of the 10th birthday (or ``observed_from``
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
        expected = {"format", "families", "start", "transition", "rates", "until", "observed_from"}
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
