"""Writing the SSDA903 return of one collection year, as CSV tables and as XML.

A year's return (1 April to 31 March) holds every care episode open at any time in
the year. An episode still open on 31 March has a blank ``DEC`` and ``REC`` that year
and reappears with them the next year. ``header`` has a row for every child with an
episode in the year, ``missing`` the year's missing episodes of looked-after children,
and ``uasc`` the unaccompanied asylum-seeking children among them (``DUC``, the date
the status ceases, is the 18th birthday). ``SEX`` is 1/2 up to the 2024 return and
M/F/U from 2025; dates are ``dd/mm/YYYY``. Values the canonical tables do not hold
(postcodes, ``URN``, placement provider, the reason for a placement change, whether
the child is a mother) are left blank.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

from riskmodel._atomic import atomic_write
from riskmodel.data._ssda903_xml import BLOCKS, COLUMNS, XML_TO_CSV

__all__ = ["COLUMNS", "looked_after_missing", "year_tables", "write_903_csv", "write_903_xml"]

_CSV_TO_XML = {csv: xml for xml, csv in XML_TO_CSV.items()}
_XML_BLOCKS = {table: tag for tag, table in BLOCKS.items()}
_XML_FIELDS = {
    name: tuple(_CSV_TO_XML.get(c, c) for c in columns if name == "header" or c != "CHILD")
    for name, columns in COLUMNS.items()
}
"""Each block's fields in the XML form: the CSV columns, ``CHILD`` only in the header."""


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.strftime("%d/%m/%Y").fillna("")


def _sex(sex: pd.Series, year: int) -> pd.Series:
    if year >= 2025:
        return sex.where(sex.isin(["M", "F", "U"]), "U")
    return sex.map({"M": "1", "F": "2"}).fillna("0")


def looked_after_missing(events: pd.DataFrame, care_episodes: pd.DataFrame) -> pd.Series:
    """Return a mask of the ``missing_episode`` events of children then looked after.

    Looked after on a day means in an episode that started on or before it and ends
    after it (as :func:`riskmodel.data.looked_after_on`), short breaks included: the 903
    records the missing episodes of every looked-after child.
    """
    missing = events["event_type"] == "missing_episode"
    rows = events.loc[missing, ["person_id", "event_date"]].reset_index()
    spans = care_episodes[["person_id", "start_date", "end_date"]]
    pairs = rows.merge(spans, on="person_id", how="inner")
    inside = (pairs["start_date"] <= pairs["event_date"]) & (
        pairs["end_date"].isna() | (pairs["event_date"] < pairs["end_date"])
    )
    mask = pd.Series(False, index=events.index)
    mask.loc[pairs.loc[inside, "index"].unique()] = True
    return mask


def year_tables(
    year: int,
    persons: pd.DataFrame,
    care_episodes: pd.DataFrame,
    missing: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """Return the four tables of the return for the collection year ending 31 March ``year``.

    Parameters
    ----------
    year : int
        The collection year.
    persons : pandas.DataFrame
        Canonical ``persons`` with a ``upn`` column, indexed by ``person_id``.
    care_episodes : pandas.DataFrame
        Canonical ``care_episodes``.
    missing : pandas.DataFrame
        The ``missing_episode`` events of looked-after children.

    Returns
    -------
    dict
        Table name -> frame with the columns of :data:`COLUMNS` (strings, blank where
        unknown), in order of child and date.
    """
    first, reference = pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
    eps = care_episodes[
        (care_episodes["start_date"] <= reference)
        & (care_episodes["end_date"].isna() | (care_episodes["end_date"] >= first))
    ].sort_values(["person_id", "start_date"], kind="stable")
    children = persons.loc[pd.unique(eps["person_id"])]
    miss = missing[(missing["event_date"] >= first) & (missing["event_date"] <= reference)]
    miss = miss[miss["person_id"].isin(children.index)].sort_values(
        ["person_id", "event_date"], kind="stable"
    )
    flags = children["uasc"] if "uasc" in children else pd.Series(False, index=children.index)
    tables = {
        "header": _header(children, year),
        "episodes": _episodes(eps, reference),
        "missing": _missing(miss, persons),
        "uasc": _uasc(children[flags.fillna(False).astype(bool)], year),
    }
    return {name: t[list(COLUMNS[name])].reset_index(drop=True) for name, t in tables.items()}


def _episodes(eps: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    ended = eps["end_date"].notna() & (eps["end_date"] <= reference)
    table = pd.DataFrame({
        "CHILD": eps["person_id"].astype(str),
        "DECOM": _dates(eps["start_date"]),
        "RNE": eps["reason_new_episode"].fillna(""),
        "LS": eps["legal_status"].fillna(""),
        "CIN": eps["category_of_need"].fillna(""),
        "PLACE": eps["placement"].fillna(""),
        "DEC": _dates(eps["end_date"].where(ended)),
        "REC": eps["reason_episode_ceased"].where(ended).fillna(""),
    })  # fmt: skip
    for column in ("PLACE_PROVIDER", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"):
        table[column] = ""
    return table


def _header(children: pd.DataFrame, year: int) -> pd.DataFrame:
    return pd.DataFrame({
        "CHILD": children.index.astype(str),
        "SEX": _sex(children["sex"], year).to_numpy(),
        "DOB": _dates(children["date_of_birth"]).to_numpy(),
        "ETHNIC": children["ethnicity"].fillna("NOBT").to_numpy(),
        "UPN": children["upn"].to_numpy(),
        "MOTHER": "",
        "MC_DOB": "",
    })  # fmt: skip


def _missing(miss: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "CHILD": miss["person_id"].astype(str).to_numpy(),
        "DOB": _dates(persons.loc[miss["person_id"], "date_of_birth"]).to_numpy(),
        "MISSING": miss["code"].fillna("").to_numpy(),
        "MIS_START": _dates(miss["event_date"]).to_numpy(),
        "MIS_END": "",
    })  # fmt: skip


def _uasc(uasc: pd.DataFrame, year: int) -> pd.DataFrame:
    born = pd.to_datetime(uasc["date_of_birth"])
    return pd.DataFrame({
        "CHILD": uasc.index.astype(str),
        "SEX": _sex(uasc["sex"], year).to_numpy(),
        "DOB": _dates(born).to_numpy(),
        "DUC": _dates(born + pd.DateOffset(years=18)).to_numpy(),
    })  # fmt: skip


def write_903_csv(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write the tables of one year as ``header.csv``, ``episodes.csv``, ... in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        atomic_write(folder / f"{name}.csv", lambda tmp, t=table: t.to_csv(tmp, index=False))
    return folder


def write_903_xml(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write the tables of one year as one ``<EXPSSDA903>`` file, one ``<CHILD>`` per child.

    Blank values are left out; ``CHILD`` is ``HEADER/CHILDID`` and ``PLACE`` is ``PL``.
    """
    blocks: dict[str, dict[str, list[str]]] = {}
    for name, table in tables.items():
        fields = _XML_FIELDS[name]
        tag = _XML_BLOCKS[name]
        columns = [table[XML_TO_CSV.get(f, f)].to_numpy(dtype=object) for f in fields]
        rows = blocks.setdefault(name, {})
        for i, child in enumerate(table["CHILD"].to_numpy(dtype=object)):
            inner = "".join(
                f"<{f}>{escape(v)}</{f}>"
                for f, v in zip(fields, (c[i] for c in columns), strict=True)
                if v
            )
            rows.setdefault(child, []).append(f"<{tag}>{inner}</{tag}>")
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<EXPSSDA903>\n']
    for child, header in blocks["header"].items():
        parts.append("<CHILD>" + header[0])
        for name in ("episodes", "missing", "uasc"):
            parts.extend(blocks[name].get(child, ()))
        parts.append("</CHILD>\n")
    parts.append("</EXPSSDA903>\n")
    text = "".join(parts)
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
