"""One local Spark session (``local[2]``) for the whole test run; the tests skip without Java."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest


def _java_problem() -> str | None:
    """Return why Spark cannot start here, or None when Java 17+ is on the PATH."""
    java = shutil.which("java") or (
        os.path.join(os.environ["JAVA_HOME"], "bin", "java") if "JAVA_HOME" in os.environ else None
    )
    if java is None or not os.path.exists(java):
        return (
            "Java is not installed: the Spark tests need Java 17 "
            "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless; see the README)"
        )
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return f"`{java} -version` failed: the Spark tests need a working Java 17"
    return None


@pytest.fixture(scope="session")
def spark():
    """A local Spark session with two cores, stopped at the end of the run."""
    problem = _java_problem()
    if problem is not None:
        pytest.skip(problem)
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="PySpark is not installed")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # the workers run this interpreter (and so see this environment's pandas and pyarrow)
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("riskmodel-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
