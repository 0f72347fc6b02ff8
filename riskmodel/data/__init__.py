"""The canonical tables: container, validation, care helpers, readers, import, synthetic data.

The tables and their columns are those of the project's data model: ``persons``,
``events`` and ``care_episodes``, mapping one-to-one onto the SSDA903 return and the
CIN census.
"""

from riskmodel.data._care import care_entries, looked_after_on, periods_of_care
from riskmodel.data._cin_census import read_cin_census
from riskmodel.data._codes import (
    CIN_CENSUS_EVENT_TYPES,
    ETHNIC_CODES,
    ETHNIC_GROUPS,
    EVENT_TYPES,
    ethnic_group,
)
from riskmodel.data._directory import read_data, write_data
from riskmodel.data._extracts import read_extract
from riskmodel.data._import import ImportResult, import_returns
from riskmodel.data._pooling import merge_data, pool_authorities
from riskmodel.data._ssda903 import read_ssda903
from riskmodel.data._tables import LocalAuthorityData
from riskmodel.data._true_risk import TrueRisk
from riskmodel.data.synthetic import (
    GroundTruth,
    make_local_authority,
    make_region,
    write_region,
    write_returns,
)

__all__ = [
    "CIN_CENSUS_EVENT_TYPES",
    "ETHNIC_CODES",
    "ETHNIC_GROUPS",
    "EVENT_TYPES",
    "GroundTruth",
    "ImportResult",
    "LocalAuthorityData",
    "TrueRisk",
    "care_entries",
    "ethnic_group",
    "import_returns",
    "looked_after_on",
    "make_local_authority",
    "make_region",
    "merge_data",
    "periods_of_care",
    "pool_authorities",
    "read_cin_census",
    "read_data",
    "read_extract",
    "read_ssda903",
    "write_data",
    "write_region",
    "write_returns",
]
