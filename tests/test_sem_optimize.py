"""core.optimize.minimize, the one optimiser of the SEM family, on known problems, and its use by the estimators."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.optimize import OptimizeResult, minimize

REF = Path(__file__).parent / "reference" / "sem"
HS = pd.read_csv(REF / "holzinger1939.csv")
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def rosenbrock(x, order):
    """f = r'r with r = (10 (x2 - x1^2), 1 - x1); the information is the Gauss-Newton matrix 2 J'J."""
    r = np.array([10 * (x[1] - x[0] ** 2), 1 - x[0]])
    J = np.array([[-20 * x[0], 10.0], [-1.0, 0.0]])
    return float(r @ r), 2 * J.T @ r, 2 * J.T @ J


def test_quadratic_in_one_step():
    A, c = np.array([[4.0, 1.0], [1.0, 3.0]]), np.array([2.0, -1.0])
    res = minimize(lambda x, order: (0.5 * (x - c) @ A @ (x - c), A @ (x - c), A), np.zeros(2))
    assert isinstance(res, OptimizeResult)
    assert res.converged and res.message == "converged"
    np.testing.assert_allclose(res.x, c, atol=1e-12)
    assert res.iterations == 2 and res.objective == pytest.approx(0.0, abs=1e-20)


def test_rosenbrock_by_gauss_newton_with_step_halving():
    res = minimize(rosenbrock, np.array([-1.2, 1.0]), tol=1e-10)
    assert res.converged and res.message.startswith("converged")
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-8)
    assert res.grad_norm < 1e-10


def test_stalled_scoring_falls_back_to_bfgs():
    # a wrong-signed information makes every scoring step go uphill: scoring stalls, BFGS finishes
    def evaluate(x, order):
        f, g, H = rosenbrock(x, order)
        return f, g, -np.eye(2)

    res = minimize(evaluate, np.array([-1.2, 1.0]))
    assert res.converged and res.message == "converged (BFGS)"
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-5)
    without = minimize(evaluate, np.array([-1.2, 1.0]), fallback=False)
    assert not without.converged and "could not decrease" in without.message


def test_infeasible_region_is_avoided_by_halving():
    # log barrier: the objective is inf for x <= 0, the full Newton step from x = 3 lands there
    def evaluate(x, order):
        if x[0] <= 0:
            return np.inf, None, None
        return float(x[0] - 4 * np.log(x[0]) + 0.1 * x[0] ** 2), np.array([1 - 4 / x[0] + 0.2 * x[0]]), \
            np.array([[0.01]])

    res = minimize(evaluate, np.array([30.0]))
    assert res.converged
    assert res.x[0] == pytest.approx((-1 + np.sqrt(1 + 3.2)) / 0.4, abs=1e-8)


def test_objective_must_be_finite_at_the_start():
    with pytest.raises(ValueError, match="start values"):
        minimize(lambda x, order: (np.inf, None, None), np.zeros(1))


def test_multigroup_path_has_the_bfgs_fall_back(monkeypatch):
    # The multi-group engine had its own scoring loop without the BFGS fall-back: a stall ended the fit
    # unconverged.  Now it calls core.optimize.minimize: with a useless information matrix scoring stalls
    # and BFGS still reaches lavaan's solution.
    from crm_research.sem import multigroup

    reference = crm.multigroup_sem(HS, HS_MODEL, "school", group_equal=["loadings"])
    seen = []

    def wrong_information(evaluate, x0, **options):
        def evaluate_badly(x, order):
            f, g, H = evaluate(x, order)
            return f, g, (-np.eye(len(x)) if H is not None else None)

        res = minimize(evaluate_badly, x0, **options)
        seen.append(res)
        return res

    monkeypatch.setattr(multigroup, "minimize", wrong_information)
    fit = crm.multigroup_sem(HS, HS_MODEL, "school", group_equal=["loadings"])
    assert seen and seen[0].message == "converged (BFGS)"
    assert fit.converged
    assert fit.fit_measures["chisq"] == pytest.approx(reference.fit_measures["chisq"], abs=1e-6)
    np.testing.assert_allclose(fit.estimates["est"], reference.estimates["est"], atol=1e-4)


@pytest.mark.parametrize("engine", ["estimation", "multigroup", "fiml", "ordinal"])
def test_every_engine_uses_the_shared_optimiser(engine):
    # no second scoring loop: each engine module imports minimize and has no iteration of its own
    import importlib
    import inspect

    module = importlib.import_module(f"crm_research.sem.{engine}")
    assert module.minimize is minimize
    source = inspect.getsource(module)
    assert "np.linalg.solve(H, g)" not in source and "scipy.optimize import minimize" not in source
