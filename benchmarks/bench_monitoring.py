"""Monitoring eight lists of 100,000 children: python -m benchmarks.bench_monitoring.

A hand-made authority of 100,000 children aged 10-17 (sex, ethnicity, disability,
deprivation, dates of birth; care entries drawn from each child's risk) and a score
history of eight quarterly runs of all of them (scores rounded to 3 decimals, as a
calibrated model's plateaus make ties; 50 flagged a run; the last runs partial).
Timed, best of 2:

1. ``realised_performance(data, history)`` with the default ``n_resamples=500``, on
   one core and with ``n_jobs=-1`` (runs in parallel):
   outcomes, whole-list metrics with intervals, pooled rows, the fairness audit of
   every run by the five demographic groups, calibration, near cut-off, caveats;
2. the baseline, measured in the same run: ``audit_fairness`` alone on the same eight
   runs, outcomes and groups made ready beforehand: the part monitoring cannot avoid.

The target is under 30 s for (1) on this machine's two cores.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd

from benchmarks._timing import best_of
from riskmodel.data import LocalAuthorityData
from riskmodel.fairness import audit_fairness
from riskmodel.metrics import risk_bands
from riskmodel.monitoring import realised_performance
from riskmodel.monitoring._groups import history_groups
from riskmodel.monitoring._outcomes import realised_outcomes

N_CHILDREN = 100_000
DATES = pd.date_range("2022-04-01", periods=8, freq="QS-APR")
CAPACITY = 50


def make_data(rng: np.random.Generator) -> tuple[LocalAuthorityData, np.ndarray]:
    """An authority of children aged 10-17 throughout, with care entries drawn from risk."""
    ids = np.array([f"C{i:07d}" for i in range(N_CHILDREN)])
    dob = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, N_CHILDREN), "D")
    risk = rng.beta(1, 60, N_CHILDREN)
    enters = rng.random(N_CHILDREN) < risk * 2
    start = pd.Timestamp("2022-04-02") + pd.to_timedelta(rng.integers(0, 700, enters.sum()), "D")
    persons = pd.DataFrame(
        {
            "person_id": ids,
            "date_of_birth": dob,
            "sex": rng.choice(["F", "M"], N_CHILDREN),
            "ethnicity": rng.choice(["WBRI", "BAFR", "ABAN", "MWBC", "OOTH"], N_CHILDREN),
            "disability": rng.random(N_CHILDREN) < 0.1,
            "imd_decile": rng.integers(1, 11, N_CHILDREN),
        }
    )
    episodes = pd.DataFrame({"person_id": ids[enters], "start_date": start, "legal_status": "C2"})
    events = pd.DataFrame(columns=["person_id", "event_date", "event_type"])
    return LocalAuthorityData(persons, events, episodes, extract_date="2024-03-31"), risk


def make_history(risk: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Eight runs of every child, in rank order, as read_score_history returns them."""
    runs = []
    for date in DATES:
        score = np.clip(np.round(risk * rng.lognormal(0, 0.4, len(risk)), 3), 0, 1)
        order = np.argsort(-score, kind="stable")
        runs.append(
            pd.DataFrame(
                {
                    "person_id": np.array([f"C{i:07d}" for i in order]),
                    "as_of_date": date,
                    "risk_score": score[order],
                    "risk_band": risk_bands(score[order]),
                    "rank": np.arange(1, len(order) + 1),
                    "flagged": np.arange(len(order)) < CAPACITY,
                    "model_name": "bench",
                    "model_version": "1",
                }
            )
        )
    return pd.concat(runs, ignore_index=True)


def audit_inputs(data: LocalAuthorityData, history: pd.DataFrame) -> list[tuple]:
    """Outcomes and groups of each run, made ready (not timed) for the baseline."""
    outcomes = realised_outcomes(data, history)
    every_group = history_groups(data, outcomes)
    return [
        (
            run["entered_care"].to_numpy(),
            run["risk_score"].to_numpy(),
            every_group.loc[run.index].reset_index(drop=True).astype("category"),
        )
        for _, run in outcomes.groupby("as_of_date")
    ]


def audit_only(inputs: list[tuple]) -> None:
    """The baseline: the fairness audit of each run, on ready outcomes and groups."""
    for y, score, groups in inputs:
        audit_fairness(y, score, groups, capacity=CAPACITY, random_state=0)


def main() -> None:
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    data, risk = make_data(rng)
    history = make_history(risk, rng)
    results = []

    def monitor(n_jobs: int | None) -> None:
        results.append(realised_performance(data, history, random_state=0, n_jobs=n_jobs))

    serial = best_of(lambda: monitor(None), 2)
    parallel = best_of(lambda: monitor(-1), 2)
    inputs = audit_inputs(data, history)
    base = best_of(lambda: audit_only(inputs), 2)
    runs = results[0].runs
    print(
        f"{len(runs)} runs x {N_CHILDREN:,} children ({int(runs['complete'].sum())} complete, "
        f"{int(runs['entrants'].sum()):,} entrants): realised_performance {serial:.1f} s "
        f"on one core, {parallel:.1f} s with n_jobs=-1 ({os.cpu_count()} cores; target "
        f"< 30 s); audit_fairness alone, one core, {base:.1f} s; ratios {serial / base:.2f}x "
        f"and {parallel / base:.2f}x"
    )


if __name__ == "__main__":
    main()
