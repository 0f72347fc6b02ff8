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
    utf16 = _utf16_kind(raw)
    if utf16:
        raise SchemaError(f"{path}: not UTF-8 (looks like UTF-16 {utf16}); save the file as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SchemaError(
            f"{path}: not UTF-8 text: byte {raw[exc.start]:#04x} at offset {exc.start} "
            f"(line {line}); save the file as UTF-8"
        ) from None


def _utf16_kind(raw: bytes) -> str | None:
    """Say how ``raw`` looks like UTF-16 (byte-order mark, or NULs at every other byte)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "with a byte-order mark"
    sample = raw[:4096]
    if b"\x00" not in sample or len(sample) < 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for nuls, order in ((odd, "little-endian"), (even, "big-endian")):
        if nuls.count(0) >= 0.3 * len(nuls):
            return f"{order}, without a byte-order mark"
    return None


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
    rows, starts = _rows_and_lines(path, text)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows or not any(cell.strip() for cell in rows[0]):
        wanted = ",".join(expected_columns or [])
        raise SchemaError(
            f"{path}: no header row: the first line has no column names (only commas or "
            f"blanks); expected {f'a header such as {wanted!r}' if wanted else 'column names'}"
            " on line 1"
        )
    header = [h.strip() for h in rows[0]]
    rows = _drop_blank_unnamed(path, header, rows)
    header = [h.strip() for h in rows[0]]
    _check_header(path, header)
    expected = list(expected_columns or [])
    if expected and not set(expected) <= set(header):
        sniffed = _guess_delimiter(text)
        hint = f"; the file seems to use {sniffed!r} as delimiter, not ','" if sniffed else ""
        missing = [c for c in expected if c not in header]
        raise SchemaError(
            f"{path}: missing column(s) {', '.join(missing)} (header is "
            f"{', '.join(header)[:200]!r}){hint}"
        )
    body, starts = rows[1:], starts[1 : len(rows)]
    bad = [
        (n, len(r)) for n, r in zip(starts, body, strict=True) if len(r) != len(header) and any(r)
    ]
    if bad:
        lines = ", ".join(f"line {n} has {k}" for n, k in bad[:5])
        raise SchemaError(f"{path}: expected {len(header)} fields per line: {lines}")
    used = [any(c.strip() for c in r) for r in body]
    lines = [n for n, u in zip(starts, used, strict=True) if u]
    body = [r for r, u in zip(body, used, strict=True) if u]
    frame = pd.DataFrame(body, columns=header, index=pd.Index(lines, name="line"), dtype="object")
    return frame.map(lambda v: v.strip() or None if isinstance(v, str) else v)


def _rows_and_lines(path: Path, text: str) -> tuple[list[list[str]], list[int]]:
    """Split CSV text into rows, with the physical line on which each row starts.

    A quoted field may hold line breaks, so a row can span several lines; issues
    name the line where it starts, as a text editor shows it.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, starts, previous = [], [], 0
    try:
        for row in reader:
            rows.append(row)
            starts.append(previous + 1)
            previous = reader.line_num
    except csv.Error as exc:
        raise SchemaError(f"{path}: not valid CSV: {exc} at line {reader.line_num}") from None
    return rows, starts


def _drop_blank_unnamed(path: Path, header: list[str], rows: list[list[str]]) -> list[list[str]]:
    """Drop columns with no name and no value (trailing commas); refuse unnamed values."""
    unnamed = [i for i, name in enumerate(header) if not name]
    if not unnamed:
        return rows
    for i in unnamed:
        used = [n for n, r in enumerate(rows[1:], start=2) if i < len(r) and r[i].strip()]
        if used:
            raise SchemaError(
                f"{path}: column {i + 1} has values (row {used[0] - 1} of the data) but no "
                "name in the header; expected every column with values to be named"
            )
    width = len(header)
    return [
        [c for i, c in enumerate(r) if i not in unnamed] if len(r) == width else r for r in rows
    ]


def _check_header(path: Path, header: list[str]) -> None:
    """Refuse a header that names a column twice."""
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if name in seen:
            raise SchemaError(
                f"{path}: column {name!r} appears twice in the header (columns "
                f"{seen[name]} and {number}); expected each column once"
            )
        seen[name] = number


def _guess_delimiter(text: str) -> str | None:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=";\t|,").delimiter
    except csv.Error:
        return None
