"""Shared fixtures: tiny hand-made tables and the real-format fixture folder."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

# Fake records in the DfE file formats, from MIT-licensed validator projects (see its README).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real_format"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The real-format SSDA903 and CIN census files shipped with the tests."""
    if not FIXTURES.is_dir():
        raise FileNotFoundError(f"real-format fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture
def small_tables() -> dict[str, pd.DataFrame]:
    """Three children: one with a care history, one with events only, one quiet."""
    persons = pd.DataFrame(
        {
            "person_id": ["a", "b", "c"],
            "date_of_birth": ["2008-05-01", "2010-01-15", "2012-09-30"],
            "sex": ["M", "F", "U"],
            "ethnicity": ["WBRI", "BAFR", None],
            "disability": [False, True, None],
            "imd_decile": [1, 5, None],
            "household_id": ["h1", "h1", "h2"],
            "uasc": [False, False, False],
        }
    )
    events = pd.DataFrame(
        {
            "person_id": ["a", "a", "b"],
            "event_date": ["2020-01-10", "2020-06-01", "2021-03-01"],
            "event_type": ["referral", "missing_episode", "police_domestic_abuse"],
            "code": ["1A", "M", None],
            "value": [None, None, None],
        }
    )
    episodes = pd.DataFrame(
        {
            "person_id": ["a", "a", "a"],
            "start_date": ["2021-01-01", "2021-03-01", "2022-06-01"],
            "end_date": ["2021-03-01", "2021-09-01", None],
            "reason_new_episode": ["S", "P", "S"],
            "legal_status": ["V2", "C2", "C2"],
            "category_of_need": ["N1", "N1", "N4"],
            "placement": ["U1", "U3", "U1"],
            "reason_episode_ceased": ["X1", "E13", None],
        }
    )
    return {"persons": persons, "events": events, "care_episodes": episodes}
