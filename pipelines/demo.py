"""The main job end to end on the synthetic authority (``make demo``), as an authority runs it.

Synthesise an authority and write what its statutory returns (SSDA903 in CSV and XML,
the CIN census of every year) and local extracts (contacts, early help, police,
school, youth justice, with their mapping files) would hold; import them into the
canonical tables as ``riskmodel import`` does; train with a temporal backtest, register
the model (the first version becomes champion), train a challenger and apply the
promotion rule, score the latest as-of date with the champion, and write the review
report. Everything is tracked in MLflow (``./mlflow.db`` unless
``MLFLOW_TRACKING_URI`` is set).
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from dataclasses import replace
from pathlib import Path

import riskmodel as rm
from riskmodel.jobs import load_config, run_import, run_score, run_train
from riskmodel.jobs._import import ISSUES_FILE
from riskmodel.tracking import promote, set_tracking_uri


def _step(number: int, text: str) -> None:
    print(f"\n{number}. {text}", flush=True)


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

    _step(1, f"synthesising an authority of {args.n_children:,} children (seed {args.seed})")
    synthetic = rm.make_local_authority(n_children=args.n_children, random_state=args.seed)
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

    config = load_config(
        data=str(data_dir),
        out=str(out),
        capacity=args.capacity,
        n_resamples=100,
        random_state=args.seed,
        tracking_uri=uri,
    )
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

    _step(6, "scoring the latest as-of date with the champion")
    result = run_score(data, replace(config, out=str(out / "scores"), csv=True))
    counts = result.counts
    print(
        f"   {counts['children_in']:,} children in = {counts['scored']:,} scored + "
        f"{counts['excluded']:,} excluded; {counts['flagged']} flagged"
    )
    top = result.scores.head(5)[["rank", "risk_score", "risk_band", "reason_1", "reason_2"]]
    print(top.to_string(index=False))

    print(f"\ndone in {time.perf_counter() - started:.0f} s. Outputs:")
    print(f"   returns:       {returns}/")
    print(f"   data:          {data_dir}/  (import issues: {ISSUES_FILE})")
    print(f"   review report: {champion.report}  (open it in a browser)")
    print(f"   scores:        {result.files['scores']}  (+ exclusions, drift, history/)")
    print(f"   team's list:   {result.files['list_html']}  (+ list.xlsx; open it in a browser)")
    print(f"   MLflow:        {uri}")
    print(f"   MLflow UI:     mlflow ui --backend-store-uri {uri}  (then http://127.0.0.1:5000)")


if __name__ == "__main__":
    main()
