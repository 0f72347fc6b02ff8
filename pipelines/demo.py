"""The main job end to end on the synthetic authority (``make demo``), as an authority runs it.

Synthesise an authority and write what its statutory returns (SSDA903 in CSV and XML,
the CIN census of every year) and local extracts (contacts, early help, police,
school, youth justice, with their mapping files) would hold; import them into the
canonical tables as ``riskmodel import`` does; train with a temporal backtest, register
the model (the first version becomes champion), train a challenger and apply the
promotion rule, score the last five quarterly dates on the data known on each (as
the monthly job would have) and then the latest as-of date with the champion, write
the review report, and monitor what those lists achieved (``monitoring.html`` and
``realised.csv``). Everything is tracked in MLflow (``./mlflow.db`` unless
``MLFLOW_TRACKING_URI`` is set).
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd

import riskmodel as rm
from riskmodel.jobs import load_config, run_import, run_monitor, run_score, run_train
from riskmodel.jobs._import import ISSUES_FILE
from riskmodel.tracking import promote, set_tracking_uri

PAST_LISTS = 5  # quarterly lists scored before the latest one, so monitoring has a past


def _step(number: int, text: str) -> None:
    print(f"\n{number}. {text}", flush=True)


def _score_past_lists(data, config, scores: Path) -> None:
    """Score the last quarterly dates on the data known on each, into the scores folder."""
    latest = data.end_date + pd.Timedelta(days=1)
    first = (latest - pd.DateOffset(months=3 * PAST_LISTS)).to_period("Q").start_time
    for as_of in pd.date_range(first, periods=PAST_LISTS, freq="QS-JAN"):
        result = run_score(
            data.known_at(as_of), replace(config, as_of=str(as_of.date()), out=str(scores))
        )
        counts = result.counts
        print(f"   {as_of.date()}: {counts['scored']:,} scored, {counts['flagged']} flagged")


def _monitor(data, config, scores: Path, out: Path):
    """Monitor every list in the scores folder's history; print what it found."""
    outcome = run_monitor(data, config, scores, out)
    runs = outcome.result.runs
    for run in runs.itertuples():
        state = f"so far {run.months_observed} of {run.horizon_months} months"
        state = "complete" if run.complete else state
        print(
            f"   list of {run.as_of_date.date()} ({state}): {run.entrants_flagged} of "
            f"{run.flagged} flagged entered care; it found {run.entrants_flagged} of "
            f"{run.entrants} entrants"
        )
    print(
        f"   {len(outcome.flags)} figure(s) outside the backtest's promise or showing a group "
        "disparity (see the report).\n"
        "   The champion learnt from outcomes up to a year after its last training date,\n"
        "   which overlap these lists' horizons: this step shows the monitoring job, not a\n"
        "   test of the model (notebook 04 and the README's realised figures test a model\n"
        "   fitted before its lists)."
    )
    return outcome


def _print_outputs(report: Path, scores: dict, monitoring: dict, uri: str) -> None:
    print(f"   review report: {report}  (open it in a browser)")
    print(f"   scores:        {scores['scores']}  (+ exclusions, drift, history/)")
    print(f"   team's list:   {scores['list_html']}  (+ list.xlsx; open it in a browser)")
    print(f"   monitoring:    {monitoring['monitoring_html']}  (+ realised.csv)")
    print(f"   MLflow:        {uri}")
    print(f"   MLflow UI:     mlflow ui --backend-store-uri {uri}  (then http://127.0.0.1:5000)")


def _synthesise_and_import(n_children: int, seed: int, out: Path):
    """Synthesise an authority, write its returns and import them as an authority would."""
    _step(1, f"synthesising an authority of {n_children:,} children (seed {seed})")
    synthetic = rm.make_local_authority(n_children=n_children, random_state=seed)
    print(f"   {synthetic}")

    _step(2, "writing what its returns and local extracts would hold, year by year")
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always", rm.DataQualityWarning)
        returns = rm.write_returns(synthetic, out / "returns")
    for note in notes:
        print(f"   note: {note.message}")
    years = sorted(p.name for p in (returns / "ssda903").iterdir())
    print(f"   {len(years)} collection years ({years[0]} to {years[-1]}) under {returns}/")

    _step(3, "importing the returns and extracts into the canonical tables")
    extracts = {
        str(csv): str(csv.with_suffix(".yaml"))
        for csv in sorted((returns / "extracts").glob("*.csv"))
    }
    imported = run_import(
        sorted((returns / "ssda903").iterdir()),
        sorted((returns / "cin_census").glob("*.xml")),
        extracts,
        out / "data",
    )
    summary = imported.summary
    data_dir = out / "data"
    print(
        f"   {summary['children']:,} children named by the returns; {summary['care_episodes']:,} "
        f"care episodes; {len(imported.data.events):,} events\n"
        f"   {len(imported.issues):,} records not used, each with its reason, in "
        f"{data_dir / ISSUES_FILE} (by source: "
        + ", ".join(f"{k} {v:,}" for k, v in imported.issues["source"].value_counts().items())
        + ")"
    )
    # Synthetic only: the generator's truth lets the backtest show the best possible.
    data = replace(rm.read_data(data_dir), truth=synthetic.truth)
    print(data.coverage_summary().to_string())
    return returns, data_dir, data


def _train(data, config, out: Path):
    """Train and register the champion, then a challenger under the promotion rule."""
    _step(4, "training the gradient-boosting model with a temporal backtest; registering it")
    champion = run_train(data, config)
    dates = champion.as_of_dates
    print(
        f"   {len(dates)} quarterly as-of dates chosen from the data, {dates[0].date()} to "
        f"{dates[-1].date()} (two years after event records are complete; the last "
        "leaves a year for outcomes)"
    )
    print(champion.backtest.summary().round(3).T.to_string())
    print(f"   registered riskmodel version {champion.version}")

    _step(5, "training a logistic challenger and applying the promotion rule")
    challenger = run_train(data, replace(config, model="logistic", out=str(out / "challenger")))
    decision = promote("riskmodel", challenger.version)
    verdict = "promoted" if decision.promoted else "not promoted"
    print(f"   version {challenger.version} {verdict}: {decision.reason}")
    return champion


def _score(data, config, scores: Path):
    """Score the past quarterly lists on the data known then, then the latest date."""
    _step(6, f"scoring the last {PAST_LISTS} quarterly dates, each on the data known then")
    _score_past_lists(data, config, scores)
    print("   ... and the latest as-of date with the champion")
    result = run_score(data, replace(config, out=str(scores), csv=True))
    counts = result.counts
    print(
        f"   {counts['children_in']:,} children in = {counts['scored']:,} scored + "
        f"{counts['excluded']:,} excluded; {counts['flagged']} flagged"
    )
    top = result.scores.head(5)[["rank", "risk_score", "risk_band", "reason_1", "reason_2"]]
    print(top.to_string(index=False))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="demo-output", help="where outputs go")
    parser.add_argument("--n-children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--capacity", type=int, default=50)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    out = Path(args.out).resolve()
    started = time.perf_counter()
    uri = set_tracking_uri()

    returns, data_dir, data = _synthesise_and_import(args.n_children, args.seed, out)

    config = load_config(
        data=str(data_dir),
        out=str(out),
        capacity=args.capacity,
        n_resamples=100,
        random_state=args.seed,
        tracking_uri=uri,
    )
    champion = _train(data, config, out)
    result = _score(data, config, out / "scores")

    _step(7, "monitoring what the past lists achieved, on the data known now")
    monitored = _monitor(data, config, out / "scores", out / "monitoring")

    print(f"\ndone in {time.perf_counter() - started:.0f} s. Outputs:")
    print(f"   returns:       {returns}/")
    print(f"   data:          {data_dir}/  (import issues: {ISSUES_FILE})")
    _print_outputs(champion.report, result.files, monitored.files, uri)


if __name__ == "__main__":
    main()
