"""Validity side by side: python -m benchmarks.bench_validity [--children N] [--candidates].

On a synthetic authority (60,000 children, seed 0 by default) every model is fitted
on as-of dates up to 2021-03-31, whose 12-month outcomes are all known by
2022-03-31, and measured on the monthly as-of dates from 2022-04-01 to 2023-03-01,
whose outcome windows are complete before the data end. Printed side by side: the
old default model, the new default, the best rule (the better of the backtest's
default baselines, metric by metric), the best achievable from the records (when
the library offers it) and the exact truth, each with AUC, average precision,
precision among the top 2% at each date (averaged over dates), calibration slope and
observed/expected. Then the targets: the share of the gap between the old default
and the best achievable that the new default closes (AP and top 2%), and the new
default's top-2% precision minus the best rule's, each with a child-clustered 95%
interval (paired: the children of a resample are the same for every score). Last,
affordability on the demo authority (20,000 children, seed 0): the new default's fit
time over the old one's, and ``score_features`` over bare ``predict_proba``.

``--candidates`` also measures the candidate settings of ``_recipes.candidates`` on the
same dates, ``--recipes look-back`` only those whose names contain the given parts;
``--seeds 0,1,2`` measures several authorities one after the other, then pools them:
the gap shares as a ratio of the summed gains to the summed gaps, with one interval
(:func:`~benchmarks._validity.gap_shares`);
``--no-affordability`` skips the timing on the demo authority; ``--where-missed``
prints where the new default falls short of the best achievable (the top half per
cent of each date's achievable list, and the features over-represented among the
child-dates there that the new default ranks below its top 2%). Nothing is cached on
disk.
"""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

import riskmodel as rm
from benchmarks._recipes import (
    DEMO_CHILDREN,
    HORIZON_MONTHS,
    SEED,
    TEST_DATES,
    TOP_SHARE,
    TRAIN_FIRST,
    TRAIN_LAST,
    Recipe,
    candidates,
    new_default,
    old_default,
)
from benchmarks._timing import best_of
from benchmarks._validity import METRICS, gap_shares, paired_difference, summarise, where_missed
from riskmodel.evaluation import default_baselines
from riskmodel.scoring import score_features

__all__ = ["Frames", "affordability", "fit_recipe", "main", "measure"]


class Frames:
    """Training and test frames of one authority, built once per spec and frequency."""

    def __init__(self, data: rm.LocalAuthorityData) -> None:
        self.data = data
        self._built: dict[tuple, rm.TrainingFrame] = {}

    def _frame(self, recipe: Recipe, dates: pd.DatetimeIndex, key: tuple) -> Any:
        spec, groups = recipe.spec(self.data), recipe.demographics
        key = (spec.names, groups, *key)
        if key not in self._built:
            self._built[key] = rm.build_training_frame(
                self.data, dates, HORIZON_MONTHS, spec, include_demographics=groups
            )
        return self._built[key]

    def train(self, recipe: Recipe) -> rm.TrainingFrame:
        """The recipe's training frame."""
        dates = pd.date_range(TRAIN_FIRST, TRAIN_LAST, freq=recipe.frequency)
        return self._frame(recipe, dates, ("train", recipe.frequency))

    def test(self, recipe: Recipe) -> rm.TrainingFrame:
        """The recipe's features at the test dates."""
        return self._frame(recipe, TEST_DATES, ("test",))


def fit_recipe(recipe: Recipe, frames: Frames) -> tuple[Any, float]:
    """Fit the recipe on its training frame; return the model and the fit's seconds."""
    frame = frames.train(recipe)
    model = recipe.model()
    start = time.perf_counter()
    # the fairness groups are columns no feature specification builds
    model.fit(frame.X, frame.y, feature_spec=None if recipe.demographics else frame.spec)
    return model, time.perf_counter() - start


def _scores(recipes: list[Recipe], frames: Frames) -> tuple[dict, dict, rm.TrainingFrame]:
    """Test-date probabilities, (model, fit seconds) per recipe, and the reference test frame."""
    reference = frames.test(old_default())
    scores, fitted = {}, {}
    for recipe in recipes:
        model, seconds = fit_recipe(recipe, frames)
        fitted[recipe.name] = (model, seconds)
        test = frames.test(recipe)
        if not test.keys.equals(reference.keys):
            raise ValueError(f"{recipe.name}: its test rows differ from the old default's")
        scores[recipe.name] = model.predict_proba(test.X)[:, 1]
        n_iter = getattr(model, "n_iter_", None)
        print(f"   fitted {recipe.name} in {seconds:.1f} s ({n_iter} iterations)", flush=True)
    return scores, fitted, reference


def _best_rule(frames: Frames, y: np.ndarray, dates: np.ndarray) -> tuple[dict, np.ndarray]:
    """The better default baseline per metric, and the scores of the one best at top 2%."""
    train, test = frames.train(old_default()), frames.test(old_default())
    scores = [
        rule.fit(train.X, train.y).predict_proba(test.X)[:, 1]
        for rule in default_baselines().values()
    ]
    rows = [summarise(y, p, dates, TOP_SHARE) for p in scores]
    best = {m: max(r[m] for r in rows) for m in ("auc", "ap", "top2")}
    for m in ("slope", "oe"):
        best[m] = min((r[m] for r in rows), key=lambda v: abs(np.log(v)) if v > 0 else np.inf)
    top = max(range(len(rows)), key=lambda i: rows[i]["top2"])
    return best, scores[top]


def _achievable(data: rm.LocalAuthorityData, keys: pd.DataFrame) -> np.ndarray | None:
    """The best achievable from the records, when the library provides it."""
    achievable = getattr(data.truth, "achievable_for_keys", None)
    if achievable is None:
        return None
    return achievable(data, keys, horizon_months=HORIZON_MONTHS)


def _print_table(rows: dict[str, dict]) -> None:
    print(f"   {'':30} {'AUC':>7} {'AP':>7} {'top 2%':>7} {'slope':>7} {'O/E':>7}")
    for name, row in rows.items():
        cells = " ".join(
            f"{row[m]:7.4f}" if np.isfinite(row[m]) else f"{'n/a':>7}" for m in METRICS
        )
        print(f"   {name:30} {cells}")


def _print_shares(authorities: list[dict], label: str = "the new default") -> None:
    shares = gap_shares(authorities, share=TOP_SHARE)
    for m, name in (("ap", "average precision"), ("top2", "top-2% precision")):
        share, lower, upper = shares[m]
        print(
            f"   {name}: {label} closes {share:.0%} of the gap (target >= 50%; 95% "
            f"child-clustered interval {lower:.0%} to {upper:.0%})"
        )


def _print_targets(authority: dict, rule: np.ndarray) -> None:
    if "best" in authority:
        _print_shares([authority])
    else:
        print("   gap shares n/a (best achievable not in the library yet)")
    y, new, dates, children = (authority[k] for k in ("y", "new", "dates", "children"))
    diff, lower, upper = paired_difference(y, new, rule, dates, children, share=TOP_SHARE)
    verdict = "excludes 0" if lower > 0 or upper < 0 else "includes 0"
    print(
        f"   top-2% precision, new default minus best rule: {diff:+.4f} "
        f"(95% child-clustered paired interval {lower:+.4f} to {upper:+.4f}; {verdict})"
    )


def _print_missed(y, new, achievable, dates, X) -> None:
    facts, features = where_missed(y, new, achievable, dates, X)
    print(
        f"   top 0.5% of each date: best achievable {facts['rate']:.1%} enter care "
        f"({facts['rows']:,} child-dates), new default {facts['model_rate']:.1%}; "
        f"{facts['missed']:,} of the achievable's are below the new default's top 2% "
        f"({facts['missed_rate']:.1%} enter care; mean probability new default "
        f"{facts['missed_model']:.3f}, achievable {facts['missed_achievable']:.3f}); "
        "features most over-represented among them:"
    )
    print(features.round(3).to_string())


def measure(
    data: rm.LocalAuthorityData, chosen: list[Recipe], *, missed: bool = False
) -> tuple[Frames, dict, dict | None]:
    """Print the side-by-side table and the targets.

    Returns the frames, the fitted models, and the test rows' ``y``, ``old``, ``new``,
    ``best``, ``dates`` and ``children`` for :func:`~benchmarks._validity.gap_shares`
    (None without the best achievable).
    """
    frames = Frames(data)
    recipes = [old_default(), new_default(), *chosen]
    scores, fitted, test = _scores(recipes, frames)
    y = test.y.to_numpy().astype(float)
    dates = test.keys["as_of_date"].to_numpy()
    rows = {name: summarise(y, p, dates, TOP_SHARE) for name, p in scores.items()}
    rows["best rule"], rule_scores = _best_rule(frames, y, dates)
    achievable = _achievable(data, test.keys)
    if achievable is not None:
        rows["best achievable"] = summarise(y, achievable, dates, TOP_SHARE)
    truth = data.truth.for_keys(test.keys, horizon_months=HORIZON_MONTHS)
    rows["truth"] = summarise(y, truth, dates, TOP_SHARE)
    print(
        f"   test: {len(y):,} child-dates at {len(TEST_DATES)} monthly dates, "
        f"{int(y.sum())} care entries ({y.mean():.3%})"
    )
    _print_table(rows)
    authority = {"y": y, "old": scores["old default"], "new": scores["new default"]}
    authority.update(dates=dates, children=test.keys["person_id"].to_numpy(), scores=scores)
    if achievable is not None:
        authority["best"] = achievable
    _print_targets(authority, rule_scores)
    if missed and achievable is not None:
        _print_missed(y, scores["new default"], achievable, dates, frames.test(new_default()).X)
    return frames, fitted, authority if achievable is not None else None


def affordability(frames: Frames, fitted: dict | None) -> None:
    """Print the new default's fit time over the old one's, and scoring over predict_proba."""
    if fitted is None:
        _, old_s = fit_recipe(old_default(), frames)
        new_model, new_s = fit_recipe(new_default(), frames)
    else:
        (_, old_s), (new_model, new_s) = fitted["old default"], fitted["new default"]
    test = frames.test(new_default())
    reps = int(np.ceil(200_000 / len(test.X)))
    X = pd.concat([test.X] * reps, ignore_index=True)
    ids = np.array([f"C{i:07d}" for i in range(len(X))])
    bare = best_of(lambda: new_model.predict_proba(X))
    lib = best_of(lambda: score_features(new_model, X, ids, 50))
    print(
        f"   demo authority ({DEMO_CHILDREN:,} children): fit old default {old_s:.1f} s, "
        f"new default {new_s:.1f} s ({new_s / old_s:.2f}x; target <= 3x); on {len(X):,} rows "
        f"predict_proba {bare:.2f} s, score_features {lib:.2f} s ({lib / bare:.2f}x; "
        "target <= 1.3x)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_validity")
    parser.add_argument("--children", type=int, default=60_000, help="default 60,000")
    parser.add_argument("--seed", type=int, default=SEED, help="of the authority; default 0")
    parser.add_argument(
        "--seeds", default="", help="several authorities (comma-separated seeds), then pooled"
    )
    parser.add_argument("--candidates", action="store_true", help="also the candidates")
    parser.add_argument(
        "--recipes", default="", help="only these candidates (comma-separated parts of names)"
    )
    parser.add_argument("--no-affordability", action="store_true", help="skip the timing")
    parser.add_argument(
        "--where-missed", action="store_true", help="where the new default misses the best"
    )
    args = parser.parse_args(argv)
    wanted = [w.strip() for w in args.recipes.split(",") if w.strip()]
    chosen = [r for r in candidates() if args.candidates or any(w in r.name for w in wanted)]
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    seeds = [int(v) for v in args.seeds.split(",") if v.strip()] or [args.seed]
    pooled = []
    for seed in seeds:
        data = rm.make_local_authority(n_children=args.children, random_state=seed)
        print(
            f"   authority of {args.children:,} children (seed {seed}); train {TRAIN_FIRST} "
            f"to {TRAIN_LAST}, test {TEST_DATES[0].date()} to {TEST_DATES[-1].date()}"
        )
        frames, fitted, authority = measure(data, chosen, missed=args.where_missed)
        pooled += [authority] if authority is not None else []
    if len(pooled) > 1:
        print(f"   pooled over {len(pooled)} authorities (seeds {args.seeds}):")
        for recipe in [new_default(), *chosen]:
            label = "the new default" if recipe.name == "new default" else f"'{recipe.name}'"
            _print_shares([{**a, "new": a["scores"][recipe.name]} for a in pooled], label)
    if not args.no_affordability:
        if (args.children, seeds[-1]) != (DEMO_CHILDREN, SEED):
            frames = Frames(rm.make_local_authority(n_children=DEMO_CHILDREN, random_state=SEED))
            fitted = None
        affordability(frames, fitted)
    print(f"   whole run: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
