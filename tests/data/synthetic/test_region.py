"""A synthetic region: authorities that differ, written and read back one at a time."""

from __future__ import annotations

import pandas as pd
import pytest

from riskmodel.data.synthetic import (
    _region,
    iter_region,
    make_authority,
    make_region,
    region_settings,
    write_region,
)

pytestmark = pytest.mark.xdist_group("synthetic")


def test_settings_differ_between_authorities():
    settings = region_settings(8, 40_000, random_state=1)
    sizes = [s.n_children for s in settings]
    assert len(set(sizes)) == 8 and abs(sum(sizes) - 40_000) < 8 * 200
    assert len({s.uasc_share for s in settings}) > 1
    assert any(s.unrecorded for s in settings) and any(s.recorded_from for s in settings)
    assert any(s.reporting_bias for s in settings)
    assert len({s.seed for s in settings}) == 8


def test_region_pools_authorities_whose_recording_differs():
    region = make_region(4, 2_400, random_state=0)
    settings = region_settings(4, 2_400, random_state=0)
    assert region.authorities == tuple(s.code for s in settings)
    region.validate()  # colliding person ids are different children
    parts = dict(region.by_authority())
    for s in settings:
        events = parts[s.code].events
        assert len(parts[s.code].persons) == s.n_children
        assert not events["event_type"].isin(s.unrecorded).any()
        for event_type, first_day in s.recorded_from.items():
            dated = events.loc[events["event_type"] == event_type, "event_date"]
            assert (dated >= pd.Timestamp(first_day)).all() and len(dated)


def test_write_region_round_trips_and_generates_one_authority_at_a_time(tmp_path, monkeypatch):
    from riskmodel.data import _directory

    made, write = _region.make_authority, _directory.write_data
    generated, written = [], []

    def counting(settings, **options):
        generated.append(settings.code)
        return made(settings, **options)

    def recording(data, directory, **options):
        written.append(data.authorities)
        assert len(generated) == len(written)  # each written before the next is made
        return write(data, directory, **options)

    monkeypatch.setattr(_region, "make_authority", counting)
    monkeypatch.setattr(_directory, "write_data", recording)
    settings = write_region(tmp_path / "region", 3, 1_500, random_state=2)
    monkeypatch.undo()
    assert written == [(s.code,) for s in settings]
    for (code, data), s in zip(iter_region(tmp_path / "region"), settings, strict=True):
        want = make_authority(s)
        assert code == s.code
        pd.testing.assert_frame_equal(data.events, want.events)
        pd.testing.assert_frame_equal(data.persons, want.persons)


def test_a_more_deprived_authority_is_more_deprived_and_has_more_care_entries():
    from riskmodel.data.synthetic import make_local_authority

    kinds = {
        shift: make_local_authority(
            n_children=6_000, deprivation_shift=shift, uasc_share=0.0, random_state=0
        )
        for shift in (-0.3, 0.3)
    }
    affluent, deprived = kinds[-0.3], kinds[0.3]
    assert deprived.persons["imd_decile"].mean() < affluent.persons["imd_decile"].mean() - 1
    rate = {k: d.care_episodes["person_id"].nunique() / len(d.persons) for k, d in kinds.items()}
    assert rate[0.3] > 1.25 * rate[-0.3]  # deprivation drives chronic vulnerability
    with pytest.raises(ValueError, match="deprivation_shift"):
        make_local_authority(n_children=500, deprivation_shift=3.0)


def test_a_regions_authorities_differ_in_deprivation_mix():
    from riskmodel.data.synthetic import region_settings

    settings = region_settings(12, 120_000, random_state=0)
    assert len({s.deprivation_shift for s in settings}) >= 3
