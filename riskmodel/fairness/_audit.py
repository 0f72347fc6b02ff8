"""The fairness audit: group metrics, disparities and calibration within groups."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskmodel.fairness._disparities import disparity_table, resolve_references
from riskmodel.fairness._group_metrics import (
    N_RISK_BANDS,
    attribute_metrics,
    by_group_table,
    calibration_table,
    row_features,
)
from riskmodel.fairness._inputs import (
    check_aligned,
    check_outcomes,
    check_scores,
    decide,
    encode_clusters,
    encode_groups,
    intersect,
    intersection_names,
)
from riskmodel.fairness._summary import calibration_lines, disparity_lines, suppression_line
from riskmodel.metrics import risk_bands
from riskmodel.metrics._validation import check_sample_weight

__all__ = ["FairnessAudit", "audit_fairness"]


@dataclass(frozen=True, eq=False)
class FairnessAudit:
    """Result of :func:`audit_fairness`: group metrics, disparities and calibration.

    The three tables always have the columns and dtypes listed below, whatever the
    type of the inputs (lists, numpy arrays or pandas objects), so code that reads
    them never needs to branch.

    Attributes
    ----------
    by_group : pandas.DataFrame
        One row per attribute, group and metric (long format), columns
        ``attribute`` (str), ``group`` (str), ``metric`` (str), ``value``, ``lower``,
        ``upper`` (float64; the bootstrap percentile interval), ``n`` (int64, rows
        in the group), ``denominator`` (Int64, the count the metric is a rate over;
        missing when suppressed) and ``suppressed`` (bool). Metrics:
        ``prevalence``, ``selection_rate``, ``tpr``, ``fpr``, ``fnr``, ``tnr``,
        ``precision``, ``fdr``, ``for``, ``npv``, ``auc``, ``mean_score`` and
        ``observed_expected`` (observed entrants over summed scores; below 1 means
        the scores over-predict for the group).
    disparities : pandas.DataFrame
        One row per attribute, non-reference group and compared metric, columns
        ``attribute``, ``group``, ``reference``, ``metric`` (str), ``value``,
        ``reference_value``, ``ratio``, ``lower``, ``upper`` (float64; ``ratio`` is
        value over reference value, the interval is the bootstrap interval of the
        ratio) and ``flagged`` (bool).
    calibration_by_band : pandas.DataFrame
        Mean score against observed rate per attribute, group and merged risk band,
        columns ``attribute``, ``group`` (str), ``band_from``, ``band_to`` (int64,
        risk bands 1-20 of the whole scored population, 20 = highest), ``n``
        (int64), ``mean_score``, ``observed_rate``, ``lower``, ``upper`` (interval of
        the observed rate), ``observed_expected`` (float64) and ``suppressed`` (bool).
    reference : dict of str to str
        The reference group used for each attribute.
    capacity : int or None
        Number of highest scores flagged (per period), if that rule was used.
    threshold : float or None
        Score at or above which a row is flagged, if that rule was used.
    min_group_size : int
        Groups (and band cells) with fewer rows were suppressed.
    n_resamples : int
        Bootstrap replicates behind every interval.
    confidence : float
        Coverage of the intervals.
    parity_range : tuple of float
        Ratios inside this range are not flagged.
    """

    by_group: pd.DataFrame
    disparities: pd.DataFrame
    calibration_by_band: pd.DataFrame
    reference: dict[str, str]
    capacity: int | None
    threshold: float | None
    min_group_size: int
    n_resamples: int
    confidence: float
    parity_range: tuple[float, float]

    def flags(self) -> pd.DataFrame:
        """Return the flagged rows of ``disparities``.

        Returns
        -------
        pandas.DataFrame
            Same columns as ``disparities``, fresh index.
        """
        return self.disparities[self.disparities["flagged"]].reset_index(drop=True)

    def summary(self) -> list[str]:
        """Describe the findings in short plain-English lines.

        Returns
        -------
        list of str
            One line per flagged disparity, one per group whose observed/expected
            ratio lies outside the parity range with an interval excluding 1, and
            one naming the suppressed groups; a single reassuring line when there
            is nothing to report.
        """
        lines = disparity_lines(self.flags(), self.confidence)
        lines += calibration_lines(self.by_group, self.confidence, self.parity_range)
        if not lines:
            low, high = self.parity_range
            lines = [
                f"No disparity outside {low:g}–{high:g} of the reference with a "
                f"{self.confidence:.0%} interval excluding parity, and no group "
                "miscalibrated by as much"
            ]
        return lines + suppression_line(self.by_group, self.min_group_size)


def _check_settings(
    min_group_size: int,
    n_resamples: int,
    confidence: float,
    calibration_bands: int,
    parity_range: tuple[float, float],
) -> None:
    for name, value in (("min_group_size", min_group_size), ("n_resamples", n_resamples)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    if not isinstance(confidence, numbers.Real) or not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    if calibration_bands not in (1, 2, 4, 5, 10, 20):
        raise ValueError(
            "calibration_bands must divide the 20 risk bands evenly (1, 2, 4, 5, 10 or 20), "
            f"got {calibration_bands!r}"
        )
    low, high = parity_range
    if not 0.0 < low < 1.0 < high:
        raise ValueError(
            f"parity_range must be (low, high) with 0 < low < 1 < high, got {parity_range}"
        )


def audit_fairness(
    y_true: object,
    y_score: object,
    groups: object,
    *,
    capacity: int | None = None,
    threshold: float | None = None,
    reference: Mapping[object, object] | None = None,
    intersections: bool | Iterable[Sequence[str]] = False,
    min_group_size: int = 10,
    n_resamples: int = 500,
    confidence: float = 0.95,
    clusters: object = None,
    periods: object = None,
    calibration_bands: int = 5,
    parity_range: tuple[float, float] = (0.8, 1.25),
    random_state: int | np.random.Generator | None = None,
    sample_weight: object = None,
) -> FairnessAudit:
    """Audit a risk score's decisions and calibration across groups.

    Every group of every attribute (and, on request, of intersections of attributes)
    gets its size, prevalence, selection rate, TPR, FPR, FNR, TNR, precision, FDR,
    FOR, NPV, AUC, mean score and observed/expected ratio, each with a bootstrap
    interval, and a calibration table by risk band. Each group's metrics are then
    compared with a reference group as ratios, flagged when the ratio lies outside
    ``parity_range`` (aequitas' 0.8-1.25 rule by default) and its interval excludes 1.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Observed outcome, 0/1 or False/True (for example, care entry within the
        horizon).
    y_score : array-like of shape (n_rows,)
        Calibrated risk scores (probabilities between 0 and 1).
    groups : DataFrame, Series, dict or 1-D array-like
        One column per protected attribute (for example ``sex``, ``ethnic_group``,
        ``disability``, ``deprivation_quintile``, ``age_band``), aligned row by row
        with ``y_true``. Missing values form their own group, ``"(missing)"``.
    capacity : int, optional
        Flag the ``capacity`` highest scores (within each period, when ``periods`` is
        given), the service's decision rule. Equal scores at the cut-off are broken
        by row order: the earlier row is flagged. Give exactly one of ``capacity``
        and ``threshold``.
    threshold : float, optional
        Flag rows whose score is at least ``threshold``.
    reference : dict, optional
        Reference group per attribute, such as ``{"ethnic_group": "White"}``; an
        intersection is named by a tuple of attribute names (or its reported name,
        ``"sex & age_band"``) with a tuple of groups. By default, and for attributes
        not named, the largest group (the first of equally large ones).
    intersections : bool or list of tuples, default False
        ``True`` adds every pair of attributes; a list such as
        ``[("sex", "ethnic_group")]`` adds those combinations.
    min_group_size : int, default 10
        Groups (and risk-band cells) with fewer rows are suppressed, as in official
        statistics: their metrics are NaN and never flagged. Their size is still
        shown in ``n``.
    n_resamples : int, default 500
        Bootstrap replicates. Each row (or each cluster) gets a Poisson(1) weight per
        replicate, which resamples every group and its reference jointly.
    confidence : float, default 0.95
        Coverage of the percentile intervals.
    clusters : array-like, optional
        A cluster id per row, such as the person id when a child appears at several
        as-of dates: all rows of a cluster are resampled together, so repeated rows
        do not narrow the intervals.
    periods : array-like, optional
        A period per row (such as the as-of date); ``capacity`` then applies within
        each period. Only with ``capacity``.
    calibration_bands : int, default 5
        The 20 risk bands are merged into this many equal ranges for
        ``FairnessAudit.calibration_by_band``, to keep counts meaningful.
    parity_range : tuple of float, default (0.8, 1.25)
        Ratios to the reference inside this range are not flagged.
    random_state : int, numpy.random.Generator or None, default None
        Seed of the bootstrap.
    sample_weight : array-like of shape (n_rows,), optional
        A positive weight per row, for a sample of the population (``1 / fraction``
        for a row kept with probability ``fraction``, as
        :func:`~riskmodel.frame.sample_negatives` draws it): a row of weight ``w``
        counts as ``w`` rows everywhere (the capacity, group sizes ``n`` and
        suppression, every rate, the risk bands), exactly as if repeated, so each
        figure is the weighted estimate of the population's. A replicate weights a
        row by its cluster's Poisson draw times its own weight.

    Returns
    -------
    FairnessAudit

    Notes
    -----
    Decisions are made once on the whole input and kept in the bootstrap, which
    measures the sampling uncertainty of each group's metrics under those decisions.
    A metric whose denominator is zero (TPR in a group without entrants, AUC in a
    group with one class) is NaN, not an error. Risk bands are twentieths of all
    rows' scores, as :func:`riskmodel.metrics.risk_bands` assigns them (equal scores
    share the band of their mid-rank).

    A rate of exactly 0 or 1 (no events, or no non-events) is the same in every
    bootstrap replicate, so its interval is a single point; a disparity involving
    such a rate, in the group or the reference, is reported but never flagged.
    Intervals are per comparison and not adjusted for multiplicity: with many groups
    and metrics, an occasional flag can arise by chance, so read each with its
    interval and the group's counts.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(2000) < 0.1
    >>> score = np.clip(0.1 + 0.3 * (y - 0.1) + rng.normal(0, 0.1, 2000), 0, 1)
    >>> sex = rng.choice(["F", "M"], 2000)
    >>> audit = audit_fairness(y, score, {"sex": sex}, capacity=200, random_state=0)
    >>> list(audit.disparities.columns[:4])
    ['attribute', 'group', 'reference', 'metric']
    >>> bool(audit.flags().empty)
    True
    """
    _check_settings(min_group_size, n_resamples, confidence, calibration_bands, parity_range)
    y, index = check_outcomes(y_true)
    check_aligned(index, y_score, "y_score")
    p = check_scores(y_score, len(y))
    weights = check_sample_weight(sample_weight, len(y))
    flagged = decide(
        p, capacity=capacity, threshold=threshold, periods=periods, index=index, weights=weights
    )
    attributes = encode_groups(groups, len(y), index)
    by_name = {a.name: a for a in attributes}
    combos = dict.fromkeys(intersection_names(attributes, intersections))
    attributes += [intersect([by_name[name] for name in combo]) for combo in combos]
    bands = risk_bands(p, n_bands=N_RISK_BANDS, sample_weight=weights)
    band_group = (bands - 1) // (N_RISK_BANDS // calibration_bands)
    results = attribute_metrics(
        attributes,
        row_features(y, flagged, p, band_group, calibration_bands),
        y,
        p,
        clusters=encode_clusters(clusters, len(y), index),
        n_resamples=int(n_resamples),
        rng=np.random.default_rng(random_state),
        weights=weights,
    )
    references = resolve_references(results, reference, min_group_size=min_group_size)
    sizes = {"min_group_size": min_group_size, "confidence": confidence}
    return FairnessAudit(
        by_group=by_group_table(results, **sizes),
        disparities=disparity_table(results, references, parity_range=parity_range, **sizes),
        calibration_by_band=calibration_table(results, **sizes),
        reference=references,
        capacity=None if capacity is None else int(capacity),
        threshold=None if threshold is None else float(threshold),
        min_group_size=int(min_group_size),
        n_resamples=int(n_resamples),
        confidence=float(confidence),
        parity_range=(float(parity_range[0]), float(parity_range[1])),
    )
