"""Modification indices (score tests for fixed parameters), as lavaan's ``modindices``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.sem.estimation import dense_information, rank2_information

__all__ = ["modification_indices", "fiml_modification_indices", "dwls_modification_indices"]


def _cell_factors(B, C, p, cells):
    """``dSigma = x y' + y x'`` of single RAM cells ('A', to, from) or ('S', i, j), as columns of (X, Y)."""
    Bo = B[:p]
    X = np.empty((p, len(cells)))
    Y = np.empty((p, len(cells)))
    for k, (mat, i, j) in enumerate(cells):
        X[:, k] = Bo[:, i]
        if mat == "A":
            Y[:, k] = C[:p, j]
        else:
            Y[:, k] = Bo[:, j] if i != j else Bo[:, i] / 2.0
    return X, Y


def _cell_derivatives(B, C, p, cells):
    """d vec(Sigma) of single RAM cells, shape (p*p, k), for the weights that are not ``Si kron Si``."""
    X, Y = _cell_factors(B, C, p, cells)
    d = np.einsum("ik,jk->kij", X, Y)
    return (d + d.transpose(0, 2, 1)).reshape(len(cells), p * p).T


def _candidates(spec):
    """Fixed parameters worth testing, with their RAM cells."""
    variables = spec.variables
    pos = {v: i for i, v in enumerate(variables)}
    present = set()
    for row in spec.rows:
        if row.op == "~~":
            present.add((min(row.lhs, row.rhs), "~~", max(row.lhs, row.rhs)))
        else:
            present.add((row.lhs, row.op, row.rhs))
    measured = {row.rhs for row in spec.rows if row.op == "=~"}
    # lavaan's candidates: residual covariances among indicators; observed variables that only take part in
    # regressions get candidate regressions instead (below)
    indicators = [v for v in spec.observed if v in measured]
    structural_obs = [v for v in spec.observed if v not in measured]
    out = []
    # fixed loadings already in the model (markers, fixed values): the score test tells whether to free them
    for row, cell in zip(spec.rows, spec.cells):
        if row.index < 0 and not row.exo and row.op in ("=~", "~"):
            out.append((row.lhs, row.op, row.rhs, cell))
        elif row.index < 0 and not row.exo and row.op == "~~":
            out.append((row.lhs, row.op, row.rhs, cell))
    for lv in spec.latent:
        for ov in indicators:
            if (lv, "=~", ov) not in present:
                out.append((lv, "=~", ov, ("A", pos[ov], pos[lv])))
    for a_i, a in enumerate(indicators):
        for b in indicators[a_i + 1:]:
            if (min(a, b), "~~", max(a, b)) not in present:
                out.append((a, "~~", b, ("S", pos[a], pos[b])))
    for a_i, a in enumerate(spec.latent):
        for b in spec.latent[a_i + 1:]:
            if (min(a, b), "~~", max(a, b)) not in present:
                out.append((a, "~~", b, ("S", pos[a], pos[b])))
    # missing regressions among latent variables and of latent variables on covariates.  Paths *into* a
    # fixed.x covariate are left out: freeing one would make the covariate endogenous, which lavaan's
    # score test does not model the same way (its values for those rows are not reproduced).
    for a in spec.latent:
        for b in spec.latent + spec.ov_x:
            if a != b and (a, "~", b) not in present:
                out.append((a, "~", b, ("A", pos[a], pos[b])))
    for a in structural_obs:
        if a in spec.ov_x:
            continue
        for b in structural_obs:
            if a != b and (a, "~", b) not in present:
                out.append((a, "~", b, ("A", pos[a], pos[b])))
    return out


def modification_indices(result) -> pd.DataFrame:
    spec, ram, fit, n = result.spec, result.ram, result.fit, result.n
    p = len(spec.observed)
    cands = _candidates(spec)
    columns = ["lhs", "op", "rhs", "mi", "epc", "sepc_all"]
    if not cands:
        return pd.DataFrame(columns=columns)
    A, Smat = ram.matrices(fit.theta)
    B = np.linalg.solve(ram.eye - A, ram.eye)
    C = B @ Smat @ B.T
    X2, Y2 = _cell_factors(B, C, p, [c[3] for c in cands])
    Si = np.linalg.inv(fit.Sigma)
    W = Si @ (fit.Sigma - result.S) @ Si
    # score and information blocks from rank-2 derivatives: no p^2 x p^2 Kronecker weight, no dense Delta
    g2 = 2.0 * np.einsum("ik,ik->k", Y2, W @ X2)
    H11 = ram.ml_information(B, C, Si)
    X1, Y1 = ram.cell_factors(B, C)
    H12 = np.asarray(ram.cell_map @ rank2_information(Si, X1, Y1, X2, Y2))
    H22 = rank2_information(Si, X2, Y2, diagonal=True)
    V = H22 - np.einsum("ij,ij->j", H12, np.linalg.solve(H11, H12))
    scale = np.sqrt(np.maximum(H22, 1e-300))
    ok = V > 1e-8 * scale**2  # freeing would leave the model unidentified otherwise
    mi = np.where(ok, n * g2**2 / (2 * np.where(ok, V, 1.0)), np.nan)
    epc = np.where(ok, -g2 / np.where(ok, V, 1.0), np.nan)
    return _table(spec, cands, mi, epc, C, Smat)


def _table(spec, cands, mi, epc, C, Smat) -> pd.DataFrame:
    """The lavaan-shaped table: ``lhs, op, rhs, mi, epc, sepc_all``, largest ``mi`` first."""
    pos = {v: i for i, v in enumerate(spec.variables)}
    sd = np.sqrt(np.abs(np.diag(C)))
    sepc = np.empty(len(cands))
    for k, (lhs, op, rhs, _cell) in enumerate(cands):
        if op == "=~":
            sepc[k] = epc[k] * sd[pos[lhs]] / sd[pos[rhs]]
        elif op == "~":
            sepc[k] = epc[k] * sd[pos[rhs]] / sd[pos[lhs]]
        elif lhs == rhs:
            sepc[k] = epc[k] / C[pos[lhs], pos[lhs]]
        else:
            sepc[k] = epc[k] / np.sqrt(abs(Smat[pos[lhs], pos[lhs]]) * abs(Smat[pos[rhs], pos[rhs]]))
    out = pd.DataFrame({"lhs": [c[0] for c in cands], "op": [c[1] for c in cands], "rhs": [c[2] for c in cands],
                        "mi": mi, "epc": epc, "sepc_all": sepc})
    out = out[np.isfinite(out["mi"])]
    return out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)


def fiml_modification_indices(result, patterns, grad_sigma) -> pd.DataFrame:
    """Modification indices of a FIML fit, equal to lavaan's ``modindices`` with ``missing = "ml"``.

    The score test of each candidate (those of :func:`modification_indices`)
    with the *expected* information of the incomplete data, as lavaan's
    ``modindices`` uses: per missing-data pattern ``g`` (``n_g`` rows
    observing the variables ``o``) ``H = sum_g n_g / (2N) Delta_o'
    (Sigma_oo^-1 kron Sigma_oo^-1) Delta_o`` over the free parameters and
    the candidates (the intercepts are orthogonal to both), ``g`` the
    gradient of ``-l / N`` at the candidates' value 0,
    ``V = H22 - H21 H11^-1 H12``, ``mi = N g2^2 / diag V``,
    ``epc = -g2 / diag V``; candidates with ``V`` near 0 (not identified if
    freed) are dropped, as lavaan does.  ``patterns`` are the rows grouped
    by missing-data pattern and ``grad_sigma`` the derivative of ``l`` by
    ``Sigma`` at the estimates (both from :mod:`crm_research.sem.fiml`, which
    calls this function).
    """
    spec, ram, n = result.spec, result.ram, result.n
    p, q = len(spec.observed), spec.n_free
    cands = _candidates(spec)
    if not cands:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc", "sepc_all"])
    cells = [c[3] for c in cands]
    k = len(cells)
    pat = patterns
    A, Smat = ram.matrices(result.fit.theta)
    B = np.linalg.solve(ram.eye - A, ram.eye)
    C = B @ Smat @ B.T
    Sigma = C[:p, :p]
    D = np.hstack([ram.delta(B, C), _cell_derivatives(B, C, p, cells)])
    g2 = -(D[:, q:].T @ grad_sigma.reshape(-1)) / n
    Dv = D.reshape(p, p, q + k)
    H = np.zeros((q + k, q + k))
    for o, n_g, _ybar, _S_g, _rows in pat.groups:
        Si = np.linalg.inv(Sigma[np.ix_(o, o)])
        Do = Dv[np.ix_(o, o)].reshape(len(o) ** 2, q + k)
        H += 0.5 * n_g * dense_information(Si, Do)
    H /= n
    H11, H12, H22 = H[:q, :q], H[:q, q:], H[q:, q:]
    V = np.diag(H22) - np.einsum("ij,ij->j", H12, np.linalg.solve(H11, H12))
    scale = np.sqrt(np.maximum(np.abs(np.diag(H22)), 1e-300))
    ok = V > 1e-8 * scale**2
    mi = np.where(ok, n * g2**2 / np.where(ok, V, 1.0), np.nan)
    epc = np.where(ok, -g2 / np.where(ok, V, 1.0), np.nan)
    return _table(spec, cands, mi, epc, C, Smat)


def dwls_modification_indices(result) -> pd.DataFrame:
    """Modification indices of a DWLS (WLSMV) fit on polychoric correlations, equal to lavaan's ``modindices``.

    With ``r`` the polychoric and ``sigma`` the implied correlations (below
    the diagonal), ``W`` the diagonal DWLS weights, ``Delta`` the derivatives
    of ``sigma`` by the free parameters (1) and the candidates (2):
    ``H = Delta' W Delta``, ``g2 = -(N-1)/N Delta_2' W (r - sigma)`` (lavaan's
    DWLS gradient carries the ``(N-1)/N`` of its categorical test
    statistic), ``V = H22 - H21 H11^-1 H12``, ``mi = N g2^2 / diag V``,
    ``epc = -g2 / diag V``.  The thresholds are not involved: the
    candidates change correlations only.
    """
    spec, ram, n = result.spec, result.ram, result.n
    obs = spec.observed
    p = len(obs)
    cands = _candidates(spec)
    if not cands:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc", "sepc_all"])
    pc = result.polychoric
    R = pc.correlations.loc[obs, obs].to_numpy(float)
    gamma = pc.nacov.to_numpy(float)
    n_th = len(pc.thresholds)
    w = 1.0 / np.diag(gamma[n_th:, n_th:])
    # lavaan's order of the correlations: below the diagonal, column by column
    jj, ii = np.triu_indices(p, 1)
    flat = ii * p + jj
    A, Smat = ram.matrices(result.fit.theta)
    B = np.linalg.solve(ram.eye - A, ram.eye)
    C = B @ Smat @ B.T
    D1 = ram.delta(B, C)[flat]
    D2 = _cell_derivatives(B, C, p, [c[3] for c in cands])[flat]
    WD1, WD2 = w[:, None] * D1, w[:, None] * D2
    g2 = -(n - 1) / n * (WD2.T @ (R[ii, jj] - C[ii, jj]))
    H11, H12 = D1.T @ WD1, D1.T @ WD2
    H22 = np.einsum("ij,ij->j", D2, WD2)
    V = H22 - np.einsum("ij,ij->j", H12, np.linalg.solve(H11, H12))
    ok = V > 1e-8 * np.maximum(H22, 1e-300)
    mi = np.where(ok, n * g2**2 / np.where(ok, V, 1.0), np.nan)
    epc = np.where(ok, -g2 / np.where(ok, V, 1.0), np.nan)
    return _table(spec, cands, mi, epc, C, Smat)
