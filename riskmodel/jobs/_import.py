"""The import job: returns and local extracts in, canonical tables and an issues file out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from riskmodel._atomic import atomic_write
from riskmodel._csv import write_csv
from riskmodel.data import ImportResult, import_returns, write_data
from riskmodel.exceptions import SchemaError

__all__ = ["ISSUES_FILE", "format_summary", "parse_extracts", "run_import"]

ISSUES_FILE = "import_issues.csv"


def parse_extracts(pairs: Sequence[str]) -> dict[str, str]:
    """Turn ``FILE=MAPPING.yaml`` arguments into an extract -> mapping dict.

    Raises
    ------
    SchemaError
        If an argument has no ``=`` or names the same extract twice.
    """
    extracts: dict[str, str] = {}
    for pair in pairs:
        path, sep, mapping = pair.rpartition("=")
        if not sep or not path or not mapping:
            raise SchemaError(f"--extract expects FILE=MAPPING.yaml, got {pair!r}")
        if path in extracts:
            raise SchemaError(f"--extract names {path} twice")
        extracts[path] = mapping
    return extracts


def run_import(
    ssda903: Sequence[str | os.PathLike[str]],
    cin_census: Sequence[str | os.PathLike[str]],
    extracts: dict[str, str],
    out: str | os.PathLike[str],
    *,
    extract_date: object = None,
    format: str = "parquet",
    authority: str | None = None,
) -> ImportResult:
    """Import the returns and extracts and write the tables and ``import_issues.csv``.

    Parameters
    ----------
    ssda903, cin_census : sequence of path-like
        What :func:`~riskmodel.data.import_returns` reads.
    extracts : dict
        Extract CSV -> mapping YAML.
    out : path-like
        Directory for the canonical tables (``write_data``) and ``import_issues.csv``.
    extract_date : date-like, optional
        The extract date (default: the returns' latest).
    format : {"parquet", "csv"}, default "parquet"
        Format of the tables.
    authority : str, optional
        The authority's code for every table (see
        :func:`~riskmodel.data.import_returns`).

    Returns
    -------
    ImportResult
    """
    result = import_returns(
        ssda903, cin_census, extracts, extract_date=extract_date, authority=authority
    )
    directory = write_data(result.data, out, format=format)
    atomic_write(
        Path(directory) / ISSUES_FILE,
        lambda p: write_csv(result.issues, p),
    )
    return result


def format_summary(result: ImportResult) -> str:
    """Return the summary a person reads after an import (counts only, no child's record)."""
    s = result.summary
    lines = [
        f"children: {s['children']:,} in the tables, {s['children_reported']:,} more only in "
        f"{ISSUES_FILE}",
        f"care episodes: {s['care_episodes']:,}",
        f"events: {len(result.data.events):,}",
    ]
    if len(s["events"]):
        lines += ["events by type and year:", _table(s["events"])]
    if s["unknown_event_types"]:
        lines.append(
            "event types outside the data model (kept, with generic count features): "
            + ", ".join(s["unknown_event_types"])
        )
    lines.append(f"issues: {len(result.issues):,} records or values not used as given")
    if len(s["issues"]):
        lines.append(_table(s["issues"].set_index(["source", "consequence", "reason"])))
    return "\n".join(lines)


def _table(frame: pd.DataFrame) -> str:
    with pd.option_context("display.max_columns", None, "display.width", 200):
        return frame.to_string()
