"""Reading raw text files safely: clear errors for bad encodings, delimiters, empty files."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from riskmodel.exceptions import SchemaError

__all__ = ["read_csv_text", "read_text"]


def read_text(path: str | os.PathLike[str]) -> str:
    """Return a file's text, decoded as UTF-8 (a byte-order mark is allowed).

    Raises
    ------
    SchemaError
        If the file does not exist, is empty, or is not UTF-8 (naming the line and
        byte offset of the first bad byte).
    """
    path = Path(path)
    if not path.is_file():
        raise SchemaError(f"{path}: no such file")
    raw = path.read_bytes()
    if not raw.strip():
        raise SchemaError(f"{path}: the file is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SchemaError(
            f"{path}: not UTF-8 text: byte {raw[exc.start]:#04x} at offset {exc.start} "
            f"(line {line}); save the file as UTF-8"
        ) from None


def read_csv_text(
    path: str | os.PathLike[str], *, expected_columns: Iterable[str] | None = None
) -> pd.DataFrame:
    """Read a comma-separated file with every value as text (``None`` when empty).

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8, comma-separated, header on the first line).
    expected_columns : iterable of str, optional
        Columns that must be present; their absence is reported together with the
        delimiter that the file seems to use instead.

    Returns
    -------
    pandas.DataFrame
        Columns as in the file; the index is the file's line number of each row.

    Raises
    ------
    SchemaError
        For an empty or non-UTF-8 file, a wrong delimiter, missing columns or rows
        with the wrong number of fields.
    """
    path = Path(path)
    text = read_text(path)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    header = [h.strip() for h in rows[0]]
    expected = list(expected_columns or [])
    if expected and not set(expected) <= set(header):
        sniffed = _guess_delimiter(text)
        hint = f"; the file seems to use {sniffed!r} as delimiter, not ','" if sniffed else ""
        missing = [c for c in expected if c not in header]
        raise SchemaError(
            f"{path}: missing column(s) {', '.join(missing)} (header is "
            f"{', '.join(header)[:200]!r}){hint}"
        )
    body = rows[1:]
    bad = [(i + 2, len(r)) for i, r in enumerate(body) if len(r) != len(header) and any(r)]
    if bad:
        lines = ", ".join(f"line {n} has {k}" for n, k in bad[:5])
        raise SchemaError(f"{path}: expected {len(header)} fields per line: {lines}")
    lines = [i + 2 for i, r in enumerate(body) if any(c.strip() for c in r)]
    body = [r for r in body if any(c.strip() for c in r)]
    frame = pd.DataFrame(body, columns=header, index=pd.Index(lines, name="line"), dtype="object")
    return frame.map(lambda v: v.strip() or None if isinstance(v, str) else v)


def _guess_delimiter(text: str) -> str | None:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=";\t|,").delimiter
    except csv.Error:
        return None
