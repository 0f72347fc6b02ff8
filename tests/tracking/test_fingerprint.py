"""The data fingerprint logged with a training run."""

import pandas as pd

import riskmodel as rm
import riskmodel.tracking as tracking


def test_fingerprint_changes_with_data():
    persons = pd.DataFrame({"person_id": ["a"], "date_of_birth": ["2010-01-01"], "sex": ["F"]})
    events = pd.DataFrame(
        {"person_id": ["a"], "event_date": ["2020-01-01"], "event_type": ["referral"]}
    )
    episodes = pd.DataFrame(columns=["person_id", "start_date"])
    one = tracking.data_fingerprint(rm.LocalAuthorityData(persons, events, episodes))
    events2 = events.assign(event_date=["2020-01-02"])
    two = tracking.data_fingerprint(rm.LocalAuthorityData(persons, events2, episodes))
    assert one["events.rows"] == two["events.rows"] == 1
    assert one["events.sha256"] != two["events.sha256"]
    assert one["persons.sha256"] == two["persons.sha256"]
