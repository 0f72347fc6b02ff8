"""Validation of the canonical tables: every problem found, reported at once.

Column checks (required values, code lists, ranges, unique ids) are pandera schemas;
checks across rows and tables (unknown persons, overlapping episodes, dates after the
extract) are plain pandas. Each problem names the table, the column, the first rows
and their values. Errors make the data unusable; warnings say what was assumed.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd

from riskmodel._wording import describe_rows
from riskmodel.data._codes import (
    CATEGORY_OF_NEED_LABELS,
    ETHNIC_CODES,
    ETHNIC_UNKNOWN,
    LEGAL_STATUS_CODES,
    REASON_EPISODE_CEASED_CODES,
    REASON_NEW_EPISODE_CODES,
    SEX_CODES,
)
from riskmodel.data._pooling import with_child_keys
from riskmodel.exceptions import DataQualityWarning, SchemaError

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = [
    "find_problems",
    "merged_problem",
    "problem_list",
    "raise_on_problems",
    "report_problems",
]

PROBLEM_COLUMNS = ["severity", "table", "column", "n_rows", "rows", "values", "message"]

# (table, column, check, severity, what the check says when it fails)
_CHECKS: list[tuple[str, str, str, str, str]] = [
    ("persons", "person_id", "required", "error", "have no person_id"),
    ("persons", "person_id", "unique", "error", "repeat a person_id that must be unique"),
    ("persons", "date_of_birth", "required", "error", "have no date_of_birth"),
    ("persons", "sex", "required", "error", "have no sex"),
    ("persons", "sex", "codes", "error", f"have a sex other than {'/'.join(SEX_CODES)}"),
    (
        "persons",
        "ethnicity",
        "codes",
        "warning",
        f"have an unknown ETHNIC code; treated as {ETHNIC_UNKNOWN} (not known)",
    ),
    ("persons", "imd_decile", "decile", "error", "have an imd_decile outside 1-10"),
    ("events", "person_id", "required", "error", "have no person_id"),
    ("events", "event_date", "required", "error", "have no event_date"),
    ("events", "event_type", "required", "error", "have no event_type"),
    ("care_episodes", "person_id", "required", "error", "have no person_id"),
    ("care_episodes", "start_date", "required", "error", "have no start_date"),
    (
        "care_episodes",
        "legal_status",
        "codes",
        "warning",
        "have an unknown legal status; the episode is kept and counts as care, not a short break",
    ),
    (
        "care_episodes",
        "reason_new_episode",
        "codes",
        "warning",
        "have an unknown reason for new episode; kept",
    ),
    (
        "care_episodes",
        "reason_episode_ceased",
        "codes",
        "warning",
        "have an unknown reason episode ceased; kept, so the episode does not chain by X1",
    ),
    (
        "care_episodes",
        "category_of_need",
        "codes",
        "warning",
        "have an unknown category of need; kept",
    ),
]

_CODE_LISTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("persons", "sex"): SEX_CODES,
    ("persons", "ethnicity"): ETHNIC_CODES,
    ("care_episodes", "legal_status"): LEGAL_STATUS_CODES,
    ("care_episodes", "reason_new_episode"): REASON_NEW_EPISODE_CODES,
    ("care_episodes", "reason_episode_ceased"): REASON_EPISODE_CEASED_CODES,
    ("care_episodes", "category_of_need"): tuple(CATEGORY_OF_NEED_LABELS),
}


@contextmanager
def _without_pyspark_warning():
    """Silence PySpark's pandas-3 warning while pandera imports or validates.

    Where PySpark is installed (the ``spark`` extra), pandera probes ``pyspark.pandas``
    on import and again on its first validation; under pandas 3 that module warns it is
    unsupported and then fails to import, and pandera carries on without it. The warning
    is about a module neither we nor pandera use here, so it is silenced for those calls
    alone.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "PySpark does not yet fully support pandas", FutureWarning
        )
        yield


def _schema(table: str, severity: str):
    with _without_pyspark_warning():
        import pandera.pandas as pa

    columns: dict[str, pa.Column] = {}
    for tab, col, check, sev, _ in _CHECKS:
        if tab != table or sev != severity:
            continue
        spec = columns.setdefault(col, pa.Column(nullable=True, required=False))
        if check == "required":
            spec.nullable = False
        elif check == "unique":
            spec.unique = True
        elif check == "codes":
            spec.checks.append(pa.Check.isin(list(_CODE_LISTS[(tab, col)])))
        elif check == "decile":
            spec.checks.append(pa.Check.in_range(1, 10))
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def _check_name(failure: str) -> str:
    """Map pandera's name of a failed check to ours."""
    names = {"not_nullable": "required", "field_uniqueness": "unique"}
    if failure.startswith("isin("):
        return "codes"
    if failure.startswith("in_range("):
        return "decile"
    return names.get(failure, failure)


def _column_problems(table: str, frame: pd.DataFrame) -> list[dict]:
    with _without_pyspark_warning():
        import pandera.pandas as pa

    problems = []
    for severity in ("error", "warning"):
        try:
            with _without_pyspark_warning():
                _schema(table, severity).validate(frame, lazy=True)
            continue
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
        cases = cases.assign(check=cases["check"].map(_check_name))
        for (column, check), found in cases.groupby(["column", "check"], sort=False):
            what = next(w for t, c, k, s, w in _CHECKS if (t, c, k) == (table, column, check))
            problems.append(
                _problem(severity, table, column, found["index"], found["failure_case"], what)
            )
    return problems


def _problem(severity: str, table: str, column: str, rows, values, what: str) -> dict:
    rows = list(rows)
    values = None if values is None else list(values)
    n = len(rows)
    message = f"{table}.{column}: {_count(n, what)} ({describe_rows(rows, values)})"
    return {
        "severity": severity,
        "table": table,
        "column": column,
        "n_rows": n,
        "rows": rows[:20],
        "values": None if values is None else values[:20],
        "message": message,
        "what": what,
    }


def merged_problem(
    severity: str, table: str, column: str, n_rows: int, rows: list, shown: list | None, what: str
) -> dict:
    """Return one problem found in parts (shards of the tables), worded as :func:`find_problems`.

    ``n_rows`` is the total count, ``rows`` the first rows (at most 20) and ``shown``
    their values as :func:`~riskmodel._wording.show_value` wrote them; ``what`` is
    the problem's wording (the ``"what"`` of a :func:`problem_list` entry).
    """
    shown = None if shown is None else list(shown)
    where = describe_rows(list(rows), shown=shown, total=n_rows)
    return {
        "severity": severity,
        "table": table,
        "column": column,
        "n_rows": n_rows,
        "rows": list(rows)[:20],
        "values": None if shown is None else shown[:20],
        "message": f"{table}.{column}: {_count(n_rows, what)} ({where})",
        "what": what,
    }


_SINGULAR = {"have": "has", "are": "is", "repeat": "repeats", "name": "names", "end": "ends",
             "start": "starts"}  # fmt: skip


def _count(n: int, what: str) -> str:
    """``"3 rows are late"`` / ``"1 row is late"``: agree the verb with the count."""
    if n != 1:
        return f"{n} rows {what}"
    verb, _, rest = what.partition(" ")
    return f"1 row {_SINGULAR.get(verb, verb)} {rest}"


def _cross_table_problems(data: LocalAuthorityData) -> list[dict]:
    problems = []
    known = pd.Index(data.persons["person_id"].dropna())
    for table in ("events", "care_episodes"):
        frame = getattr(data, table)
        unknown = frame["person_id"].notna() & ~frame["person_id"].isin(known)
        if unknown.any():
            problems.append(
                _problem(
                    "error",
                    table,
                    "person_id",
                    frame.index[unknown],
                    frame.loc[unknown, "person_id"],
                    "name a person not in persons",
                )
            )
    eps = data.care_episodes
    backwards = eps["end_date"] < eps["start_date"]
    if backwards.any():
        problems.append(
            _problem(
                "error",
                "care_episodes",
                "end_date",
                eps.index[backwards],
                eps.loc[backwards, "end_date"],
                "end before they start",
            )
        )
    problems += _overlap_problems(eps)
    problems += _date_problems(data)
    return problems


def _overlap_problems(eps: pd.DataFrame) -> list[dict]:
    ordered = eps.dropna(subset=["person_id", "start_date"]).sort_values(
        ["person_id", "start_date"], kind="stable"
    )
    same = ordered["person_id"].eq(ordered["person_id"].shift())
    prev_end = ordered["end_date"].shift()
    prev_open = prev_end.isna() & same
    overlap = same & (prev_open | (ordered["start_date"] < prev_end))
    if not overlap.any():
        return []
    rows = ordered.index[overlap]
    return [
        _problem(
            "error",
            "care_episodes",
            "start_date",
            rows,
            ordered.loc[rows, "person_id"],
            "start before the same child's previous episode ended (overlapping "
            "episodes; values are person ids)",
        )
    ]


def _date_problems(data: LocalAuthorityData) -> list[dict]:
    problems = []
    today = pd.Timestamp.today().normalize()
    reference = data.extract_date if data.extract_date is not None else today
    label = (
        f"after the data's extract date {reference.date()}"
        if data.extract_date is not None
        else f"in the future (after {today.date()})"
    )
    born = data.persons["date_of_birth"] > reference
    if born.any():
        problems.append(
            _problem(
                "error",
                "persons",
                "date_of_birth",
                data.persons.index[born],
                data.persons.loc[born, "date_of_birth"],
                f"are births {label}",
            )
        )
    for table, column in (
        ("events", "event_date"),
        ("care_episodes", "start_date"),
        ("care_episodes", "end_date"),
    ):
        frame = getattr(data, table)
        late = frame[column] > reference
        if late.any():
            problems.append(
                _problem(
                    "error",
                    table,
                    column,
                    frame.index[late],
                    frame.loc[late, column],
                    f"are {label}",
                )
            )
    return problems


def find_problems(data: LocalAuthorityData) -> pd.DataFrame:
    """Return every problem in ``data`` as a table (see :data:`PROBLEM_COLUMNS`).

    Pooled data (several authorities) are checked with each child keyed as
    ``authority/person_id``, so the same id in two authorities is two children, and
    every row must name its authority.
    """
    return pd.DataFrame(problem_list(data), columns=PROBLEM_COLUMNS)


def problem_list(
    data: LocalAuthorityData, authorities: tuple[str, ...] | None = None
) -> list[dict]:
    """Return every problem in ``data`` as records: :data:`PROBLEM_COLUMNS` and ``what``.

    ``authorities`` are the codes of the whole data when ``data`` is a part of them
    (a shard of children on Spark): they decide whether the data are pooled. Every
    check of :func:`find_problems` looks at one child's rows at a time, except the
    unique ``person_id``: a part holding all the rows of each of its children gets
    the problems of those rows.
    """
    authorities = data.authorities if authorities is None else tuple(authorities)
    problems = []
    if len(authorities) > 1:
        problems += _unpooled_rows(data, authorities)
        data = with_child_keys(data)
    for table in ("persons", "events", "care_episodes"):
        problems += _column_problems(table, getattr(data, table))
    problems += _cross_table_problems(data)
    return problems


def _unpooled_rows(data: LocalAuthorityData, authorities: tuple[str, ...]) -> list[dict]:
    problems = []
    for table in ("persons", "events", "care_episodes"):
        frame = getattr(data, table)
        missing = frame["authority"].isna()
        if missing.any():
            problems.append(
                _problem(
                    "error",
                    table,
                    "authority",
                    frame.index[missing],
                    frame.loc[missing, "person_id"],
                    f"name no authority, in data pooled from {', '.join(authorities)} "
                    "(values are person ids)",
                )
            )
    return problems


def raise_on_problems(data: LocalAuthorityData) -> None:
    """Warn for every warning, then raise one :class:`SchemaError` listing every error."""
    report_problems(find_problems(data), stacklevel=4)


def report_problems(problems: pd.DataFrame, *, stacklevel: int = 3) -> None:
    """Warn for every warning of ``problems``, then raise one SchemaError listing the errors."""
    for message in problems.loc[problems["severity"] == "warning", "message"]:
        warnings.warn(message, DataQualityWarning, stacklevel=stacklevel)
    errors = problems.loc[problems["severity"] == "error", "message"]
    if len(errors):
        raise SchemaError(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the data:\n- "
            + "\n- ".join(errors)
        )
