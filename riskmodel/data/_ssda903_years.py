"""Merging several years' SSDA903 returns, each already checked, into one set of tables.

Each year's return holds every episode open at any time in that year, so an episode
open on 31 March is restated, usually with its ``DEC``, in the next year's return.
Records are matched across returns (episodes on child and ``DECOM``, missing
episodes on child and ``MIS_START``, persons on child) and the latest return's
values win; every earlier value that differs is reported. Checks that involve
several returns (episodes overlapping, records dated before a corrected date of
birth) run on the merged tables.
"""

from __future__ import annotations

import pandas as pd

from riskmodel.data._codes import ETHNIC_UNKNOWN
from riskmodel.data._issues import RECORD_DROPPED, VALUE_ASSUMED, VALUE_DROPPED, IssueLog
from riskmodel.data._ssda903_checks import overlapping_episodes, sort_issues
from riskmodel.data._ssda903_return import CheckedReturn

__all__ = ["merge_returns"]

_EPISODE_FIELDS = (
    ("DEC", "end_date"),
    ("RNE", "reason_new_episode"),
    ("LS", "legal_status"),
    ("CIN", "category_of_need"),
    ("PLACE", "placement"),
    ("REC", "reason_episode_ceased"),
)
_PERSON_FIELDS = (("SEX", "sex"), ("DOB", "date_of_birth"))
_ORIGIN = ["file", "location"]


def merge_returns(
    returns: list[CheckedReturn],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Merge checked returns (in collection-year order) into canonical tables and issues.

    Returns
    -------
    persons, care_episodes, events, issues : pandas.DataFrame
        The merged tables (canonical columns only) and every return's issues followed,
        file by file, by those of the merge.
    """
    log = IssueLog()
    persons = _merge_persons(returns, log)
    episodes = _merge_episodes(returns, log)
    events = _merge_missing(returns, log)
    dob = persons.set_index("person_id")["date_of_birth"]
    episodes = _drop_before_birth(episodes, dob, "DECOM", "start_date", "care_episodes", log)
    events = _drop_before_birth(events, dob, "MIS_START", "event_date", "events", log)
    episodes = _drop_overlaps(episodes, log)
    files = list(dict.fromkeys(f for r in returns for f in r.raw.files.values()))
    positions = {k: v for r in returns for k, v in r.raw.positions.items()}
    issues = pd.concat([r.issues for r in returns] + [log.to_frame()], ignore_index=True)
    tables = [t.drop(columns=_ORIGIN + ["rank"]) for t in (persons, episodes, events)]
    return *tables, sort_issues(issues, files, positions)  # type: ignore[return-value]


def _stack(returns: list[CheckedReturn], table: str) -> pd.DataFrame:
    """One table of every return, with ``rank`` (the return's place in year order)."""
    frames = [getattr(r, table).assign(rank=i) for i, r in enumerate(returns)]
    frames = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(frames, ignore_index=True)


def _latest(stacked: pd.DataFrame, key: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into those of the latest return holding their key, and the others.

    The others come with the winning row's values beside them (suffix ``_won``).
    Winners are in order of each key's first appearance.
    """
    groups = stacked.groupby(key, sort=False)
    last = groups["rank"].transform("max")
    order = groups.ngroup()  # numbered in order of first appearance
    winners = stacked[stacked["rank"] == last]
    winners = winners.iloc[order[winners.index].argsort(kind="stable")]
    earlier = stacked[stacked["rank"] < last]
    single = winners.drop_duplicates(key)
    earlier = earlier.merge(single, on=key, how="left", suffixes=("", "_won"))
    return winners, earlier


def _shown(values: pd.Series) -> pd.Series:
    """Values as the return writes them (dates ``dd/mm/YYYY``), missing as None."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%d/%m/%Y").astype("object").where(values.notna(), None)
    return values.astype("object").where(values.notna(), None)


def _where(frame: pd.DataFrame, suffix: str = "") -> pd.Series:
    return frame["file" + suffix].astype(str) + " " + frame["location" + suffix].astype(str)


def _log(
    log: IssueLog, rows: pd.DataFrame, table: str, field: str, value, reason, consequence: str
) -> None:
    """Log one issue for each row of ``rows`` (at the row's own file and location)."""
    if not len(rows):
        return
    log.extend(
        pd.DataFrame(
            {
                "file": rows["file"],
                "location": rows["location"],
                "person_id": rows["person_id"],
                "table": table,
                "field": field,
                "value": value,
                "reason": reason,
                "consequence": consequence,
            }
        )
    )


def _report_changes(
    log: IssueLog, earlier: pd.DataFrame, fields, table: str, *, blank_is_news: bool = False
) -> None:
    """Report each earlier value that the winning (later) row does not repeat.

    A value blank earlier and given later is not reported (the later return completes
    the record). ``blank_is_news``: a value given earlier and blank later is reported
    as such.
    """
    for name, column in fields:
        old, new = earlier[column], earlier[column + "_won"]
        differs = old.notna() & (new.isna() | (old != new))
        rows = earlier[differs.fillna(False).astype(bool)]
        later = _where(rows, "_won")
        blank = rows[column + "_won"].isna()
        reason = (
            f"{name} differs in the later return at " + later + " ("
            + _shown(rows[column + "_won"]).astype(str) + "), whose value is used"
        )  # fmt: skip
        if blank_is_news:
            reason = reason.where(
                ~blank,
                f"{name} is blank in the later return at " + later + ", whose blank is used",
            )
        _log(log, rows, table, name, _shown(rows[column]), reason, VALUE_DROPPED)


def _merge_persons(returns: list[CheckedReturn], log: IssueLog) -> pd.DataFrame:
    """One row per child: the latest return's SEX and DOB, its latest known ETHNIC code."""
    stacked = _stack(returns, "persons")
    winners, earlier = _latest(stacked, ["person_id"])
    _report_changes(log, earlier, _PERSON_FIELDS, "persons")
    known = stacked[stacked["ethnicity"] != ETHNIC_UNKNOWN]
    known = known.drop_duplicates("person_id", keep="last").set_index("person_id")
    ethnicity = winners["person_id"].map(known["ethnicity"]).fillna(winners["ethnicity"])
    rows = winners[winners["ethnicity"].eq(ETHNIC_UNKNOWN) & ethnicity.ne(ETHNIC_UNKNOWN)]
    source = known.loc[rows["person_id"]]
    reason = (
        "ETHNIC is not known in this return; the code at " + _where(source).to_numpy()
        + " (" + source["ethnicity"].to_numpy() + ") is used"
    )  # fmt: skip
    _log(log, rows, "persons", "ETHNIC", ETHNIC_UNKNOWN, reason, VALUE_ASSUMED)
    winners = winners.assign(ethnicity=ethnicity)
    changed = earlier[earlier["ethnicity"] != ETHNIC_UNKNOWN]
    person = changed["person_id"]
    changed = changed.assign(
        ethnicity_won=person.map(winners.set_index("person_id")["ethnicity"]),
        file_won=person.map(known["file"]),
        location_won=person.map(known["location"]),
    )
    _report_changes(log, changed, [("ETHNIC", "ethnicity")], "persons")
    uasc = stacked.groupby("person_id")["uasc"].any()
    return winners.assign(uasc=winners["person_id"].map(uasc).astype(bool))


def _merge_episodes(returns: list[CheckedReturn], log: IssueLog) -> pd.DataFrame:
    stacked = _stack(returns, "care_episodes")
    winners, earlier = _latest(stacked, ["person_id", "start_date"])
    _report_changes(log, earlier, _EPISODE_FIELDS, "care_episodes", blank_is_news=True)
    vanished = winners["end_date"].isna() & (winners["rank"] < len(returns) - 1)
    dropped = pd.Series(False, index=winners.index)
    for rank, rows in winners[vanished].groupby("rank"):
        this, after = returns[int(rank)], returns[int(rank) + 1]
        file = after.raw.files["episodes"]
        keys = zip(rows["person_id"], rows["start_date"], strict=True)
        rejected = pd.Series([key in after.listed for key in keys], index=rows.index)
        if after.year > this.year + 1:  # type: ignore[operator]
            reason = (
                f"the episode is open at the end of this return and not in the later return "
                f"{file}; the returns between are not given, so it is kept as open"
            )
            _log(log, rows, "care_episodes", "DEC", None, reason, VALUE_ASSUMED)
            continue
        reason = pd.Series(
            f"the episode is open at the end of this return but not in the next year's "
            f"return {file}, which lists every episode open in its year",
            index=rows.index,
        ).mask(
            rejected,
            f"the episode is open at the end of this return and its record in the next "
            f"year's return {file} was dropped (see its issue), so its end is not known",
        )
        _log(
            log, rows, "care_episodes", "DECOM", _shown(rows["start_date"]), reason, RECORD_DROPPED
        )
        dropped[rows.index] = True
    return winners[~dropped]


def _merge_missing(returns: list[CheckedReturn], log: IssueLog) -> pd.DataFrame:
    stacked = _stack(returns, "events")
    winners, earlier = _latest(stacked, ["person_id", "event_date"])
    codes = winners.groupby(["person_id", "event_date"])["code"].agg(lambda c: set(c.dropna()))
    index = pd.MultiIndex.from_frame(earlier[["person_id", "event_date"]])
    later_codes = pd.Series(codes.reindex(index).to_numpy(), index=earlier.index)
    pairs = zip(earlier["code"], later_codes, strict=True)
    repeated = pd.Series([isinstance(s, set) and c in s for c, s in pairs], index=earlier.index)
    rows = earlier[earlier["code"].notna() & ~repeated]
    reason = (
        "MISSING differs in the later return at " + _where(rows, "_won") + " ("
        + _shown(rows["code_won"]).astype(str) + "), whose value is used"
    )  # fmt: skip
    _log(log, rows, "events", "MISSING", rows["code"], reason, VALUE_DROPPED)
    return winners


def _drop_before_birth(
    frame: pd.DataFrame, dob: pd.Series, name: str, column: str, table: str, log: IssueLog
) -> pd.DataFrame:
    """Drop records dated before the child's date of birth as merged."""
    early = frame[column] < frame["person_id"].map(dob)
    rows = frame[early]
    reason = f"{name} is before the child's DOB as given by the latest return"
    _log(log, rows, table, name, _shown(rows[column]), reason, RECORD_DROPPED)
    return frame[~early]


def _drop_overlaps(episodes: pd.DataFrame, log: IssueLog) -> pd.DataFrame:
    """Drop episodes overlapping the child's previous episode, once returns are merged."""
    episodes = episodes.reset_index(drop=True)
    keep = pd.Series(True, index=episodes.index)
    overlap = overlapping_episodes(
        episodes["person_id"], episodes["start_date"], episodes["end_date"], keep, _where(episodes)
    )
    rows = episodes[overlap.notna()]
    _log(log, rows, "care_episodes", "DECOM", _shown(rows["start_date"]), overlap[rows.index],
         RECORD_DROPPED)  # fmt: skip
    return episodes[overlap.isna()]
