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
