"""Population drift between the training data and a scoring run.

The training side is kept as a :class:`FeatureProfile`: per feature, quantile bin
edges, the share of rows in each bin and the missing rate. It holds aggregates only,
so it can be stored beside the model in MLflow; no child-level row is needed to check
drift later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._warnings import warn_caller

__all__ = [
    "PSI_ALERT",
    "DriftWarning",
    "FeatureProfile",
    "bin_counts",
    "check_drift",
    "feature_bins",
    "population_stability",
    "profile_features",
    "row_bins",
    "stability_table",
    "used_profile",
    "warn_drift",
]

PSI_ALERT = 0.25
"""PSI above which a feature's distribution has shifted materially (a common rule)."""
PSI_WATCH = 0.10
_EPS = 1e-4


class DriftWarning(UserWarning):
    """The population scored differs materially from the one the model was trained on."""


@dataclass(frozen=True)
class FeatureProfile:
    """Aggregate distribution of each feature in the training data.

    Attributes
    ----------
    edges : dict of str to list of float
        Interior bin edges per feature (quantiles of the non-missing values).
    shares : dict of str to list of float
        Share of all rows per bin: ``len(edges) + 1`` value bins, then the missing
        values as a bin of their own (so a mostly-missing feature is compared on
        what is typical of it, not on its few recorded values alone).
    missing : dict of str to float
        Missing rate per feature.
    n_rows : int
        Rows profiled.
    """

    edges: Mapping[str, list[float]]
    shares: Mapping[str, list[float]]
    missing: Mapping[str, float]
    n_rows: int

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict (for MLflow's ``log_dict``)."""
        return {
            "edges": {k: list(v) for k, v in self.edges.items()},
            "shares": {k: list(v) for k, v in self.shares.items()},
            "missing": dict(self.missing),
            "n_rows": self.n_rows,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> FeatureProfile:
        """Rebuild a profile from :meth:`to_dict` output."""
        return cls(data["edges"], data["shares"], data["missing"], int(data["n_rows"]))


def feature_bins(column: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Return each value's bin: ``0 .. len(edges)`` for values, ``len(edges) + 1`` if missing.

    The bins of :class:`FeatureProfile`: value bins split at ``edges`` (a value equal
    to an edge goes to the bin above it), then the missing values.
    """
    column = np.asarray(column, dtype="float64")
    edges = np.asarray(edges, dtype="float64")
    bins = np.searchsorted(edges, column, side="right")
    return np.where(np.isnan(column), len(edges) + 1, bins)


def _bin_shares(column: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Shares of the rows in each value bin, and (last) of the missing rows."""
    counts = np.bincount(feature_bins(column, edges), minlength=len(edges) + 2)
    return counts / max(counts.sum(), 1)


def _numeric(X: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(X[name], errors="coerce").astype("float64").to_numpy()


def profile_features(X: pd.DataFrame, *, n_bins: int = 10) -> FeatureProfile:
    """Profile the numeric features of a training frame.

    Parameters
    ----------
    X : pandas.DataFrame
        Training features.
    n_bins : int, default 10
        Quantile bins per feature (fewer when a feature has few distinct values).

    Returns
    -------
    FeatureProfile
    """
    edges, shares, missing = {}, {}, {}
    for name in X.columns:
        column = _numeric(X, name)
        present = column[~np.isnan(column)]
        missing[str(name)] = float(1 - len(present) / max(len(column), 1))
        if len(present):
            qs = np.quantile(present, np.linspace(0, 1, n_bins + 1)[1:-1])
            cut = np.unique(qs)
        else:
            cut = np.array([], dtype=float)
        edges[str(name)] = cut.tolist()
        shares[str(name)] = _bin_shares(column, cut).tolist()
    return FeatureProfile(edges, shares, missing, int(len(X)))


def bin_counts(profile: FeatureProfile, X: pd.DataFrame) -> dict[str, np.ndarray]:
    """Count the rows of ``X`` in each bin of the profile, for the profiled features it has.

    Parameters
    ----------
    profile : FeatureProfile
        The training profile, whose bins are counted.
    X : pandas.DataFrame
        The features being scored.

    Returns
    -------
    dict of str to numpy.ndarray
        Per profiled feature that ``X`` has, the int64 counts of its value bins and
        (last) of its missing values: :func:`stability_table` turns them into PSI.
        Counts of parts of a population add up to the counts of the whole.
    """
    return {
        name: np.bincount(bins, minlength=len(profile.edges[name]) + 2).astype("int64")
        for name, bins in row_bins(profile, X).items()
    }


def row_bins(profile: FeatureProfile, X: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return each row's bin (:func:`feature_bins`) per profiled feature that ``X`` has."""
    return {
        name: feature_bins(_numeric(X, name), np.asarray(cut, dtype=float))
        for name, cut in profile.edges.items()
        if name in X.columns
    }


def population_stability(profile: FeatureProfile, X: pd.DataFrame) -> pd.DataFrame:
    """Compare a scoring frame with the training profile, feature by feature.

    The population stability index is
    ``sum((current - expected) * ln(current / expected))`` over the training bins
    (value bins plus a bin for missing values), with shares floored at 1e-4 so that an
    empty bin never divides by zero. The same as
    ``stability_table(profile, bin_counts(profile, X))``.

    Parameters
    ----------
    profile : FeatureProfile
        From :func:`profile_features` on the training data.
    X : pandas.DataFrame
        The features being scored.

    Returns
    -------
    pandas.DataFrame
        One row per profiled feature, sorted by PSI (largest first): ``feature``,
        ``psi``, ``missing_rate_training``, ``missing_rate_now``, ``status``
        (``"stable"``, ``"watch"`` above 0.10, ``"alert"`` above 0.25 or when the
        feature is absent).
    """
    return stability_table(profile, bin_counts(profile, X))


def stability_table(profile: FeatureProfile, counts: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Return :func:`population_stability`'s table from the bin counts of the scored rows.

    Parameters
    ----------
    profile : FeatureProfile
        The training profile.
    counts : mapping of str to array of int
        Per feature, the rows in each of its bins (as :func:`bin_counts` returns; a
        profiled feature without counts is absent from the scored frame).

    Returns
    -------
    pandas.DataFrame
        As :func:`population_stability`.
    """
    rows = []
    for name in profile.edges:
        expected = np.maximum(np.asarray(profile.shares[name], dtype=float), _EPS)
        if name not in counts:
            rows.append((name, np.inf, profile.missing[name], 1.0))
            continue
        found = np.asarray(counts[name], dtype="int64")
        total = max(int(found.sum()), 1)
        current = np.maximum(found / total, _EPS)
        psi = float(np.sum((current - expected) * np.log(current / expected)))
        now = float(1 - (int(found.sum()) - int(found[-1])) / total)
        rows.append((name, psi, profile.missing[name], now))
    out = pd.DataFrame(
        rows, columns=["feature", "psi", "missing_rate_training", "missing_rate_now"]
    )
    out["status"] = np.select(
        [out["psi"] > PSI_ALERT, out["psi"] > PSI_WATCH], ["alert", "watch"], default="stable"
    )
    return out.sort_values("psi", ascending=False, kind="stable").reset_index(drop=True)


def check_drift(
    profile: FeatureProfile | Mapping | None, X: pd.DataFrame, notes: list[str]
) -> pd.DataFrame | None:
    """Measure drift of the features in ``X`` against the training profile, warning on alerts.

    Parameters
    ----------
    profile : FeatureProfile, dict or None
        The training profile (or its :meth:`FeatureProfile.to_dict`); None measures
        nothing.
    X : pandas.DataFrame
        The scored features, only those the model uses: features of the profile
        that ``X`` lacks are left out.
    notes : list of str
        Receives the alert message, if any.

    Returns
    -------
    pandas.DataFrame or None
        :func:`population_stability` of the used features; None without a profile.

    Warns
    -----
    DriftWarning
        When a feature's PSI is above :data:`PSI_ALERT`.
    """
    profile = used_profile(profile, X.columns)
    if profile is None:
        return None
    return warn_drift(population_stability(profile, X), notes)


def used_profile(profile: FeatureProfile | Mapping | None, used: Any) -> FeatureProfile | None:
    """Return the profile of the ``used`` features only (None without a profile).

    Parameters
    ----------
    profile : FeatureProfile, dict or None
        The training profile (or its :meth:`FeatureProfile.to_dict`).
    used : iterable of str
        The features the model uses.
    """
    if profile is None:
        return None
    if not isinstance(profile, FeatureProfile):
        profile = FeatureProfile.from_dict(profile)
    used = set(used)
    return FeatureProfile(
        {k: v for k, v in profile.edges.items() if k in used},
        {k: v for k, v in profile.shares.items() if k in used},
        {k: v for k, v in profile.missing.items() if k in used},
        profile.n_rows,
    )


def warn_drift(drift: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Note and warn (:class:`DriftWarning`) about the alerts of a drift table; return it."""
    alerts = drift[drift["status"] == "alert"]
    if len(alerts):
        message = (
            f"{len(alerts)} feature(s) drifted beyond PSI {PSI_ALERT} since training: "
            + ", ".join(f"{r.feature} ({r.psi:.2f})" for r in alerts.head(5).itertuples())
        )
        notes.append(message)
        warn_caller(message, DriftWarning)
    return drift
