"""Maximum-likelihood estimation of a RAM model, in numpy.

Why our own engine rather than semopy's optimiser: semopy 2.3.11 stops
early (x3 loading 0.7305 on Holzinger-Swineford where lavaan converges to
0.7294), its AIC/BIC are not log-likelihood based, and it offers no SRMR,
RMSEA interval, modification indices or bootstrap.  The ML problem itself is
small and smooth, so we solve it directly:

* discrepancy ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` with ``S`` the
  biased (divisor N) covariance, as lavaan's ``likelihood="normal"``;
* analytic derivatives: ``dF/dtheta = Delta' vec(Sigma^-1 (Sigma - S) Sigma^-1)``
  with ``Delta = d vec(Sigma) / d theta`` from the RAM form;
* Fisher scoring (Gauss-Newton with the expected information
  ``H = Delta' (Sigma^-1 kron Sigma^-1) Delta``) with step halving to a
  gradient below ``1e-9``, scipy's BFGS as the fall-back when scoring stalls
  (the optimiser shared by the SEM family, :mod:`crm_research.core.optimize`);
* standard errors from the expected information, ``vcov = (2/N) H^-1``
  (lavaan's default ``information="expected"``).

References
----------
Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance
structure analysis with specific comparisons using factor analysis.
*Psychometrika*, 44(1), 99-113.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse

from crm_research.core.optimize import minimize
from crm_research.sem.model import ModelSpec

__all__ = ["RAM", "MLFit", "fit_ml"]


class RAM:
    """Fast evaluation of Sigma(theta) and its derivatives for one ModelSpec."""

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        self.p = len(spec.observed)
        self.m = len(spec.observed) + len(spec.latent)
        self.A0 = np.zeros((self.m, self.m))
        self.S0 = np.zeros((self.m, self.m))
        a_rows, a_to, a_from, a_idx = [], [], [], []
        s_rows, s_i, s_j, s_idx = [], [], [], []
        for k, (row, (mat, i, j)) in enumerate(zip(spec.rows, spec.cells)):
            if mat == "A":
                if row.index < 0:
                    self.A0[i, j] = row.value
                else:
                    a_rows.append(k)
                    a_to.append(i)
                    a_from.append(j)
                    a_idx.append(row.index)
            else:
                if row.index < 0:
                    self.S0[i, j] = self.S0[j, i] = row.value
                else:
                    s_rows.append(k)
                    s_i.append(i)
                    s_j.append(j)
                    s_idx.append(row.index)
        self.a_to, self.a_from, self.a_idx = np.array(a_to, int), np.array(a_from, int), np.array(a_idx, int)
        self.s_i, self.s_j, self.s_idx = np.array(s_i, int), np.array(s_j, int), np.array(s_idx, int)
        self.n_free = spec.n_free
        self.eye = np.eye(self.m)
        # fixed.x rows take the sample values; set by set_exo()
        self.exo_cells = [(i, j) for row, (mat, i, j) in zip(spec.rows, spec.cells) if row.exo]
        # cell -> free parameter maps as dense 0/1 matrices: a matrix product sums shared labels
        self.PA = np.zeros((self.n_free, len(a_idx)))
        self.PA[self.a_idx, np.arange(len(a_idx))] = 1.0
        self.PS = np.zeros((self.n_free, len(s_idx)))
        self.PS[self.s_idx, np.arange(len(s_idx))] = 1.0
        # the same maps as sparse matrices for delta(): a dense 0/1 product costs n_free * cells * p^2
        self._PA_sparse, self._PS_sparse = sparse.csr_array(self.PA), sparse.csr_array(self.PS)
        self.cell_map = sparse.hstack([self._PA_sparse, self._PS_sparse], format="csr")  # n_free x cells
        self.s_off = self.s_i != self.s_j

    def set_exo(self, S: np.ndarray) -> None:
        """Fix the fixed.x (co)variances at the sample values of ``S``."""
        for i, j in self.exo_cells:
            self.S0[i, j] = self.S0[j, i] = S[i, j]

    def matrices(self, theta):
        A = self.A0.copy()
        Smat = self.S0.copy()
        A[self.a_to, self.a_from] = theta[self.a_idx]
        Smat[self.s_i, self.s_j] = theta[self.s_idx]
        Smat[self.s_j, self.s_i] = theta[self.s_idx]
        return A, Smat

    def implied(self, theta):
        """(Sigma of the observed variables, B = (I-A)^-1, full covariance of all variables)."""
        A, Smat = self.matrices(theta)
        B = np.linalg.solve(self.eye - A, self.eye)
        C = B @ Smat @ B.T
        return C[: self.p, : self.p], B, C

    def delta(self, B, C):
        """d vec(Sigma) / d theta, shape (p*p, n_free)."""
        p = self.p
        Bo = B[:p]
        # paths: dSigma = B e_i e_j' B S B' + transpose, restricted to observed rows/cols
        U = Bo[:, self.a_to]  # p x nA
        V = C[self.a_from, :p]  # nA x p
        DA = np.einsum("pk,kq->kpq", U, V)
        DA = DA + DA.transpose(0, 2, 1)
        # (co)variances: dSigma = B (e_i e_j' + e_j e_i') B' (once on the diagonal)
        Ui = Bo[:, self.s_i]
        Uj = Bo[:, self.s_j]
        DS = np.einsum("pk,qk->kpq", Ui, Uj)
        DS[self.s_off] += DS[self.s_off].transpose(0, 2, 1)
        out = self._PA_sparse @ DA.reshape(len(self.a_idx), p * p) + self._PS_sparse @ DS.reshape(len(self.s_idx), p * p)
        return out.T

    def cell_factors(self, B, C):
        """Every free cell's ``dSigma = x y' + y x'`` as the columns of ``(X, Y)``, each p x cells.

        A path ``a_to <- a_from`` moves Sigma by ``U V' + V U'`` (``U`` a column of ``B``, ``V`` of ``C``),
        a covariance by ``B_i B_j' + B_j B_i'`` and a variance by ``B_i B_i'`` (so ``y = B_i / 2``). With
        these rank-2 forms the ML gradient and information need p x cells products only, instead of the
        p^2 x n_free Delta matrix (see :func:`_grad_info`). Cells map to parameters by :attr:`cell_map`.
        """
        Bo = B[: self.p]
        half = np.where(self.s_off, 1.0, 0.5)
        X = np.concatenate([Bo[:, self.a_to], Bo[:, self.s_i]], axis=1)
        Y = np.concatenate([C[: self.p, self.a_from], Bo[:, self.s_j] * half], axis=1)
        return X, Y

    def ml_gradient(self, B, C, W):
        """``Delta' vec(W)`` for a symmetric W: ``tr(W dSigma_k) = 2 y_k' W x_k`` summed into parameters."""
        X, Y = self.cell_factors(B, C)
        return self.cell_map @ (2.0 * np.einsum("ik,ik->k", Y, W @ X))

    def ml_information(self, B, C, Si):
        """``Delta' (Si kron Si) Delta`` (n_free x n_free) by :func:`rank2_information`."""
        X, Y = self.cell_factors(B, C)
        Hc = rank2_information(Si, X, Y)
        return np.asarray(self.cell_map @ (self.cell_map @ Hc.T).T)


@dataclass
class MLFit:
    theta: np.ndarray
    fmin: float  # F_ML at the optimum (lavaan's fmin is half of it)
    converged: bool
    iterations: int
    message: str
    Sigma: np.ndarray
    C: np.ndarray  # model-implied covariance of all variables (observed then latent)
    A: np.ndarray
    S_model: np.ndarray
    info: np.ndarray  # expected information per observation, in F units: Delta' (Si x Si) Delta
    grad_norm: float


class _MLProblem:
    """The evaluate callback of :func:`crm_research.core.optimize.minimize` for F_ML.

    The line search asks for the value only; the gradient and information are
    then asked for at the accepted point, so the implied matrices of the last
    point are kept instead of recomputed.
    """

    def __init__(self, ram: RAM, S: np.ndarray):
        self.ram, self.S = ram, S
        self.logdetS = np.linalg.slogdet(S)[1]
        self._x = None
        self._parts = None

    def parts(self, theta):
        """(F, (Sigma, B, C, Sigma^-1)) at theta; parts is None where Sigma is not positive definite."""
        if self._x is not None and np.array_equal(theta, self._x):
            return self._parts
        out = _objective(self.ram, theta, self.S, self.logdetS)
        self._x, self._parts = np.array(theta, copy=True), out
        return out

    def __call__(self, theta, order):
        f, parts = self.parts(theta)
        if parts is None:
            return np.inf, None, None
        if order == 0:
            return f, None, None
        g, H = _grad_info(self.ram, self.S, parts, want_info=order == 2)
        return f, g, H


def logdet_inverse(M: np.ndarray) -> tuple[float, np.ndarray] | None:
    """``(log|M|, M^-1)`` of a positive-definite M by its Cholesky factor; None when M is not positive definite.

    A determinant's sign cannot tell: with an even number of negative eigenvalues it is positive, and an
    optimiser that accepts such a matrix walks to an objective below any real minimum (seen on a
    96-indicator CFA: F = -2e9).
    """
    try:
        factor = linalg.cho_factor(M, lower=True, check_finite=False)
    except linalg.LinAlgError:
        return None
    logdet = 2.0 * float(np.sum(np.log(np.diag(factor[0]))))
    if not np.isfinite(logdet):
        return None
    return logdet, linalg.cho_solve(factor, np.eye(len(M)), check_finite=False)


def _objective(ram: RAM, theta, S, logdetS):
    Sigma, B, C = ram.implied(theta)
    if not np.all(np.isfinite(Sigma)) or (pd_parts := logdet_inverse(Sigma)) is None:
        return np.inf, None
    logdet, Si = pd_parts
    f = logdet + np.trace(S @ Si) - logdetS - ram.p
    return f, (Sigma, B, C, Si)


def rank2_information(M, X1, Y1, X2=None, Y2=None, *, diagonal=False):
    """``tr(M dSigma_k M dSigma_l)`` for rank-2 derivatives ``dSigma = x y' + y x'`` and a symmetric M.

    ``(X1, Y1)`` and ``(X2, Y2)`` hold the ``x`` and ``y`` of the k- and l-cells as columns (see
    :meth:`RAM.cell_factors`); the l-cells default to the k-cells. The trace is
    ``2 [(x_k' M x_l)(y_k' M y_l) + (x_k' M y_l)(y_k' M x_l)]``, so the normal-theory information
    ``Delta' (M kron M) Delta`` costs p x cells products, where building it from the p^2 x cells Delta
    costs O(p^3 cells) time and the Kronecker product p^4 memory. ``diagonal=True`` returns only k = l.
    """
    if diagonal:
        MX, MY = M @ X1, M @ Y1
        xmy = np.einsum("ik,ik->k", X1, MY)
        return 2.0 * (np.einsum("ik,ik->k", X1, MX) * np.einsum("ik,ik->k", Y1, MY) + xmy * xmy)
    if X2 is None:
        X2, Y2 = X1, Y1
    MX2, MY2 = M @ X2, M @ Y2
    return 2.0 * ((X1.T @ MX2) * (Y1.T @ MY2) + (X1.T @ MY2) * (Y1.T @ MX2))


def dense_information(Si: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """``Delta' (Si kron Si) Delta`` for a dense ``Delta`` (p^2 x k, rows the row-major vec of each p x p
    derivative), as ``Delta' vec(Si dSigma_k Si)``: k p^3 + k^2 p^2 products and no p^4 Kronecker product.

    For derivatives that are not rank-2 cells (FIML patterns, modification-index cells of any kind).
    """
    p, k = Si.shape[0], delta.shape[1]
    weighted = Si @ delta.T.reshape(k, p, p) @ Si
    return delta.T @ weighted.reshape(k, p * p).T


def _grad_info(ram: RAM, S, parts, want_info=True):
    """Gradient ``Delta' vec(W)`` and expected information ``Delta' (Si kron Si) Delta`` of F_ML.

    Both come from the rank-2 cell derivatives ``dSigma_k = x_k y_k' + y_k x_k'`` (:meth:`RAM.cell_factors`),
    without forming Delta (see :meth:`RAM.ml_gradient`, :meth:`RAM.ml_information`).
    """
    Sigma, B, C, Si = parts
    g = ram.ml_gradient(B, C, Si @ (Sigma - S) @ Si)
    return g, (ram.ml_information(B, C, Si) if want_info else None)


def fit_ml(ram: RAM, S: np.ndarray, theta0: np.ndarray, *, max_iter: int = 500, tol: float = 1e-9) -> MLFit:
    """Minimise F_ML by Fisher scoring with step halving (BFGS as fall-back), see :mod:`crm_research.core.optimize`.

    Raises ``_NonConvergence`` when Sigma is not positive definite at the
    start values, even after shrinking them.
    """
    problem = _MLProblem(ram, S)
    theta = np.asarray(theta0, float).copy()
    if problem.parts(theta)[1] is None:
        # start values gave a non-positive-definite Sigma: shrink paths, inflate variances
        theta = theta * 0.5
        if problem.parts(theta)[1] is None:
            raise _NonConvergence("the model-implied covariance matrix is not positive definite at the start values")
    opt = minimize(problem, theta, tol=tol, max_iter=max_iter)
    f, parts = problem.parts(opt.x)
    g, H = _grad_info(ram, S, parts)
    Sigma, B, C, Si = parts
    A, Smat = ram.matrices(opt.x)
    return MLFit(theta=opt.x, fmin=float(f), converged=opt.converged, iterations=opt.iterations,
                 message=opt.message, Sigma=Sigma, C=C, A=A, S_model=Smat, info=H, grad_norm=_max_abs(g))


def _max_abs(g) -> float:
    return float(np.max(np.abs(g))) if g.size else 0.0


class _NonConvergence(RuntimeError):
    pass
