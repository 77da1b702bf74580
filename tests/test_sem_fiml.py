"""Full-information ML with missing data, compared with lavaan's ``missing = "ml"``.

Reference values: lavaan 0.6-14 via ``tests/reference/sem_fiml.R``, stored in
``tests/reference/sem_fiml/`` (parameterEstimates + standardizedSolution,
fitMeasures, and the EM estimates ``lavInspect(fit, "sampstat.h1")``).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError
from crm_research.sem.fiml import FIMLResult, fit_fiml

REF = Path(__file__).parent / "reference" / "sem_fiml"
HS_MODEL = "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9"


def hs_with_holes():
    """Holzinger-Swineford with the cells the R script deletes: row i (1-based), item x_j is missing
    when (7 i + 13 j) % 17 == 0 or (3 i + 5 j) % 23 == 0."""
    hs = pd.read_csv(Path(__file__).parent / "reference" / "sem" / "holzinger1939.csv")
    i = np.arange(1, len(hs) + 1)
    for j in range(1, 10):
        hs.loc[((7 * i + 13 * j) % 17 == 0) | ((3 * i + 5 * j) % 23 == 0), f"x{j}"] = np.nan
    return hs


@pytest.fixture(scope="module")
def hs():
    data = hs_with_holes()
    assert int(data[[f"x{j}" for j in range(1, 10)]].isna().sum().sum()) == 275  # as the R script printed
    return data


@pytest.fixture(scope="module")
def hs_fit(hs):
    return fit_fiml(hs, HS_MODEL)


def _compare_estimates(res, name, atol=1e-4):
    pe = pd.read_csv(REF / f"{name}_estimates.csv")
    pe["rhs"] = pe["rhs"].fillna("")  # '~1' rows have an empty rhs
    merged = pe.merge(res.estimates, on=["lhs", "op", "rhs"], how="outer", indicator=True, suffixes=("_r", ""))
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", ["lhs", "op", "rhs"]]
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=atol)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=atol)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=atol)
    free = merged["se_r"] > 0
    np.testing.assert_allclose(merged.loc[free, "ci_upper"], merged.loc[free, "ci.upper"], atol=atol)


FIT_KEYS = {"npar": "npar", "chisq": "chisq", "df": "df", "pvalue": "pvalue", "baseline.chisq": "baseline_chisq",
            "cfi": "cfi", "tli": "tli", "logl": "loglik", "unrestricted.logl": "unrestricted_loglik", "aic": "aic",
            "bic": "bic", "bic2": "bic2", "rmsea": "rmsea", "rmsea.ci.lower": "rmsea_ci_lower",
            "rmsea.ci.upper": "rmsea_ci_upper", "rmsea.pvalue": "rmsea_pvalue", "srmr": "srmr",
            "srmr_bentler_nomean": "srmr_nomean", "fmin": "fmin"}


def _compare_fit(res, name):
    fm = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    for theirs, ours in FIT_KEYS.items():
        assert res.fit_measures[ours] == pytest.approx(fm[theirs], abs=1e-3, rel=1e-6), theirs


def _compare_h1(res, name):
    cov = pd.read_csv(REF / f"{name}_h1_cov.csv", index_col=0)
    mean = pd.read_csv(REF / f"{name}_h1_mean.csv")
    np.testing.assert_allclose(res.h1_cov.loc[cov.index, cov.columns].to_numpy(), cov.to_numpy(), atol=1e-4)
    np.testing.assert_allclose(res.h1_mean[mean["variable"]].to_numpy(), mean["mean"], atol=1e-4)


def test_fiml_holzinger_equals_lavaan(hs_fit):
    assert isinstance(hs_fit, FIMLResult) and hs_fit.converged
    assert hs_fit.n == 301 and hs_fit.n_patterns == 45
    _compare_estimates(hs_fit, "hs")
    _compare_fit(hs_fit, "hs")
    _compare_h1(hs_fit, "hs")


def test_fiml_std_lv_equality_and_defined_parameter_equal_lavaan(hs):
    res = fit_fiml(hs, HS_MODEL + "\nvisual ~~ r1*textual\ntextual ~~ r1*speed\nd := r1 * 2", std_lv=True)
    _compare_estimates(res, "hs_stdlv")
    _compare_fit(res, "hs_stdlv")


def test_fiml_ecrm_survey_equals_lavaan():
    survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    model = (Path(__file__).parents[1] / "datasets" / "ecrm_survey_model.lav").read_text(encoding="utf-8")
    res = fit_fiml(survey, model)
    assert res.n == 400  # every row is used, not only the complete ones
    _compare_estimates(res, "ecrm")
    _compare_fit(res, "ecrm")
    _compare_h1(res, "ecrm")


def test_fiml_result_api(hs_fit):
    import matplotlib

    matplotlib.use("Agg")
    text = hs_fit.summary().as_text()
    assert "x1 ~1" in text and "full-information ML" in text
    assert hs_fit.to_frame().shape[0] == len(hs_fit.estimates)
    assert list(hs_fit.implied_mean.index) == [f"x{j}" for j in range(1, 10)]
    # FIML modification indices exist since issue 13 (compared with lavaan in tests/test_sem_robust.py)
    assert {"lhs", "op", "rhs", "mi", "epc", "sepc_all"} <= set(hs_fit.modification_indices().columns)
    hs_fit.plot()


def test_fiml_drops_empty_rows_and_keeps_input(hs):
    data = hs.copy()
    data.loc[[0, 1], [f"x{j}" for j in range(1, 10)]] = np.nan
    before = data.copy()
    res = fit_fiml(data, HS_MODEL)
    pd.testing.assert_frame_equal(data, before)
    assert res.n == 299
    assert any("no observed model variable" in w for w in res.warnings)


def test_fiml_input_errors(hs):
    with pytest.raises(CRMInputError, match="observed predictors"):
        fit_fiml(hs, "visual =~ x1 + x2 + x3\nvisual ~ ageyr")
    with pytest.raises(CRMInputError, match="regressions among observed"):
        fit_fiml(hs, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx4 ~ x1")
    with pytest.raises(CRMInputError, match="not a column"):
        fit_fiml(hs, "visual =~ x1 + x2 + x10")
    with pytest.raises(CRMInputError, match="not identified"):
        fit_fiml(hs, "f =~ x1 + x2\ng =~ x3\nf ~~ g")
    with pytest.raises(CRMInputError, match="model"):
        fit_fiml(hs, None)


def test_fiml_without_missing_values_is_ordinary_ml():
    # with complete data FIML is ML with a saturated mean structure: lavaan's tutorial fit of this model
    # has chisq = 85.306 on 24 df (tests/reference/sem/, written by sem_lavaan.R)
    hs = pd.read_csv(Path(__file__).parent / "reference" / "sem" / "holzinger1939.csv")
    res = fit_fiml(hs, HS_MODEL)
    assert res.n_patterns == 1
    assert res.fit_measures["chisq"] == pytest.approx(85.306, abs=1e-3)
    assert res.fit_measures["df"] == 24
    ml = crm.cfa(hs, HS_MODEL)
    merged = res.estimates.merge(ml.estimates, on=["lhs", "op", "rhs"], suffixes=("", "_ml"))
    np.testing.assert_allclose(merged["est"], merged["est_ml"], atol=1e-6)
    intercepts = res.estimates.query("op == '~1' and lhs.str.startswith('x')").set_index("lhs")["est"]
    np.testing.assert_allclose(intercepts, hs[intercepts.index].mean(), atol=1e-6)
