"""Benchmark: the as-of feature builder against a plain pandas loop over the dates.

Run with ``python -m benchmarks.bench_features`` (about 3 minutes on 2 cores). It
generates a synthetic authority with numpy (200,000 children, 5,000,000 events,
care episodes for about 4% of the children), then, at 24 monthly as-of dates for
every child (4.8 million rows):

1. times ``build_features`` for counts of every event type over 90, 180, 365 and
   730 days and ever, and the same counts with a plain pandas loop over the dates
   (filter events before the date and in the window, group by child and type,
   count); asserts the two tables equal;
2. times ``build_features`` with the default specification (all features), for
   every child and for cohort-like keys (children aged 10 to 17 at each date).

Peak memory is the process's peak resident set size during each step, with the
data already loaded (Linux ``VmHWM``, reset before each step through
``/proc/self/clear_refs``); where that reset is not possible, the process peak since
start (``ru_maxrss``) is shown instead and marked.
"""

from __future__ import annotations

import argparse
import gc
import re
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from riskmodel.data import EVENT_TYPES, LocalAuthorityData
from riskmodel.features import Count, EventFamily, FeatureSpec, build_features, default_spec

WINDOWS = (90, 180, 365, 730, None)
UNKNOWN_TYPES = ("foster_carer_enquiry", "housing_referral")
FACTORS = ("1B", "2B", "3A", "3B", "3C", "4A", "4B", "10A", "11A", "13A", "16A", "18B", "24A")
START, END = np.datetime64("2012-04-01", "D"), np.datetime64("2024-03-31", "D")
_SPAN = int((END - START).astype(np.int64))


def make_data(n_children: int = 200_000, n_events: int = 5_000_000, seed: int = 0):
    """A synthetic authority built with numpy only (shape, not realism, matters here)."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:07d}" for i in range(n_children)], dtype=object)
    dob = np.datetime64("2000-01-01") + rng.integers(0, 17 * 365, n_children)
    persons = pd.DataFrame(
        {
            "person_id": ids,
            "date_of_birth": dob.astype("datetime64[ns]"),
            "sex": rng.choice(np.array(["F", "M"], dtype=object), n_children),
            "household_id": ids[rng.integers(0, n_children // 2, n_children) * 2],
        }
    )
    types = np.array(EVENT_TYPES + UNKNOWN_TYPES, dtype=object)
    weights = rng.gamma(1.0, 1.0, len(types))
    activity = rng.gamma(0.5, 2.0, n_children)  # some children have far more events
    person = rng.choice(n_children, n_events, p=activity / activity.sum())
    event_type = rng.choice(types, n_events, p=weights / weights.sum())
    day = START + rng.integers(0, _SPAN, n_events)
    code = np.full(n_events, None, dtype=object)
    factor = event_type == "assessment_factor"
    code[factor] = rng.choice(np.array(FACTORS, dtype=object), int(factor.sum()))
    plan = event_type == "cp_plan_start"
    code[plan] = rng.choice(np.array(["NEG", "PHY", "EMO"], dtype=object), int(plan.sum()))
    value = np.where(event_type == "absence_rate", rng.random(n_events) * 0.5, np.nan)
    events = pd.DataFrame(
        {
            "person_id": ids[person],
            "event_date": day.astype("datetime64[ns]"),
            "event_type": event_type,
            "code": code,
            "value": value,
        }
    )
    return LocalAuthorityData(persons, events, _episodes(rng, ids), extract_date=str(END))


def _episodes(rng: np.random.Generator, ids: np.ndarray) -> pd.DataFrame:
    looked_after = rng.choice(len(ids), len(ids) // 25, replace=False)
    start = START + rng.integers(0, _SPAN, len(looked_after))
    length = rng.integers(1, 900, len(looked_after))
    end = (start + length).astype("datetime64[ns]")
    open_ = start + length > END
    return pd.DataFrame(
        {
            "person_id": ids[looked_after],
            "start_date": start.astype("datetime64[ns]"),
            "end_date": np.where(open_, np.datetime64("NaT"), end),
            "legal_status": rng.choice(np.array(["C2", "V2", "V3"], dtype=object), len(start)),
            "reason_episode_ceased": np.where(open_, None, "E13"),
        }
    )


def count_spec(event_types) -> FeatureSpec:
    """Counts of every event type over each window, as the pandas loop computes them."""
    features = []
    for event_type in sorted(event_types):
        family = EventFamily(event_type, event_type, f"{event_type} events")
        features += [Count(family, w) for w in WINDOWS]
    return FeatureSpec(tuple(features), count_other_event_types=False)


def pandas_counts(data: LocalAuthorityData, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """The plain pandas loop over the dates computing the same counts."""
    events = data.events[["person_id", "event_type", "event_date"]]
    persons = pd.Index(data.persons["person_id"]).sort_values()
    types = sorted(events["event_type"].unique())
    blocks = []
    for as_of in dates:
        before = events[events["event_date"] < as_of]
        block = {}
        for window in WINDOWS:
            inside = before
            if window is not None:
                inside = before[before["event_date"] >= as_of - pd.Timedelta(days=window)]
            counts = inside.groupby(["person_id", "event_type"]).size().unstack(fill_value=0)
            counts = counts.reindex(index=persons, columns=types, fill_value=0)
            suffix = "ever" if window is None else f"{window}d"
            for event_type in types:
                block[f"{event_type}_count_{suffix}"] = counts[event_type].to_numpy(np.int32)
        index = pd.MultiIndex.from_product([persons, [as_of]], names=["person_id", "as_of_date"])
        blocks.append(pd.DataFrame(block, index=index))
    return pd.concat(blocks)


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_gb(reset_worked: bool) -> str:
    if reset_worked:
        return f"{_status_gb('VmHWM'):.2f} GB"
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB (since start)"


def _status_gb(field: str) -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(field + r":\s+(\d+)", status).group(1)) / 1e6


def _timed(label: str, func, *args):
    gc.collect()
    reset = _reset_peak()
    before = _status_gb("VmRSS")
    began = time.perf_counter()
    result = func(*args)
    seconds = time.perf_counter() - began
    print(f"{label:<42} {seconds:7.1f} s   peak {_peak_gb(reset)} (RSS before {before:.2f} GB)")
    return result, seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--dates", type=int, default=24)
    args = parser.parse_args(argv)

    began = time.perf_counter()
    data = make_data(args.children, args.events)
    dates = pd.date_range("2022-04-01", periods=args.dates, freq="MS").astype("datetime64[ns]")
    print(
        f"data: {len(data.persons):,} children, {len(data.events):,} events, "
        f"{len(data.care_episodes):,} care episodes; {len(dates)} monthly as-of dates "
        f"({len(data.persons) * len(dates):,} rows); made in {time.perf_counter() - began:.0f} s"
    )
    spec = count_spec(data.events["event_type"].unique())
    built, t_build = _timed(
        f"build_features, {len(spec)} counts", build_features, data, dates, spec
    )
    looped, t_loop = _timed(
        f"pandas loop over dates, {len(spec)} counts", pandas_counts, data, dates
    )
    pd.testing.assert_frame_equal(built, looped[built.columns], check_exact=True)
    print(f"outputs equal; build_features is {t_loop / t_build:.1f}x faster than the pandas loop")
    del built, looped
    full, _ = _timed("build_features, default spec", build_features, data, dates, default_spec())
    size = full.memory_usage(deep=False).sum() / 1e9
    print(f"default spec: {full.shape[1]} features, table of {size:.2f} GB")
    del full
    keys = cohort_like_keys(data, dates)
    _timed(
        f"build_features, default spec, {len(keys):,} keys",
        lambda: build_features(data, keys=keys),
    )


def cohort_like_keys(data: LocalAuthorityData, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """The rows a cohort would pass: children aged 10 to 17, by as-of date then child."""
    persons = data.persons.sort_values("person_id")
    frames = []
    for as_of in dates:
        age = (as_of - persons["date_of_birth"]).dt.days / 365.25
        ids = persons.loc[(age >= 10) & (age < 18), "person_id"]
        frames.append(pd.DataFrame({"person_id": ids.to_numpy(), "as_of_date": as_of}))
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    main()
