"""Pooled authorities: person ids are unique only within an authority, and children never mix."""

from __future__ import annotations

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.data._pooling import TABLE_NAMES


@pytest.fixture(scope="module")
def two():
    a = rm.make_local_authority(n_children=300, random_state=0)
    b = rm.make_local_authority(n_children=300, random_state=1)
    return a, b


def _tables(data):
    return {name: getattr(data, name).drop(columns="authority") for name in TABLE_NAMES}


def test_pooling_keeps_colliding_ids_apart_and_splits_back(two):
    a, b = two
    assert set(a.persons["person_id"]) == set(b.persons["person_id"])  # the ids collide
    pooled = rm.pool_authorities({"E2": b, "E1": a})
    assert pooled.authorities == ("E1", "E2") and pooled.is_pooled
    assert len(pooled.persons) == len(a.persons) + len(b.persons)
    parts = dict(pooled.by_authority())
    for code, original in (("E1", a), ("E2", b)):
        got, want = _tables(parts[code]), _tables(original)
        for name in TABLE_NAMES:
            pd.testing.assert_frame_equal(got[name], want[name], check_index_type=False)
    pooled.validate()  # the same id in two authorities is two children


def test_merge_data_keeps_two_authorities_apart(two):
    a, b = two
    merged = rm.merge_data(rm.pool_authorities({"E1": a}), rm.pool_authorities({"E2": b}))
    assert len(merged.persons) == len(a.persons) + len(b.persons)
    assert merged.authorities == ("E1", "E2")


def test_merge_data_refuses_children_with_no_authority_beside_two(two):
    a, b = two
    with pytest.raises(ValueError, match="several authorities") as info:
        rm.merge_data(rm.pool_authorities({"E1": a}), rm.pool_authorities({"E2": b}), a)
    message = str(info.value)
    assert "dataset 3's persons" in message and "C0000001" in message
    assert "dataset 1 E1" in message and "dataset 3 none" in message


def test_merge_data_gives_one_authoritys_code_to_the_source_without_it(two):
    a, _ = two
    coded = rm.pool_authorities({"E1": a.subset(a.persons["person_id"][:100])})
    merged = rm.merge_data(coded, a)
    assert merged.authorities == ("E1",)
    assert merged.persons["authority"].eq("E1").all()
    assert len(merged.persons) == len(a.persons)  # children matched across the two


def test_stamping_refuses_a_table_naming_another_authority(two):
    a, _ = two
    with pytest.raises(ValueError, match=r"persons.authority: 300 row\(s\) already name another"):
        rm.pool_authorities({"E2": rm.pool_authorities({"E1": a})})


def test_validate_keys_on_authority_and_person(two):
    a, b = two
    pooled = rm.pool_authorities({"E1": a, "E2": b})
    repeated = pd.concat([pooled.persons, pooled.persons.iloc[[5]]], ignore_index=True)
    bad = rm.LocalAuthorityData(repeated, pooled.events, pooled.care_episodes)
    problems = bad.problems()
    unique = problems[(problems["column"] == "person_id") & (problems["table"] == "persons")]
    assert unique["message"].str.contains("E1/C").any()
    stray = pooled.events.assign(
        authority=pooled.events["authority"].where(lambda s: s.index != 3)
    )
    bad = rm.LocalAuthorityData(pooled.persons, stray, pooled.care_episodes)
    problems = bad.problems()
    assert ((problems["table"] == "events") & (problems["column"] == "authority")).any()
    with pytest.raises(rm.SchemaError, match="names no authority"):
        bad.validate()


def test_subset_by_authority_and_person(two):
    a, b = two
    pooled = rm.pool_authorities({"E1": a, "E2": b})
    keys = pd.DataFrame({"authority": ["E2"], "person_id": ["C0000001"]})
    one = pooled.subset(keys)
    assert one.persons[["authority", "person_id"]].values.tolist() == [["E2", "C0000001"]]
    assert one.events["authority"].eq("E2").all()
    assert len(pooled.subset(["C0000001"]).persons) == 2  # an id alone takes both


def test_known_at_on_pooled_data(two):
    a, b = two
    pooled = rm.pool_authorities({"E1": a, "E2": b})
    past = pooled.known_at("2020-04-01")
    assert past.authorities == ("E1", "E2")
    assert (past.events["event_date"] < pd.Timestamp("2020-04-01")).all()
