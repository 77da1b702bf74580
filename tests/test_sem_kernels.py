"""The normal-theory weight and information without Kronecker products equal the Kronecker forms.

Issue 19: ``D'(Si kron Si)D`` and ``Delta'(Si kron Si)Delta`` cost p^4 memory and p^6 time as written;
the kernels below build the same matrices by indexing and p x p products.  Checked here against the
textbook forms on random positive-definite matrices, so a wrong index cannot hide behind a golden test
that happens to be insensitive to it.
"""

import numpy as np
import pytest

from crm_research.sem.estimation import dense_information
from crm_research.sem.fit import _vech_sum, _vech_weight


def _duplication(p):
    """The textbook duplication matrix: vec(X) = D vech(X), vech in upper-triangle row order."""
    iu = np.triu_indices(p)
    D = np.zeros((p * p, len(iu[0])))
    for k, (i, j) in enumerate(zip(*iu)):
        D[i * p + j, k] = D[j * p + i, k] = 1.0
    return D


def _spd(p, rng):
    A = rng.normal(size=(p, p))
    return A @ A.T + p * np.eye(p)


@pytest.mark.parametrize("p", [1, 2, 5, 9])
def test_vech_weight_equals_the_kronecker_form(p):
    rng = np.random.default_rng(p)
    Si = np.linalg.inv(_spd(p, rng))
    D = _duplication(p)
    np.testing.assert_allclose(_vech_weight(Si), D.T @ np.kron(Si, Si) @ D, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("p", [1, 3, 6])
def test_vech_sum_equals_the_duplication_product(p):
    rng = np.random.default_rng(10 + p)
    X = rng.normal(size=(7, p * p))
    np.testing.assert_allclose(_vech_sum(X, p), X @ _duplication(p), rtol=1e-13)
    np.testing.assert_allclose(_vech_sum(X[0], p), X[0] @ _duplication(p), rtol=1e-13)


@pytest.mark.parametrize("p,k", [(1, 1), (4, 3), (7, 12)])
def test_dense_information_equals_the_kronecker_form(p, k):
    rng = np.random.default_rng(100 + p)
    Si = np.linalg.inv(_spd(p, rng))
    # symmetric derivatives, as dSigma/dtheta always is
    delta = np.stack([(lambda M: (M + M.T).reshape(-1))(rng.normal(size=(p, p))) for _ in range(k)], axis=1)
    np.testing.assert_allclose(dense_information(Si, delta), delta.T @ np.kron(Si, Si) @ delta, rtol=1e-11)
