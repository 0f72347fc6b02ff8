"""The pupils' UPNs that CIN census files record, for linking education extracts."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from riskmodel.data._cin_census import PathLike, _resolve_paths
from riskmodel.data._cin_xml import load_message, text_of

__all__ = ["UPN_COLUMNS", "cin_census_upns"]

UPN_COLUMNS = ["upn", "person_id", "file", "location"]
_TAGS = ("UPN", "FormerUPN")


def cin_census_upns(paths: PathLike | Iterable[PathLike]) -> pd.DataFrame:
    """Return every UPN (current or former) recorded for a child in CIN census files.

    Parameters
    ----------
    paths : path-like, directory, or iterable of path-like
        As for :func:`~riskmodel.data.read_cin_census`.

    Returns
    -------
    pandas.DataFrame
        Columns ``upn`` (stripped, upper case), ``person_id`` (``LAchildID``),
        ``file`` and ``location`` (e.g. ``"Child 12 / FormerUPN"``), one row per
        ``ChildIdentifiers/UPN`` or ``ChildIdentifiers/FormerUPN`` element. Blank
        UPNs and children with no ``LAchildID`` are left out (the reader reports
        those children).

    Raises
    ------
    SchemaError
        If a file cannot be read (see :func:`~riskmodel.data.read_cin_census`).
    """
    rows = []
    for path in _resolve_paths(paths):
        message = load_message(path)
        for n, child in enumerate(message.root.iter("Child"), 1):
            ids = child.find("ChildIdentifiers")
            person_id = text_of(ids, "LAchildID")
            if person_id is None:
                continue
            for tag in _TAGS:
                for element in ids.findall(tag):
                    upn = (element.text or "").strip().upper()
                    if upn:
                        rows.append((upn, person_id, str(path), f"Child {n} / {tag}"))
    return pd.DataFrame(rows, columns=UPN_COLUMNS, dtype="object")
