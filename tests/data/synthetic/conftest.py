"""The synthetic authorities the synthetic data's tests share (made once per session)."""

from __future__ import annotations

import pytest

from riskmodel.data import LocalAuthorityData
from riskmodel.data.synthetic import make_local_authority


@pytest.fixture(scope="session")
def small() -> LocalAuthorityData:
    return make_local_authority(n_children=2_000, random_state=0)


@pytest.fixture(scope="session")
def medium() -> LocalAuthorityData:
    return make_local_authority(n_children=30_000, random_state=11)
