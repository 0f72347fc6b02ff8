"""What ``bench_validity`` compares: the old and new defaults and the candidate recipes.

A recipe is a model's features, classifier and training dates. The dates, horizon and
top share every recipe is measured on live here too, beside the settings they share.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import riskmodel as rm
from riskmodel.features import FeatureSpec

TRAIN_FIRST, TRAIN_LAST = "2016-04-01", "2021-03-31"
TEST_DATES = pd.date_range("2022-04-01", "2023-03-01", freq="MS")
HORIZON_MONTHS = 12
TOP_SHARE = 0.02
QUARTERLY, MONTHLY = "QS-APR", "MS"
DEMO_CHILDREN, SEED = 20_000, 0
SMALL_TREES = {"max_leaf_nodes": 7, "min_samples_leaf": 500}
STRONG_L2 = {"l2_regularization": 5.0}
OLD_SPEC_FILE = Path(__file__).with_name("old_default_spec.json")
OLD_TREES = {"max_leaf_nodes": 15, "min_samples_leaf": 200, "l2_regularization": 1.0}
TRAIN_LAST_LABEL = "2022-04-01"  # the latest training date's outcome window has ended
LATENT_CHILDREN = 15_000


@dataclass(frozen=True)
class Recipe:
    """How a model is made: its features, its classifier and its training dates.

    Attributes
    ----------
    name : str
        Row label.
    spec : callable
        ``spec(data) -> FeatureSpec`` (the data only matter to learnt features).
    model : callable
        ``model() -> unfitted classifier`` with ``fit(X, y, feature_spec=)``.
    frequency : str
        pandas frequency of the training as-of dates (quarterly or monthly).
    demographics : bool
        Also give the model the fairness groups as inputs
        (``include_demographics=True``): a diagnostic of how much of the gap lies in
        characteristics the model is never given, never a setting to use.
    """

    name: str
    spec: Callable[[rm.LocalAuthorityData], FeatureSpec]
    model: Callable[[], Any]
    frequency: str = QUARTERLY
    demographics: bool = False


def old_default_spec(data: rm.LocalAuthorityData | None = None) -> FeatureSpec:
    """The default features before issue 15, frozen in ``old_default_spec.json``."""
    return FeatureSpec.from_dict(json.loads(OLD_SPEC_FILE.read_text()))


def new_default_spec(data: rm.LocalAuthorityData | None = None) -> FeatureSpec:
    """Today's :func:`~riskmodel.features.default_spec` (with the dynamics features)."""
    return rm.default_spec()


_LATENT: dict[int, FeatureSpec] = {}


def latent_spec(data: rm.LocalAuthorityData) -> FeatureSpec:
    """Today's default features plus latent states fitted, without labels, before the test."""
    from riskmodel.features import fit_latent_states

    if id(data) not in _LATENT:
        latent = fit_latent_states(
            data, until=TRAIN_LAST_LABEL, random_state=SEED, max_children=LATENT_CHILDREN
        )
        _LATENT[id(data)] = latent.extend(rm.default_spec())
    return _LATENT[id(data)]


def look_back_spec(data: rm.LocalAuthorityData | None = None, days: int = 730) -> FeatureSpec:
    """Today's default features with every days-since feature looking back ``days`` only."""
    from riskmodel.features import DaysSince, DaysSinceAny

    spec = rm.default_spec()
    capped = [
        dataclasses.replace(f, within_days=days) if isinstance(f, DaysSince | DaysSinceAny) else f
        for f in spec.features
    ]
    return dataclasses.replace(spec, features=tuple(capped))


def old_default() -> Recipe:
    """The model before issue 15: its classifier settings on the old features, quarterly.

    ``early_stopping="random"`` is what ``RiskClassifier`` did before issue 15 (the
    estimator's own random 10% validation split).
    """
    return Recipe("old default", old_default_spec, _hgb(early_stopping="random", **OLD_TREES))


def new_default() -> Recipe:
    """``RiskClassifier()`` on ``default_spec()``: the library's defaults today."""
    return Recipe("new default", new_default_spec, lambda: rm.RiskClassifier(random_state=SEED))


def _hgb(
    calibration: str | None = "isotonic", early_stopping="temporal_refit", monotone=None, **params
) -> Callable[[], Any]:
    return lambda: rm.RiskClassifier(
        calibration=calibration,
        early_stopping=early_stopping,
        monotone=monotone,
        estimator_params=params or None,
        random_state=SEED,
    )


def _default_with(**params) -> Callable[[], Any]:
    return lambda: rm.RiskClassifier(estimator_params=params, random_state=SEED)


def candidates() -> list[Recipe]:
    """Settings tried beside the defaults (features, classifier, training dates)."""
    old, new = old_default_spec, new_default_spec
    tuned = {**SMALL_TREES, **STRONG_L2}
    return [
        Recipe("old features, tuned, random stop", old, _hgb("temperature", "random", **tuned)),
        Recipe(
            "new features, old trees, random stop", new, _hgb("isotonic", "random", **OLD_TREES)
        ),
        Recipe("new features, tuned, random stop", new, _hgb("temperature", "random", **tuned)),
        Recipe(
            "new features, tuned, temporal stop", new, _hgb("temperature", "temporal", **tuned)
        ),
        Recipe("new features, tuned, temporal refit", new, _hgb("temperature", **tuned)),
        Recipe("new features, tuned, auto calib.", new, _hgb("auto", "random", **tuned)),
        Recipe(
            "new features, tuned, monotone", new, _hgb("temperature", "random", "domain", **tuned)
        ),
        Recipe(
            "new + latent, tuned, random stop", latent_spec, _hgb("temperature", "random", **tuned)
        ),
        Recipe(
            "new default, look-back 730 d",
            look_back_spec,
            lambda: rm.RiskClassifier(random_state=SEED),
        ),
        Recipe("new default, 7 leaves", new, _default_with(max_leaf_nodes=7)),
        Recipe("new default, 5 leaves", new, _default_with(max_leaf_nodes=5)),
        Recipe("new default, up to 500 trees", new, _default_with(max_iter=500)),
        Recipe(
            "diagnostic: + fairness groups",
            new,
            lambda: rm.RiskClassifier(random_state=SEED),
            demographics=True,
        ),
        Recipe(
            "new default, monthly dates",
            new,
            lambda: rm.RiskClassifier(random_state=SEED),
            frequency=MONTHLY,
        ),
    ]
