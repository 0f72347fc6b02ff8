"""Reader speed on the real-format test fixtures: python -m benchmarks.bench_readers.

Prints best-of-five wall time for the SSDA903 folder and the largest CIN census file.
"""

from __future__ import annotations

from pathlib import Path

import riskmodel as rm
from benchmarks._timing import best_of

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "real_format"


def main() -> None:
    t903 = best_of(lambda: rm.read_ssda903(FIXTURES / "ssda903"), 5)
    tcin = best_of(lambda: rm.read_cin_census(FIXTURES / "cin_census" / "fake_CIN_data.xml"), 5)
    print(f"read_ssda903 (2,675 children, 5,050 episodes): {t903:.3f} s best of 5")
    print(f"read_cin_census (332 children, 259 KB XML):   {tcin:.3f} s best of 5")


if __name__ == "__main__":
    main()
