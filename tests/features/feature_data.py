"""Small hand-written authorities and event families shared by the feature tests."""

import contextlib

import pandas as pd

from riskmodel.data import LocalAuthorityData
from riskmodel.features import EventFamily, _asof_rows


@contextlib.contextmanager
def small_chunks(rows):
    saved, _asof_rows.CHUNK_ROWS = _asof_rows.CHUNK_ROWS, rows
    try:
        yield
    finally:
        _asof_rows.CHUNK_ROWS = saved


REFERRAL = EventFamily("referral", "referral", "referrals")
ABSENCE = EventFamily("absence", "absence_rate", "school absence rates")
POLICE = EventFamily("police_da", "police_domestic_abuse", "police domestic-abuse notifications")
S47 = EventFamily("s47", "s47_start", "section 47 enquiries")
CP = EventFamily("cp_plan", "cp_plan_start", "child protection plans")
CP_END = EventFamily("cp_plan_end", "cp_plan_end", "ends of child protection plans")
EPISODE_COLUMNS = ["person_id", "start_date", "end_date", "legal_status", "reason_episode_ceased"]


def make_data(events=(), episodes=(), persons=None):
    persons = (
        persons if persons is not None else [("a", "2008-05-01", "h1"), ("b", "2010-01-01", "h1")]
    )
    return LocalAuthorityData(
        persons=pd.DataFrame(
            [(p, pd.Timestamp(d), "F", h) for p, d, h in persons],
            columns=["person_id", "date_of_birth", "sex", "household_id"],
        ),
        events=pd.DataFrame(
            [(p, pd.Timestamp(d), t, c, v) for p, d, t, c, v in events],
            columns=["person_id", "event_date", "event_type", "code", "value"],
        ),
        care_episodes=pd.DataFrame(
            [
                (p, pd.Timestamp(s), pd.Timestamp(e) if e else pd.NaT, ls, rec)
                for p, s, e, ls, rec in episodes
            ],
            columns=EPISODE_COLUMNS,
        ),
    )
