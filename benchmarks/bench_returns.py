"""Reading one year of returns of a large authority: python -m benchmarks.bench_returns.

Writes one collection year (2023-24) of returns for a synthetic authority of about
60,000 children, then times ``read_ssda903`` on the year's CSV folder and
``read_cin_census`` on the year's census against a baseline in the same run: plain
``pandas.read_csv`` of the four CSV tables, and an ``xml.etree`` parse of the XML.
Prints best-of-three wall times and the ratio to the baseline.
"""

from __future__ import annotations

import tempfile
import time
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

import riskmodel as rm
from benchmarks._timing import best_of
from riskmodel.exceptions import DataQualityWarning

N_CHILDREN = 60_000
YEAR = 2024


def main() -> None:
    start = time.perf_counter()
    data = rm.make_local_authority(n_children=N_CHILDREN, random_state=0)
    made = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            rm.write_returns(data, out, years=[YEAR])
        wrote = time.perf_counter() - start
        folder = out / "ssda903" / str(YEAR)
        census = out / "cin_census" / f"CIN_Census_{YEAR}.xml"
        csvs = sorted(folder.glob("*.csv"))
        rows = {p.stem: len(pd.read_csv(p, dtype=str)) for p in csvs}
        children = sum(1 for _ in ET.parse(census).getroot().iter("Child"))
        base_903 = best_of(
            lambda: [pd.read_csv(p, dtype=str, keep_default_na=False) for p in csvs]
        )
        t903 = best_of(lambda: rm.read_ssda903(folder))
        base_cin = best_of(lambda: ET.parse(census))
        tcin = best_of(lambda: rm.read_cin_census(census))
        size_903 = sum(p.stat().st_size for p in csvs) / 1e6
        size_cin = census.stat().st_size / 1e6
    print(f"make_local_authority({N_CHILDREN:,}): {made:.1f} s")
    print(f"write_returns, one year ({YEAR}): {wrote:.1f} s")
    print(
        f"SSDA903 {YEAR} CSV ({rows['header']:,} children, {rows['episodes']:,} episodes, "
        f"{rows['missing']:,} missing, {size_903:.1f} MB):"
    )
    print(f"  pandas.read_csv of the 4 tables: {base_903:.3f} s")
    print(f"  read_ssda903:                    {t903:.3f} s ({t903 / base_903:.1f}x baseline)")
    print(f"CIN census {YEAR} ({children:,} children, {size_cin:.1f} MB):")
    print(f"  xml.etree parse:                 {base_cin:.3f} s")
    print(f"  read_cin_census:                 {tcin:.3f} s ({tcin / base_cin:.1f}x baseline)")


if __name__ == "__main__":
    main()
