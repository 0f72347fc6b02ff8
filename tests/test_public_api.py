import subprocess
import sys

import riskmodel as rm


def test_all_is_literal_sorted_and_importable():
    assert rm.__all__ == sorted(rm.__all__, key=lambda n: (not n[0].isupper(), n.lower()))
    for name in rm.__all__:
        assert getattr(rm, name) is not None


def test_import_has_no_heavy_side_effects():
    code = (
        "import sys, riskmodel; "
        "heavy = [m for m in ('shap', 'mlflow', 'matplotlib.pyplot') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_is_public_at_both_levels():
    import riskmodel.data as rmd

    for name in ("import_returns", "ImportResult"):
        assert name in rm.__all__ and name in rmd.__all__
        assert getattr(rm, name) is getattr(rmd, name)
    assert "read_extract" in rmd.__all__


def test_top_level_holds_workflow_verbs_and_results_not_table_helpers():
    import riskmodel.data as rmd

    for name in ("care_entries", "looked_after_on", "periods_of_care", "GroundTruth"):
        assert name not in rm.__all__ and not hasattr(rm, name)
        assert name in rmd.__all__
