"""Column specifications of the canonical tables and coercion to canonical dtypes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskmodel._wording import describe_rows
from riskmodel.exceptions import SchemaError

__all__ = ["TABLES", "Column", "as_extract_date", "coerce_column", "coerce_table"]

DATE_DTYPE = "datetime64[ns]"


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name : str
        Column name.
    kind : {"str", "date", "bool", "int", "float"}
        Logical type; see :data:`KIND_DTYPES` for the pandas dtype.
    required : bool
        Whether the column must be present (and non-null).
    """

    name: str
    kind: str
    required: bool = False


KIND_DTYPES: dict[str, str] = {
    "str": "str",
    "date": DATE_DTYPE,
    "bool": "boolean",
    "int": "Int64",
    "float": "float64",
}

TABLES: dict[str, tuple[Column, ...]] = {
    "persons": (
        Column("person_id", "str", required=True),
        Column("date_of_birth", "date", required=True),
        Column("sex", "str", required=True),
        Column("ethnicity", "str"),
        Column("disability", "bool"),
        Column("imd_decile", "int"),
        Column("household_id", "str"),
        Column("uasc", "bool"),
        Column("authority", "str"),
    ),
    "events": (
        Column("person_id", "str", required=True),
        Column("event_date", "date", required=True),
        Column("event_type", "str", required=True),
        Column("code", "str"),
        Column("value", "float"),
        Column("authority", "str"),
    ),
    "care_episodes": (
        Column("person_id", "str", required=True),
        Column("start_date", "date", required=True),
        Column("end_date", "date"),
        Column("reason_new_episode", "str"),
        Column("legal_status", "str"),
        Column("category_of_need", "str"),
        Column("placement", "str"),
        Column("reason_episode_ceased", "str"),
        Column("authority", "str"),
    ),
}
"""The three canonical tables and their columns, in order (see the data model)."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?")
_UK_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")


def as_extract_date(value: object, where: str = "extract_date") -> pd.Timestamp | None:
    """Return an extract date as a normalised ``Timestamp`` (None stays None).

    Parameters
    ----------
    value : str, datetime.date, pandas.Timestamp or None
        A date object, or text written ``YYYY-MM-DD`` or ``dd/mm/YYYY`` (as in the
        returns); other text (``01/02/24``, ``2024/03/31``) is refused rather than
        guessed, as a day and month read the wrong way round would pass unseen.
    where : str, default "extract_date"
        How the error message names the value (``"metadata.json: extract_date"``).

    Returns
    -------
    pandas.Timestamp or None

    Raises
    ------
    SchemaError
        If ``value`` is not such a date.
    """
    if value is None:
        return None
    date = pd.NaT
    try:
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            date = pd.Timestamp(value.strip())
        elif isinstance(value, str) and _UK_DATE.fullmatch(value.strip()):
            date = pd.Timestamp(dt.datetime.strptime(value.strip(), "%d/%m/%Y"))
        elif isinstance(value, dt.date | np.datetime64):
            date = pd.Timestamp(value)
    except (TypeError, ValueError):
        date = pd.NaT
    if pd.isna(date):
        raise SchemaError(
            f"{where} {value!r} is not a date; expected YYYY-MM-DD (such as 2024-03-31) "
            "or dd/mm/YYYY"
        )
    return date.normalize()


_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def _coerce_str(series: pd.Series) -> pd.Series:
    out = series if series.dtype == "str" else series.astype("object").astype("str")
    out = out.str.strip()
    return out.mask(out == "")


def _coerce_date(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        if series.dt.tz is not None:
            series = series.dt.tz_localize(None)
        return series.astype(DATE_DTYPE)
    text = series.astype("object").where(series.notna(), None)
    # Numbers (a Parquet column of floats, say) are read as their text, never as epochs.
    text = text.map(_date_text).replace("", None)
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    # Outside pandas' nanosecond range (years 1678-2261) a date is a typo: not valid.
    in_range = parsed.isna() | ((parsed > _MIN_DATE) & (parsed < _MAX_DATE))
    return parsed.where(in_range).astype(DATE_DTYPE)


def _date_text(value: object) -> object:
    if value is None or isinstance(value, str):
        return value.strip() if value is not None else None
    return str(value)


_MIN_DATE = pd.Timestamp("1678-01-01")
_MAX_DATE = pd.Timestamp("2262-01-01")


def _coerce_bool(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.astype("boolean")
    text = series.astype("object").map(lambda v: None if pd.isna(v) else str(v).strip().lower())
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[text.isin(_TRUE)] = True
    out[text.isin(_FALSE)] = False
    return out


def _coerce_number(series: pd.Series, kind: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        series = series.astype("float64")
    numbers = pd.to_numeric(series.astype("object").replace("", None), errors="coerce")
    if kind == "int":
        whole = numbers.isna() | (numbers == np.round(numbers))
        numbers = numbers.where(whole)
        return numbers.astype("Int64")
    return numbers.astype("float64")


def coerce_table(name: str, frame: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Return ``frame`` with canonical column order and dtypes.

    Missing optional columns are added as empty; extra columns are kept after the
    canonical ones. Values that cannot be read as their column's type are errors:
    nothing is silently turned into a missing value.

    Parameters
    ----------
    name : {"persons", "events", "care_episodes"}
        Which canonical table ``frame`` holds.
    frame : pandas.DataFrame
        The table as read or built.
    source : str, optional
        File the table came from, used in error messages instead of ``name``.

    Returns
    -------
    pandas.DataFrame
        A new frame with a fresh ``RangeIndex`` (error messages name the rows by
        the input's index, such as a CSV file's line numbers).

    Raises
    ------
    SchemaError
        If a required column is missing or a value cannot be read as its type;
        the message names every such column, its first rows and values.
    """
    where = source or name
    columns = TABLES[name]
    repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if repeated:
        raise SchemaError(
            f"{where}: column(s) {', '.join(repeated)} appear more than once; "
            "expected each column once"
        )
    missing = [c.name for c in columns if c.required and c.name not in frame.columns]
    if missing:
        raise SchemaError(
            f"{where}: missing required column(s) {', '.join(missing)}; "
            f"expected {', '.join(c.name for c in columns if c.required)}, "
            f"got {', '.join(map(str, frame.columns)) or 'no columns'}"
        )
    out = {}
    problems = []
    for col in columns:
        if col.name not in frame.columns:
            out[col.name] = pd.Series(None, index=frame.index, dtype=KIND_DTYPES[col.kind])
            continue
        raw = frame[col.name]
        coerced, lost = coerce_column(col.kind, raw)
        if lost.any():
            problems.append(
                f"{where}.{col.name}: {int(lost.sum())} value(s) are not a valid {col.kind} "
                f"({describe_rows(frame.index[lost], raw[lost])})"
            )
        out[col.name] = coerced
    if problems:
        raise SchemaError("\n".join(problems))
    result = pd.DataFrame(out, index=frame.index)
    extra = [c for c in frame.columns if c not in result.columns]
    for c in extra:
        result[c] = frame[c]
    return result.reset_index(drop=True)


def coerce_column(kind: str, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return ``raw`` read as ``kind``, and which of its values could not be read.

    Parameters
    ----------
    kind : {"str", "date", "bool", "int", "float"}
        The column's logical type (:attr:`Column.kind`).
    raw : pandas.Series
        The values as read.

    Returns
    -------
    coerced : pandas.Series
        In the canonical dtype; a value that cannot be read is missing.
    lost : pandas.Series of bool
        True where a non-blank value could not be read (an error for
        :func:`coerce_table`).
    """
    coerced = _COERCE[kind](raw) if kind in ("str", "date", "bool") else _coerce_number(raw, kind)
    lost = coerced.isna() & raw.notna()
    if lost.any():  # only the few candidates are turned back into text
        lost[lost] = raw[lost].astype("object").astype(str).str.strip() != ""
    return coerced, lost


_COERCE = {"str": _coerce_str, "date": _coerce_date, "bool": _coerce_bool}
