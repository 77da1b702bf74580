"""A 48-indicator CFA equals lavaan: the large-model paths (GFI as a trace, rank-2 information and
modification indices) give the numbers of the dense Kronecker formulas they replaced.

Reference: ``tests/reference/sem_large/lavaan_large.R`` (lavaan 0.6-14) on ``cfa48_data.csv``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

REF = Path(__file__).parent / "reference" / "sem_large"
MODEL = "\n".join(f"F{i + 1} =~ " + " + ".join(f"x{j}" for j in range(8 * i + 1, 8 * i + 9)) for i in range(6))
FIT = {"chisq": "chisq", "df": "df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea", "srmr": "srmr",
       "gfi": "gfi", "agfi": "agfi", "aic": "aic", "bic": "bic"}


@pytest.fixture(scope="module")
def fit48():
    return crm.cfa(pd.read_csv(REF / "cfa48_data.csv"), MODEL)


def test_fit_measures_equal_lavaan(fit48):
    ref = pd.read_csv(REF / "cfa48_fit.csv").set_index("measure")["value"]
    ours = fit48.fit_measures
    for name, r_name in FIT.items():
        tol = 1e-2 if name in ("aic", "bic") else 1e-3
        assert ours[name] == pytest.approx(ref[r_name], abs=tol), name


def test_largest_modification_indices_equal_lavaan(fit48):
    ref = pd.read_csv(REF / "cfa48_mi.csv")
    mi = fit48.modification_indices()
    top = mi.head(len(ref))
    assert list(top["lhs"] + top["op"] + top["rhs"]) == list(ref["lhs"] + ref["op"] + ref["rhs"])
    np.testing.assert_allclose(top["mi"], ref["mi"], atol=2e-3, rtol=1e-3)
    np.testing.assert_allclose(top["epc"], ref["epc"], atol=5e-4)
    np.testing.assert_allclose(top["sepc_all"], ref["sepc.all"], atol=5e-4)


def test_an_indefinite_matrix_with_a_positive_determinant_is_refused():
    # two negative eigenvalues: det > 0, yet not a covariance matrix. The ML objective used to accept
    # such a Sigma (its check was the determinant's sign), and a 96-indicator CFA walked to F = -2e9
    from crm_research.sem.estimation import logdet_inverse

    M = np.diag([2.0, -1.0, -0.5, 3.0])
    assert np.linalg.det(M) > 0
    assert logdet_inverse(M) is None
    logdet, inv = logdet_inverse(np.diag([2.0, 1.0, 0.5, 3.0]))
    assert logdet == pytest.approx(np.log(3.0))
    np.testing.assert_allclose(inv, np.diag([0.5, 1.0, 2.0, 1 / 3]))


# MLR at 48 indicators: the robust statistics computed without the q x q weight or the ADF Gamma
# (q = 1,176 moments here), from the casewise moments and p x p products, equal lavaan's
MLR_FIT = ["chisq", "chisq_scaled", "chisq_scaling_factor", "pvalue_scaled", "cfi_scaled", "tli_scaled",
           "cfi_robust", "tli_robust", "rmsea_scaled", "rmsea_robust", "baseline_chisq_scaled"]


@pytest.fixture(scope="module")
def mlr48():
    return crm.cfa(pd.read_csv(REF / "cfa48_data.csv"), MODEL, estimator="MLR")


def test_mlr_fit_measures_equal_lavaan(mlr48):
    ref = pd.read_csv(REF / "cfa48_mlr_fit.csv").set_index("measure")["value"]
    for name in MLR_FIT:
        assert mlr48.fit_measures[name] == pytest.approx(ref[name.replace("_", ".")], abs=1e-3), name


def test_mlr_standard_errors_equal_lavaan(mlr48):
    ref = pd.read_csv(REF / "cfa48_mlr_se.csv")
    ours = mlr48.estimates.set_index(["lhs", "op", "rhs"])
    ref = ref.set_index(["lhs", "op", "rhs"]).loc[ours.index]
    np.testing.assert_allclose(ours["est"], ref["est"], atol=1e-3)
    np.testing.assert_allclose(ours["se"], ref["se"], atol=1e-3)
