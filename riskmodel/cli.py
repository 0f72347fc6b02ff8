"""The ``riskmodel`` command: thin wrappers over the public API.

Exit status is 0 on success and 2 on bad input, with a message naming the file,
column and rows, so that a scheduled job fails loudly and a data analyst can act. An
internal error (a bug) exits 1 with a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from riskmodel.exceptions import (
    LeakageError,
    SchemaError,
    TrackingStoreError,
    UntrustedModelError,
)

__all__ = ["main"]

EXIT_OK = 0
EXIT_INTERNAL_ERROR = 1
EXIT_BAD_INPUT = 2


def _cmd_synth(args: argparse.Namespace) -> int:
    from riskmodel.data import make_local_authority, write_data, write_returns

    data = make_local_authority(
        n_children=args.n_children, start=args.start, end=args.end, random_state=args.seed
    )
    write_data(data, args.out, format=args.format)
    print(f"wrote a synthetic authority to {args.out}: {data}")
    if args.returns:
        write_returns(data, args.returns)
        print(f"wrote its SSDA903 and CIN census returns and local extracts to {args.returns}")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from riskmodel.data import read_data

    data = read_data(args.data)
    print(f"{args.data}: valid. {data}")
    print(data.summary().to_string())
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from riskmodel.jobs import format_summary, parse_extracts, run_import

    if not args.ssda903 and not args.cin_census:
        raise SchemaError("import needs --ssda903 or --cin-census (the returns hold the children)")
    result = run_import(
        args.ssda903 or [],
        args.cin_census or [],
        parse_extracts(args.extract or []),
        args.out,
        extract_date=args.extract_date,
        format=args.format,
        authority=args.authority,
    )
    print(format_summary(result))
    print(f"wrote the tables and import_issues.csv to {args.out}")
    return EXIT_OK


def _config(args: argparse.Namespace, **overrides):
    from riskmodel.jobs import load_config

    return load_config(args.config, tracking_uri=args.tracking_uri, **overrides)


def _job_data(config):
    """Read the job's tables: on Spark with ``--engine spark``, else into memory."""
    if config.engine == "spark":
        from riskmodel.jobs._spark import read_spark_data

        return read_spark_data(config)
    from riskmodel.data import read_data

    return read_data(config.data, validate=False)


def _cmd_train(args: argparse.Namespace) -> int:
    from riskmodel.jobs import run_train

    config = _config(
        args,
        data=args.data,
        horizon_months=args.horizon,
        model=args.model,
        register_as=args.register,
        capacity=args.capacity,
        out=args.out,
        engine=args.engine,
        spark_master=args.spark_master,
        negative_fraction=args.sample_negatives,
    )
    outcome = run_train(_job_data(config), config)
    print(
        f"as-of dates: {len(outcome.as_of_dates)} quarterly, "
        f"{outcome.as_of_dates[0].date()} to {outcome.as_of_dates[-1].date()}"
    )
    print(outcome.backtest.summary().round(3).T.to_string())
    print(f"review report: {outcome.report}")
    if outcome.version:
        print(f"registered {config.register_as} version {outcome.version} (run {outcome.run_id})")
    return EXIT_OK


def _cmd_score(args: argparse.Namespace) -> int:
    from riskmodel.jobs import run_score

    config = _config(
        args,
        data=args.data,
        model_uri=args.model,
        as_of=args.as_of,
        capacity=args.capacity,
        out=args.out,
        csv=args.csv or None,
        engine=args.engine,
        spark_master=args.spark_master,
    )
    result = run_score(_job_data(config), config)
    counts = result.counts
    print(
        f"scored {counts['scored']:,} children, excluded {counts['excluded']:,} "
        f"(children in: {counts['children_in']:,}); flagged {counts['flagged']:,}"
    )
    for name, path in result.files.items():
        print(f"  {name}: {path}")
    lists = [result.files[k] for k in ("list_html", "list_xlsx") if k in result.files]
    if lists:
        print("the team's list: " + ", ".join(str(p) for p in lists))
    return EXIT_OK


def _cmd_review(args: argparse.Namespace) -> int:
    from riskmodel.data import read_data
    from riskmodel.jobs import run_review

    config = _config(args, data=args.data, model_uri=args.model, capacity=args.capacity)
    path = run_review(read_data(config.data, validate=False), config, args.out)
    print(f"review report: {path}")
    return EXIT_OK


def _cmd_monitor(args: argparse.Namespace) -> int:
    from riskmodel.data import read_data
    from riskmodel.jobs import run_monitor

    overrides = {} if args.n_jobs is None else {"n_jobs": args.n_jobs}
    config = _config(args, data=args.data, model_uri=args.model, out=args.out, **overrides)
    outcome = run_monitor(
        read_data(config.data, validate=False),
        config,
        args.history,
        args.out,
        horizon_months=args.horizon_months,
    )
    runs = outcome.result.runs
    complete = int(runs["complete"].astype(bool).sum())
    print(
        f"monitored {len(runs)} run(s) of {outcome.model_name or 'an unnamed model'} over a "
        f"{outcome.horizon_months}-month horizon: {complete} complete, "
        f"{len(runs) - complete} partial (horizon not yet passed)"
    )
    if outcome.promise is None or outcome.promise.empty:
        print("no backtest promise read: realised figures are not compared with one")
    _print_flags(outcome.flags)
    for name, path in outcome.files.items():
        print(f"  {name}: {path}")
    if outcome.run_id:
        print(f"logged monitoring run {outcome.run_id}")
    return EXIT_OK


MAX_FLAGS_PRINTED = 12


def _print_flags(flags) -> None:
    """Whole-list flags first, then group disparities, at most :data:`MAX_FLAGS_PRINTED`."""
    import pandas as pd

    whole = (flags["attribute"] == "all") & (flags["group"] == "all")
    print(
        f"flags: {int(whole.sum())} outside the backtest's interval, "
        f"{int((~whole).sum())} group disparities"
    )
    ordered = pd.concat([flags[whole], flags[~whole]])
    for row in ordered.head(MAX_FLAGS_PRINTED).itertuples():
        what = "outside the backtest's interval" if row.outside_promise else "disparity"
        where = "whole list" if row.attribute == "all" else f"{row.attribute}={row.group}"
        when = "pooled" if pd.isna(row.as_of_date) else str(pd.Timestamp(row.as_of_date).date())
        print(f"  {when} {where}: {row.metric} {row.value:.3f}, {what}")
    if len(flags) > MAX_FLAGS_PRINTED:
        print(
            f"  ... and {len(flags) - MAX_FLAGS_PRINTED} more (monitoring.html, or the "
            "outside_promise and disparity columns of realised.csv)"
        )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="YAML settings (see pipelines/configs/)")
    parser.add_argument("--tracking-uri", help="MLflow URI (default: ./mlflow.db)")
    parser.add_argument("--capacity", type=int, help="children the service can support")


def _engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine", choices=["local", "spark"], help="where to compute (default local)"
    )
    parser.add_argument("--spark-master", help="Spark master with --engine spark (local[*])")


def _add_synth(commands: Any) -> None:
    """Add the ``synth`` command and its arguments."""
    synth = commands.add_parser("synth", help="write a synthetic local authority's tables")
    synth.add_argument("--out", required=True, help="directory to write the tables to")
    synth.add_argument("--n-children", type=int, default=30_000, help="default 30000")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    synth.add_argument("--start", default="2014-04-01", help="first date followed")
    synth.add_argument("--end", default="2024-03-31", help="extract date")
    synth.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    synth.add_argument(
        "--returns",
        help="also write its returns (SSDA903, CIN census, extracts) to this directory",
    )
    synth.set_defaults(run=_cmd_synth)


def _add_validate(commands: Any) -> None:
    """Add the ``validate`` command and its arguments."""
    validate = commands.add_parser("validate", help="check a data directory and summarise it")
    validate.add_argument("--data", required=True, help="directory of the canonical tables")
    validate.set_defaults(run=_cmd_validate)


def _add_import(commands: Any) -> None:
    """Add the ``import`` command and its arguments."""
    imp = commands.add_parser("import", help="read SSDA903, CIN census and local extracts")
    imp.add_argument("--ssda903", nargs="+", metavar="PATH", help="903 year folders or files")
    imp.add_argument("--cin-census", nargs="+", metavar="PATH", help="CIN census XML files")
    imp.add_argument(
        "--extract",
        nargs="+",
        action="extend",
        metavar="FILE=MAPPING.yaml",
        help="a local extract CSV and its mapping file (repeatable)",
    )
    imp.add_argument("--out", required=True, help="directory to write the tables to")
    imp.add_argument("--extract-date", help="date of the extract (default: the returns')")
    imp.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    imp.add_argument(
        "--authority",
        metavar="CODE",
        help="the authority's code for every table (default: the CIN census LEA, or the "
        "903's authority=CODE folder); a return naming another is reported",
    )
    imp.set_defaults(run=_cmd_import)


def _add_train(commands: Any) -> None:
    """Add the ``train`` command and its arguments."""
    train = commands.add_parser("train", help="backtest, fit, review and register a model")
    train.add_argument("--data", help="directory of the canonical tables")
    train.add_argument("--horizon", type=int, help="label horizon in months (default 12)")
    train.add_argument("--model", choices=["hgb", "logistic"], help="default hgb")
    train.add_argument("--register", help="registered model name (default riskmodel)")
    train.add_argument("--out", help="directory for the review report")
    train.add_argument(
        "--sample-negatives",
        type=float,
        metavar="F",
        help="keep every care entry and this share (0 < F <= 1) of the other child-dates, "
        "weighted by 1/F (default 1: all)",
    )
    _common(train)
    _engine(train)
    train.set_defaults(run=_cmd_train)


def _add_score(commands: Any) -> None:
    """Add the ``score`` command and its arguments."""
    score = commands.add_parser("score", help="score the cohort at an as-of date")
    score.add_argument("--data", help="directory of the canonical tables")
    score.add_argument("--model", help="model URI (default models:/riskmodel@champion)")
    score.add_argument("--as-of", help="as-of date (default: the day after the extract)")
    score.add_argument("--out", help="scores file (.parquet or .csv) or a directory")
    score.add_argument("--csv", action="store_true", help="also write CSV copies")
    _common(score)
    _engine(score)
    score.set_defaults(run=_cmd_score)


def _add_review(commands: Any) -> None:
    """Add the ``review`` command and its arguments."""
    review = commands.add_parser("review", help="write the review report of a model")
    review.add_argument("--data", help="directory of the canonical tables")
    review.add_argument("--model", help="model URI (default models:/riskmodel@champion)")
    review.add_argument("--out", required=True, help="report file, e.g. report.html")
    _common(review)
    review.set_defaults(run=_cmd_review)


def _add_monitor(commands: Any) -> None:
    """Add the ``monitor`` command and its arguments."""
    monitor = commands.add_parser(
        "monitor", help="what past lists achieved, once outcomes are known"
    )
    monitor.add_argument("--data", help="directory of the canonical tables (as known now)")
    monitor.add_argument("--history", required=True, help="scoring output folder or its history/")
    monitor.add_argument("--model", help="model URI (default: the versions named in the history)")
    monitor.add_argument("--horizon-months", type=int, help="default: the model's horizon")
    monitor.add_argument("--out", required=True, help="folder for monitoring.html, realised.csv")
    monitor.add_argument("--n-jobs", type=int, help="runs measured at once (-1: every core)")
    monitor.add_argument("--config", help="YAML settings (see pipelines/configs/)")
    monitor.add_argument("--tracking-uri", help="MLflow URI (default: ./mlflow.db if it exists)")
    monitor.set_defaults(run=_cmd_monitor)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="riskmodel",
        description=(
            "Risk of entering care: synthesise, import, validate, train, score, review, monitor."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (
        _add_synth,
        _add_validate,
        _add_import,
        _add_train,
        _add_score,
        _add_review,
        _add_monitor,
    ):
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Bad or partial input (a missing file, a table without the columns or rows a
    command needs, a model that cannot be loaded, a damaged tracking store) is
    reported in one message naming the file, column and rows, never as a traceback.
    Any other exception is a bug in riskmodel: it is reported in one line too, with a
    distinct exit status; set the environment variable ``RISKMODEL_DEBUG=1`` to see
    its traceback.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on bad input, 1 on an internal error (the reason is printed
        to standard error).
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        return args.run(args)
    except UntrustedModelError as exc:
        print(f"riskmodel {args.command}: refused the model: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except TrackingStoreError as exc:
        print(f"riskmodel {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (SchemaError, LeakageError) as exc:
        print(f"riskmodel {args.command}: bad input:\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"riskmodel {args.command}: bad input: {_os_message(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        if type(exc).__name__ == "MlflowException":
            print(f"riskmodel {args.command}: cannot use the model: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if os.environ.get("RISKMODEL_DEBUG"):
            raise
        first_line = (str(exc).strip().splitlines() or [""])[0]
        print(
            f"riskmodel {args.command}: internal error ({type(exc).__name__}: {first_line}). "
            "This is a bug in riskmodel, not a problem with your data: please report it "
            "with the command you ran (RISKMODEL_DEBUG=1 shows the traceback).",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


def _os_message(exc: OSError) -> str:
    """``"/path: No such file or directory"`` for an OSError, its text otherwise."""
    if exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return str(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
