"""The canonical CIN events of each child regrouped into CIN census episodes.

The census holds one ``CINdetails`` block per episode of need, from referral to
closure, with the episode's assessments, section 47 enquiries, CIN plans and child
protection plans inside it. The canonical ``events`` table is flat, so the writer
rebuilds that structure: a referral opens an episode, a closure ends it (a referral
with no further action ends on its own day), and every other CIN event belongs to the
episode open on its date. An event that no episode can hold (a closure with no
referral before it, a plan end with no plan) is returned as not carried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from riskmodel.data._codes import CIN_CENSUS_EVENT_TYPES

__all__ = ["Block", "Episode", "build_episodes"]

# Order of events on the same day: what completes the open episode's work, then its
# closure, then a new referral, then what starts in it.
_DAY_ORDER = {
    "cp_plan_end": 0, "cin_plan_end": 0, "assessment_factor": 0, "icpc": 0,
    "cin_closure": 1, "referral": 2,
    "referral_nfa": 3, "assessment_start": 3, "s47_start": 3, "cin_plan_start": 3,
    "cp_plan_start": 3,
}  # fmt: skip


@dataclass
class Block:
    """An assessment, section 47 enquiry, CIN plan or CP plan of an episode.

    ``end`` is the assessment's authorisation (when factors are known), the
    enquiry's initial conference, or the plan's end; None while open or unknown.
    """

    kind: str
    start: dt.date
    end: dt.date | None = None
    code: str | None = None
    end_code: str | None = None
    factors: list[str] = field(default_factory=list)

    def last_day(self) -> dt.date | None:
        """Return the day the block stops being open (None: open or unknown)."""
        if self.kind == "s47":
            return self.end or self.start
        return self.end


@dataclass
class Episode:
    """One ``CINdetails`` block: a referral, its closure and what happened in between."""

    person_id: str
    referral: dt.date
    source: str | None
    nfa: bool = False
    closure: dt.date | None = None
    reason: str | None = None
    icpc: dt.date | None = None
    blocks: list[Block] = field(default_factory=list)

    def last_day(self) -> dt.date | None:
        """Return the last day of the episode: its closure, or a later authorisation.

        A referral with no further action ends at once; None while open.
        """
        end = self.referral if self.nfa else self.closure
        if end is None:
            return None
        ends = [b.end for b in self.blocks if b.end is not None]
        return max([end, *ends])


def build_episodes(events: pd.DataFrame) -> tuple[list[Episode], pd.DataFrame]:
    """Regroup the CIN events of ``events`` into episodes.

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical ``events``; types other than
        :data:`~riskmodel.data.CIN_CENSUS_EVENT_TYPES` are ignored.

    Returns
    -------
    episodes : list of Episode
        In order of child, then referral date.
    not_carried : pandas.DataFrame
        The CIN events that no episode can hold (``person_id``, ``event_date``,
        ``event_type``, ``code``).
    """
    cin = events.loc[events["event_type"].isin(CIN_CENSUS_EVENT_TYPES)]
    cin = cin.assign(_order=cin["event_type"].map(_DAY_ORDER))
    cin = cin.sort_values(["person_id", "event_date", "_order"], kind="stable")
    codes = cin["code"].astype(object).where(cin["code"].notna(), None)
    episodes: list[Episode] = []
    orphans: list[tuple] = []
    builder = _Builder(episodes, orphans)
    days = cin["event_date"].dt.date.tolist()
    for pid, day, kind, code in zip(
        cin["person_id"].tolist(), days, cin["event_type"].tolist(), codes.tolist(), strict=True
    ):
        builder.add(pid, day, kind, code)
    columns = ["person_id", "event_date", "event_type", "code"]
    not_carried = pd.DataFrame(orphans, columns=columns)
    not_carried["event_date"] = pd.to_datetime(not_carried["event_date"])
    return episodes, not_carried


class _Builder:
    """Walks one child's events in order, keeping the episode open at each moment."""

    def __init__(self, episodes: list[Episode], orphans: list[tuple]) -> None:
        self.episodes = episodes
        self.orphans = orphans
        self.person: str | None = None
        self.current: Episode | None = None
        self.last: Episode | None = None

    def add(self, pid: str, day: dt.date, kind: str, code: str | None) -> None:
        if pid != self.person:
            self.person, self.current, self.last = pid, None, None
        if kind == "referral":
            self.current = self.last = Episode(pid, day, code)
            self.episodes.append(self.current)
            return
        episode = self.current
        if episode is None and kind == "assessment_factor":
            episode = self.last  # an assessment authorised after its episode closed
        handled = episode is not None and self._apply(episode, day, kind, code)
        if not handled:
            self.orphans.append((pid, day, kind, code))

    def _apply(self, episode: Episode, day: dt.date, kind: str, code: str | None) -> bool:
        if kind == "referral_nfa":
            if episode.referral != day or episode.blocks:
                return False
            episode.nfa = True
            self.current = None
        elif kind == "cin_closure":
            episode.closure, episode.reason = day, code
            self.current = None
        elif kind in ("assessment_start", "s47_start", "cin_plan_start", "cp_plan_start"):
            block = Block(kind.split("_plan")[0].split("_start")[0], day, code=code)
            episode.blocks.append(block)
        else:
            return self._complete(episode, day, kind, code)
        return True

    def _complete(self, episode: Episode, day: dt.date, kind: str, code: str | None) -> bool:
        """Attach an end (factor, conference, plan end) to the latest open block it ends."""
        wanted = {"assessment_factor": "assessment", "icpc": "s47"}.get(kind)
        wanted = wanted or kind.removesuffix("_plan_end")
        for block in reversed(episode.blocks):
            if block.kind != wanted or block.start > day:
                continue
            if kind == "assessment_factor" and block.end in (None, day):
                block.end = day
                block.factors.append(code)
                return True
            if kind != "assessment_factor" and block.end is None:
                block.end, block.end_code = day, code
                return True
        if kind == "icpc" and episode.icpc is None:
            episode.icpc = day
            return True
        return False
