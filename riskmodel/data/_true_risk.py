"""What a source of true care-entry probabilities offers, such as a synthetic ground truth.

Real data have no such source: their ``truth`` is None. The synthetic authority's
:class:`~riskmodel.data.GroundTruth` is one; the core tables only need to know what
it offers, not how it is made.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = ["TrueRisk"]


class TrueRisk(Protocol):
    """The true probability of a care entry for any child at any as-of date.

    :class:`~riskmodel.data.LocalAuthorityData` holds one as ``truth`` when the data
    come with a known generating process (synthetic data); the backtest's
    ``"best possible"`` row scores these probabilities.
    """

    def probability(
        self, person_ids: ArrayLike, as_of_dates: object, horizon_months: int = 12
    ) -> np.ndarray:
        """Return the true probability of a care entry within ``horizon_months``.

        Parameters
        ----------
        person_ids : array-like of str
            The children.
        as_of_dates : date-like or array-like of date-like
            One date for all rows, or one per row.
        horizon_months : int, default 12
            Length of the window in calendar months.

        Returns
        -------
        numpy.ndarray of float
            One probability per row.
        """

    def for_keys(self, keys: pd.DataFrame, *, horizon_months: int) -> np.ndarray:
        """Return the true probability of each row of a frame's keys, in their order.

        Parameters
        ----------
        keys : pandas.DataFrame
            Columns ``person_id`` and ``as_of_date``, such as a training frame's
            ``keys``.
        horizon_months : int
            Length of the window in calendar months.

        Returns
        -------
        numpy.ndarray of float of shape (len(keys),)
        """
