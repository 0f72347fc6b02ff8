"""riskmodel: find adolescents at risk of entering care early enough to offer help.

Scores support professional judgement; they never decide. The package reads an
authority's SSDA903 and CIN census data (or makes a synthetic authority), builds
as-of features with temporal validation by default, fits calibrated models, and
explains and audits every score.
"""

from riskmodel.data import LocalAuthorityData, merge_data, read_data, write_data
from riskmodel.exceptions import DataQualityWarning, LeakageError, SchemaError

__version__ = "0.1.0.dev0"

__all__ = [
    "DataQualityWarning",
    "LeakageError",
    "LocalAuthorityData",
    "SchemaError",
    "__version__",
    "merge_data",
    "read_data",
    "write_data",
]
