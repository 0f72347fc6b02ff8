"""The latent-state feature: the filtered probability of one state at the as-of date."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from riskmodel.features._base import Feature
from riskmodel.features._day_keys import decode_day
from riskmodel.features._descriptions import is_missing
from riskmodel.features._family import EventFamily
from riskmodel.features._latent_months import forward_filter, month_of, monthly_counts
from riskmodel.features._spec_dict import register_feature

if TYPE_CHECKING:
    from riskmodel.features._context import FeatureContext

__all__ = ["LatentState", "pattern_words"]

_FREQUENT = 2.0
"""A state has "frequent" events of a family when its rate is at least this many times
the family's long-run average rate."""

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Per feature context, the filtered probabilities of each model (all its states at once)."""


def pattern_words(
    rates: np.ndarray, families: tuple[EventFamily, ...], transition: np.ndarray, state: int
) -> str:
    """Describe a state (0-based) by how its rates compare with the long-run average.

    The average weighs the states by the chain's stationary distribution. Families
    at least twice as frequent as on average are named, the three most so first; a
    state naming none has "few events" when it expects fewer events in all than average.
    """
    rates = np.asarray(rates, dtype=np.float64)
    stationary = np.full(len(rates), 1.0 / len(rates))
    for _ in range(500):
        stationary = stationary @ np.asarray(transition, dtype=np.float64)
    average = np.maximum(stationary @ rates, 1e-12)
    ratio = rates[state] / average
    frequent = [k for k in np.argsort(-ratio, kind="stable") if ratio[k] >= _FREQUENT][:3]
    if frequent:
        nouns = [families[k].noun for k in frequent]
        listed = nouns[0] if len(nouns) == 1 else f"{', '.join(nouns[:-1])} and {nouns[-1]}"
        return f"frequent {listed}"
    if rates[state].sum() < stationary @ rates.sum(axis=1):
        return "few events of any kind"
    return "events at about the usual rates"


@register_feature
@dataclass(frozen=True)
class LatentState(Feature):
    """Filtered probability, at the as-of date, of one latent state of the event histories.

    Made by :meth:`LatentStates.features <riskmodel.features.LatentStates.features>`
    (from :func:`~riskmodel.features.fit_latent_states`), which holds the same
    parameters as plain numbers. The probability is the hidden Markov model's
    forward filter over the child's monthly event counts, from the month of the
    ``min_age`` birthday (or ``observed_from``, if later) to the month before the
    as-of month: never smoothed, so no later month is used (events in the as-of
    month before the as-of date are not used either). A child with no such month
    (or no known date of birth, whose months start at ``observed_from``) gets the
    start probabilities.

    Parameters
    ----------
    state : int
        The state, 1 to K.
    event_families : tuple of EventFamily
        The families counted, in the column order of ``rates``.
    start, transition, rates : tuple of float, tuple of tuple of float
        The model's start probabilities, transition matrix and monthly Poisson rates.
    observed_from : str
        The first month counted (``YYYY-MM``).
    min_age : int, default 10
        Months are counted from the month of this birthday.

    Notes
    -----
    ``float64`` in [0, 1]; the K features of one model sum to 1. Name:
    ``latent_state_<state>``. Registered with
    :func:`~riskmodel.features.register_feature`, so a specification holding it
    travels with a fitted model as plain numbers.
    """

    state: int
    event_families: tuple[EventFamily, ...]
    start: tuple[float, ...]
    transition: tuple[tuple[float, ...], ...]
    rates: tuple[tuple[float, ...], ...]
    observed_from: str
    min_age: int = 10

    def __post_init__(self) -> None:
        k = len(self.start)
        if not (isinstance(self.state, int) and 1 <= self.state <= k):
            raise ValueError(f"LatentState.state must be a whole number from 1 to {k}")
        if len(self.transition) != k or len(self.rates) != k:
            raise ValueError(f"LatentState: transition and rates need {k} rows, one per state")
        if any(len(row) != len(self.event_families) for row in self.rates):
            raise ValueError("LatentState: rates need one column per event family")

    @property
    def name(self) -> str:
        """The column name."""
        return f"latent_state_{self.state}"

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families read."""
        return tuple(self.event_families)

    @property
    def reason_slot(self) -> str:
        """One slot for every state: the states together are one reading of the history."""
        return "latent state"

    @property
    def pattern(self) -> str:
        """The state's pattern of events in words, such as ``"frequent contacts"``."""
        return pattern_words(
            np.asarray(self.rates), self.families, np.asarray(self.transition), self.state - 1
        )

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the value."""
        return (
            f"how closely the recent pattern of events matches pattern {self.state} of "
            f"{len(self.start)}: {self.pattern} ({{value}})"
        )

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English."""
        if is_missing(value):
            return f"pattern {self.state} of {len(self.start)} ({self.pattern}) not known"
        return self.template.format(value=f"{float(value):.0%}")

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Return the filtered probability of the state at each row's as-of date."""
        key = (self.event_families, self.start, self.transition, self.rates)
        key += (self.observed_from, self.min_age)
        cached = _CACHE.setdefault(context, {})
        if key not in cached:
            cached[key] = self._filtered(context)
        return cached[key][:, self.state - 1]

    def _filtered(self, context: FeatureContext) -> np.ndarray:
        """Every state's filtered probability at each row's as-of date."""
        observed_from = int(np.datetime64(self.observed_from, "M").astype(np.int64))
        children, child = np.unique(context.person, return_inverse=True)
        birth = month_of(context.persons["date_of_birth"].to_numpy()[children])
        known = birth != np.iinfo(np.int64).min
        first = np.where(known, np.maximum(birth + 12 * self.min_age, observed_from), 0)
        first = np.where(known, first - observed_from, 0)
        at = month_of(context.as_of_date) - 1 - observed_from
        n_months = max(int(at.max(initial=-1)) + 1, 0)
        person, month, family = [], [], []
        for k, fam in enumerate(self.families):
            # the family's events of the block's children (every date; the filter is causal)
            keys = context.events(fam)._keys
            person.append(keys >> 32)
            month.append(month_of(decode_day(keys).astype("datetime64[D]")) - observed_from)
            family.append(np.full(len(keys), k, dtype=np.int64))
        person_all = np.concatenate(person)
        local = np.minimum(np.searchsorted(children, person_all), len(children) - 1)
        local = np.where(children[local] == person_all, local, -1)
        shape = (len(children), n_months, len(self.families))
        counts = monthly_counts(local, np.concatenate(month), np.concatenate(family), shape)
        model = (np.asarray(self.start), np.asarray(self.transition), np.asarray(self.rates))
        return forward_filter(counts, first, model, at=(child, at))
