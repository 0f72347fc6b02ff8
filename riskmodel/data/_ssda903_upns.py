"""The pupils' UPNs that SSDA903 returns give for their children, for linking extracts."""

from __future__ import annotations

import os
from collections.abc import Iterable

import pandas as pd

from riskmodel.data._ssda903 import ssda903_returns

__all__ = ["ssda903_upns"]


def ssda903_upns(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> pd.DataFrame:
    r"""List the unique pupil numbers of the children in SSDA903 returns.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Any form :func:`~riskmodel.data.read_ssda903` accepts: one year's folder or
        CSV files, an XML file, a folder of year folders and XML files, or a list.

    Returns
    -------
    pandas.DataFrame
        Columns ``upn`` (stripped, upper case), ``person_id`` (the return's
        ``CHILD``), ``file`` and ``location`` (as in the reader's issues: ``"line 3"``
        or ``"CHILD 3 / HEADER 1"``): one row per header row with both a ``UPN``
        (header ``UPN`` column in CSV, ``<UPN>`` in XML) and a ``CHILD``, returns in
        the order given. Rows are not checked further: the same child may appear in
        several years with the same or different UPNs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "header.csv").write_text(
    ...     "CHILD,SEX,DOB,ETHNIC,UPN\n1,1,01/05/2008,WBRI,a123456789012\n"
    ...     "2,2,01/05/2009,BAFR,\n")
    >>> _ = (folder / "episodes.csv").write_text("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n")
    >>> ssda903_upns(folder).values.tolist()
    [['A123456789012', '1', 'header.csv', 'line 2']]
    """
    frames = []
    for raw in ssda903_returns(paths):
        header = raw.tables["header"]
        if "UPN" not in header:
            continue
        upn = header["UPN"].astype("object").str.strip().str.upper()
        given = upn.notna() & (upn != "") & header["CHILD"].notna()
        frames.append(
            pd.DataFrame(
                {
                    "upn": upn[given],
                    "person_id": header.loc[given, "CHILD"],
                    "file": raw.files["header"],
                    "location": raw.locations["header"][given],
                }
            )
        )
    columns = ["upn", "person_id", "file", "location"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pd.concat(frames, ignore_index=True)[columns].astype("object")
