"""Unique pupil numbers (UPNs) for the children of a synthetic authority's returns.

The canonical tables carry no UPN, but the returns and the education extracts do, and
linking a school extract to the social-care records goes through them. Each child gets
a deterministic, well-formed UPN: a check letter, the 3-digit authority number, a
4-digit establishment number, the 2-digit year of allocation and a 3-digit serial,
with the Department for Education's check letter. A small, deterministic share of
children also has a former UPN (a UPN that was changed), as the CIN census records it.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

__all__ = ["FORMER_UPN_SHARE", "check_letter", "make_upns"]

_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""Check letters for remainders 0-22 (I, O and S are never used)."""

FORMER_UPN_SHARE = 1 / 25
"""Share of children (by a hash of their id) whose UPN was changed."""


def check_letter(body: str) -> str:
    """Return the DfE check letter of the 12 characters that follow it in a UPN.

    Each character of ``body`` (the authority, establishment, year and serial digits;
    a temporary UPN's last character may be a letter) is weighted by its position in
    the UPN, 2 to 13, and the weighted sum modulo 23 picks the letter.

    Examples
    --------
    >>> check_letter("999200014001")
    'R'
    """
    if len(body) != 12:
        raise ValueError(f"a UPN body has 12 characters, got {body!r}")
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else _LETTERS.index(char.upper())
        total += weight * value
    return _LETTERS[total % 23]


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def make_upns(persons: pd.DataFrame, la_code: str) -> pd.DataFrame:
    """Return one deterministic UPN per child, and a former UPN for a few.

    Parameters
    ----------
    persons : pandas.DataFrame
        Canonical ``persons`` (``person_id``, ``date_of_birth``).
    la_code : str
        The authority's 3-digit number.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``person_id``, columns ``upn`` and ``former_upn`` (None for most
        children). Every UPN and former UPN is distinct and 13 characters long.
    """
    ids = persons["person_id"].astype(str).to_numpy()
    hashes = np.array([_hash(pid) for pid in ids], dtype=np.uint64)
    born = pd.to_datetime(persons["date_of_birth"]).dt.year.fillna(2000).astype(int).to_numpy()
    school = 2000 + (hashes % np.uint64(400)).astype(np.int64)
    year = (born + 5) % 100
    former = (hashes >> np.uint64(20)) % np.uint64(round(1 / FORMER_UPN_SHARE)) == 0
    upns = _numbered(la_code, school, year, np.arange(len(ids)))
    # Former UPNs were allocated by other schools (establishment numbers 7000-7399).
    old = _numbered(la_code, school + 5000, year, np.arange(len(ids)))
    return pd.DataFrame(
        {"upn": upns, "former_upn": np.where(former, old, None)},
        index=pd.Index(ids, name="person_id"),
    )


def _numbered(la_code: str, school: np.ndarray, year: np.ndarray, order: np.ndarray) -> list:
    """Give each child a serial within its (establishment, year) and build the UPNs."""
    frame = pd.DataFrame({"school": school, "year": year, "order": order})
    serial = frame.groupby(["school", "year"]).cumcount().to_numpy()
    school = school + 400 * (serial // 1000)  # at most 1000 serials per establishment-year
    serial = serial % 1000
    digits = np.column_stack(
        [np.full(len(school), int(c)) for c in la_code]
        + [school // 10 ** (3 - k) % 10 for k in range(4)]
        + [year // 10 ** (1 - k) % 10 for k in range(2)]
        + [serial // 10 ** (2 - k) % 10 for k in range(3)]
    )
    letters = np.array(list(_LETTERS))[(digits @ np.arange(2, 14)) % 23]
    return [
        f"{letter}{la_code}{s:04d}{y:02d}{n:03d}"
        for letter, s, y, n in zip(letters, school, year, serial, strict=True)
    ]
