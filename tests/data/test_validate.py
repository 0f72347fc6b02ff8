import subprocess
import sys
import warnings

import pandas as pd
import pytest

import riskmodel as rm


def _data(tables, **changes):
    tables = {k: v.copy() for k, v in tables.items()}
    for name, change in changes.items():
        tables[name] = change(tables[name])
    return rm.LocalAuthorityData(**tables, extract_date="2024-03-31")


def test_clean_data_validates_silently(small_tables):
    data = _data(small_tables)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert data.validate() is data
    assert data.problems().empty


def test_all_errors_are_reported_at_once(small_tables):
    def persons(p):
        p.loc[2, "person_id"] = "b"
        p.loc[0, "sex"] = "X"
        return p

    def events(e):
        e.loc[1, "person_id"] = "zz"
        e.loc[2, "event_date"] = "2024-05-01"
        return e

    def episodes(e):
        e.loc[0, "end_date"] = "2020-12-01"
        return e

    data = _data(small_tables, persons=persons, events=events, care_episodes=episodes)
    with pytest.raises(rm.SchemaError) as info:
        data.validate()
    message = str(info.value)
    assert message.startswith("5 problems in the data:")
    assert "persons.person_id: 2 rows repeat a person_id that must be unique (rows 1, 2" in message
    assert "persons.sex: 1 row has a sex other than M/F/U (row 0; value 'X')" in message
    assert "events.person_id: 1 row names a person not in persons (row 1; value 'zz')" in message
    assert (
        "events.event_date: 1 row is after the data's extract date 2024-03-31 "
        "(row 2; value '2024-05-01')"
    ) in message
    assert "care_episodes.end_date: 1 row ends before they start (row 0" in message


def test_overlapping_episodes_are_errors(small_tables):
    def episodes(e):
        e.loc[1, "start_date"] = "2021-02-01"  # starts before episode 0 ends
        return e

    with pytest.raises(rm.SchemaError, match="overlapping episodes"):
        _data(small_tables, care_episodes=episodes).validate()


def test_episode_after_an_open_one_overlaps(small_tables):
    def episodes(e):
        extra = e.iloc[[2]].assign(start_date="2023-01-01")
        return pd.concat([e, extra], ignore_index=True)

    problems = _data(small_tables, care_episodes=episodes).problems()
    assert problems["message"].str.contains("overlapping").any()


def test_future_birth_without_extract_date(small_tables):
    persons = small_tables["persons"].copy()
    persons.loc[2, "date_of_birth"] = "2099-01-01"
    data = rm.LocalAuthorityData(persons, small_tables["events"], small_tables["care_episodes"])
    with pytest.raises(
        rm.SchemaError, match=r"persons\.date_of_birth: 1 row is births in the future"
    ):
        data.validate()


def test_usable_problems_are_warnings_saying_what_was_assumed(small_tables):
    def persons(p):
        p.loc[0, "ethnicity"] = "XXXX"
        return p

    data = _data(small_tables, persons=persons)
    with pytest.warns(rm.DataQualityWarning, match="unknown ETHNIC code; treated as NOBT"):
        data.validate()
    problems = data.problems()
    assert problems["severity"].tolist() == ["warning"]
    assert problems.loc[0, "rows"] == [0] and problems.loc[0, "values"] == ["XXXX"]


def test_messages_name_at_most_five_rows(small_tables):
    events = pd.concat([small_tables["events"]] * 4, ignore_index=True)
    events["person_id"] = "nobody"
    data = rm.LocalAuthorityData(small_tables["persons"], events, small_tables["care_episodes"])
    with pytest.raises(
        rm.SchemaError, match=r"12 rows name a person .*rows 0, 1, 2, 3, 4 and 7 more"
    ):
        data.validate()


def test_validation_imports_pandera_without_warnings():
    """Validation stays silent where PySpark is installed beside pandas 3.

    pandera's import probes ``pyspark.pandas``, which warns under pandas 3 and then
    fails; a notebook would print that warning at the first ``validate()``. Run in a
    fresh interpreter with every warning an error, so the import really happens.
    """
    code = (
        "import riskmodel as rm\n"
        "rm.make_local_authority(n_children=200, random_state=0).validate()\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
