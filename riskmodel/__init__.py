"""riskmodel: find adolescents at risk of entering care early enough to offer help.

Scores support professional judgement; they never decide. The package reads an
authority's SSDA903 and CIN census data (or makes a synthetic authority), builds
as-of features with temporal validation by default, fits calibrated models, and
explains and audits every score.
"""

from riskmodel.data import (
    GroundTruth,
    LocalAuthorityData,
    care_entries,
    looked_after_on,
    make_local_authority,
    merge_data,
    periods_of_care,
    read_cin_census,
    read_data,
    read_ssda903,
    write_data,
)
from riskmodel.exceptions import DataQualityWarning, LeakageError, SchemaError

__version__ = "0.1.0.dev0"

__all__ = [
    "DataQualityWarning",
    "GroundTruth",
    "LeakageError",
    "LocalAuthorityData",
    "SchemaError",
    "__version__",
    "care_entries",
    "looked_after_on",
    "make_local_authority",
    "merge_data",
    "periods_of_care",
    "read_cin_census",
    "read_data",
    "read_ssda903",
    "write_data",
]
