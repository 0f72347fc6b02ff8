"""CSV files for people: text cells that a spreadsheet would run as a formula are defused.

A CSV the library writes for someone to open (scores, exclusions, import issues,
tables logged with a run) may carry text from the input: a person id such as
``=HYPERLINK(...)``, or a reason built from an event code. Spreadsheet programs run a
cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
they skip before looking for those) as a formula. As OWASP advises against CSV
injection, such a text cell is written with a single quote in front, which the
spreadsheet shows as text. Numeric, date and boolean columns are written unchanged,
so a negative number stays a number; Parquet files always keep the raw values.

Rows end in CRLF, as RFC 4180 has it, so that a text cell holding a lone carriage
return is quoted (with pandas' default line ending it is not, and every reader then splits
the row in two).
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "defuse_cell", "defuse_formulas", "write_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is read as a formula by spreadsheets."""


def defuse_cell(value: Any) -> Any:
    """Return ``value`` with a leading ``'`` if it is text a spreadsheet would run.

    Parameters
    ----------
    value : object
        A cell. Anything but a ``str`` is returned unchanged.

    Returns
    -------
    object

    Examples
    --------
    >>> defuse_cell("=1+1"), defuse_cell("A123"), defuse_cell(-3)
    ("'=1+1", 'A123', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _defuse_column(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.rename_categories(
            [defuse_cell(c) for c in column.cat.categories]
        ).astype(object)
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        return column.map(defuse_cell, na_action="ignore")
    return column


def defuse_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``table`` whose text cells and column names are defused.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table; it is not modified.

    Returns
    -------
    pandas.DataFrame
        Text cells (and text column names) starting with one of
        :data:`FORMULA_PREFIXES` get a leading ``'``; other cells are unchanged.
    """
    out = table.copy()
    for i in range(out.shape[1]):
        out.isetitem(i, _defuse_column(out.iloc[:, i]))
    out.columns = [defuse_cell(c) for c in out.columns]
    return out


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str], **kwargs: Any) -> None:
    """Write ``table`` to ``path`` as CSV for people: no index, formulas defused, CRLF rows.

    Parameters
    ----------
    table : pandas.DataFrame
        The table (not modified).
    path : path-like
        The file to write.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv` (for example ``date_format``).
    """
    defuse_formulas(table).to_csv(path, index=False, lineterminator="\r\n", **kwargs)
