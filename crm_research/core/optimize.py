"""One optimiser for smooth estimation problems: Fisher scoring / Newton with step halving, BFGS as fall-back.

Every estimator of the SEM family (ML, multi-group ML, FIML, DWLS) minimises a
smooth discrepancy whose gradient and an information matrix (the expected
information, a Gauss-Newton matrix or the Hessian) are known.  They differ
only in that *evaluate* callback, so the iteration lives here once:

* a scoring step ``x_new = x - t H^-1 g`` with step halving (``t = 1, 1/2, ...``)
  until the objective does not increase;
* scoring converges only linearly when the information is not the Hessian (a
  misfitting model), so once the gradient is small (``max |g| < 1e-2``) and a
  full step was taken, the information is replaced by BFGS updates of itself,
  which restores superlinear convergence (Nocedal & Wright, 2006, ch. 6);
* convergence when the largest absolute gradient element is below ``tol``;
* when scoring stalls (no step decreases the objective, or ``max_iter`` is
  reached), scipy's BFGS continues from the best point; the fit is declared
  converged when its gradient is then below ``fallback_tol``.

The module knows nothing about SEM: it is numpy and scipy only.

References
----------
Lee, S.-Y., & Jennrich, R. I. (1979). A study of algorithms for covariance
structure analysis with specific comparisons using factor analysis.
*Psychometrika*, 44(1), 99-113.
Nocedal, J., & Wright, S. J. (2006). *Numerical Optimization* (2nd ed.). Springer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["OptimizeResult", "minimize"]

# What ``evaluate(x, order)`` returns: ``(value, gradient, information)``.  ``order`` 0 asks for the value
# only, 1 adds the gradient, 2 also the information matrix; entries not asked for may be None.  An
# infeasible ``x`` (e.g. a covariance matrix that is not positive definite) has value ``inf``.
Evaluate = Callable[[np.ndarray, int], tuple[float, "np.ndarray | None", "np.ndarray | None"]]


@dataclass(frozen=True)
class OptimizeResult:
    """Outcome of :func:`minimize`.

    Attributes
    ----------
    x : numpy.ndarray
        The minimiser (the last feasible point when not converged).
    objective : float
        The objective at ``x``.
    iterations : int
        Scoring iterations plus BFGS iterations of the fall-back.
    converged : bool
        Whether the gradient criterion was met.
    message : str
        How the iteration ended (``"converged"``, ``"converged (BFGS)"``, ...).
    grad_norm : float
        Largest absolute element of the gradient at ``x``.
    """

    x: np.ndarray
    objective: float
    iterations: int
    converged: bool
    message: str
    grad_norm: float


def _max_abs(g) -> float:
    return float(np.max(np.abs(g))) if g is not None and np.size(g) else 0.0


def minimize(evaluate: Evaluate, x0, *, tol: float = 1e-9, max_iter: int = 500, flat_tol: float = 1e-6,
             fallback: bool = True, fallback_tol: float = 1e-6, max_halvings: int = 30) -> OptimizeResult:
    """Minimise a smooth function by Fisher scoring (or Newton) with step halving and a BFGS fall-back.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(x, order) -> (value, gradient, information)``: the objective
        at ``x``; with ``order >= 1`` also its gradient, with ``order == 2``
        also a symmetric positive-definite approximation of its Hessian (the
        expected information, a Gauss-Newton matrix, or the Hessian itself).
        Return ``value = inf`` where the objective is not defined.
    x0 : array_like
        Start values; the objective must be finite there.
    tol : float, default 1e-9
        Convergence when ``max |gradient| < tol``.
    max_iter : int, default 500
        Maximum number of scoring iterations.
    flat_tol : float, default 1e-6
        When no step decreases the objective any more (it is flat to machine
        precision) the fit counts as converged if ``max |gradient| < flat_tol``.
    fallback : bool, default True
        Continue with scipy's BFGS when scoring stalls.
    fallback_tol : float, default 1e-6
        Gradient below which the BFGS fall-back counts as converged.
    max_halvings : int, default 30
        Step halvings tried before scoring counts as stalled.

    Returns
    -------
    OptimizeResult
        ``x, objective, iterations, converged, message, grad_norm``.

    Raises
    ------
    ValueError
        If the objective is not finite at ``x0``.

    Notes
    -----
    The step is ``H^-1 g`` (least squares when ``H`` is singular).  A step is
    accepted when ``f(x - t step) <= f(x) + 1e-14 max(1, |f(x)|)``: the slack
    lets the iteration move along a valley that is flat to rounding error,
    where the gradient can still shrink.

    Examples
    --------
    A quadratic ``f(x) = (x - c)' A (x - c) / 2`` whose information is ``A``:
    one scoring step reaches the minimum.

    >>> import numpy as np
    >>> A, c = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -2.0])
    >>> def evaluate(x, order):
    ...     r = x - c
    ...     return 0.5 * r @ A @ r, A @ r, A
    >>> res = minimize(evaluate, np.zeros(2))
    >>> res.converged, np.round(res.x, 9).tolist(), res.iterations
    (True, [1.0, -2.0], 2)
    """
    x = np.array(x0, dtype=float)
    f, g, H = evaluate(x, 2)
    if not np.isfinite(f):
        raise ValueError("the objective is not finite at the start values")
    converged, message, it = False, "maximum number of iterations reached", 0
    quasi = False
    for iteration in range(1, max_iter + 1):
        it = iteration
        gmax = _max_abs(g)
        if gmax < tol:
            converged, message = True, "converged"
            break
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        t, improved = 1.0, False
        # a singular information can give no direction at all: scoring has stalled then
        usable = bool(np.all(np.isfinite(step)) and np.any(step))
        for _ in range(max_halvings if usable else 0):
            cand = x - t * step
            fc = evaluate(cand, 0)[0]
            if np.isfinite(fc) and fc <= f + 1e-14 * max(1.0, abs(f)):
                improved = True
                break
            t *= 0.5
        if not improved:
            if gmax < flat_tol:
                converged, message = True, "converged (to machine precision)"
            else:
                message = "scoring could not decrease the objective"
            break
        if not quasi and gmax < 1e-2 and t == 1.0:
            quasi = True
        if quasi:
            _, g_new, _ = evaluate(cand, 1)
            s_vec, y_vec = -t * step, g_new - g
            sy = s_vec @ y_vec
            if sy > 1e-16:
                Hs = H @ s_vec
                H = H - np.outer(Hs, Hs) / (s_vec @ Hs) + np.outer(y_vec, y_vec) / sy
        else:
            _, g_new, H = evaluate(cand, 2)
        x, f, g = cand, fc, g_new
    if not converged and fallback:
        x, f, g, converged, message, nit = _bfgs(evaluate, x, tol, fallback_tol)
        it += nit
    return OptimizeResult(x=x, objective=float(f), iterations=it, converged=bool(converged), message=message,
                          grad_norm=_max_abs(g))


def _bfgs(evaluate: Evaluate, x, tol: float, fallback_tol: float):
    from scipy.optimize import minimize as scipy_minimize

    def fun(xx):
        f, g, _ = evaluate(xx, 1)
        if not np.isfinite(f):
            # a large finite value makes BFGS's line search back off instead of failing on inf
            return 1e10, np.zeros_like(xx)
        return f, g

    res = scipy_minimize(fun, x, jac=True, method="BFGS", options={"gtol": tol, "maxiter": 5000})
    f, g, _ = evaluate(res.x, 1)
    if not np.isfinite(f):
        # BFGS ended outside the feasible region: keep the point scoring reached
        f, g, _ = evaluate(x, 1)
        return x, f, g, False, f"did not converge: {res.message}", int(res.nit)
    converged = _max_abs(g) < fallback_tol
    message = "converged (BFGS)" if converged else f"did not converge: {res.message}"
    return res.x, f, g, converged, message, int(res.nit)
