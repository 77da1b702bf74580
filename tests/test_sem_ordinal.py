"""Polychoric correlations and DWLS (lavaan's WLSMV) for ordinal items.

Every reference number comes from lavaan 0.6-14, written by
``tests/reference/sem_ordinal.R`` into ``tests/reference/sem_ordinal/``:
``lavCor``/``lavInspect(fit, "sampstat")`` for thresholds and polychorics,
``lavInspect(fit, "gamma")`` and ``"wls.v"`` for the asymptotic covariance and
the DWLS weights, ``parameterEstimates``/``standardizedSolution`` and
``fitMeasures`` of ``sem(..., ordered = items, estimator = "WLSMV")``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError
from crm_research.sem.ordinal import OrdinalSEMResult, fit_ordinal
from crm_research.sem.polychoric import bivariate_normal_cdf, polychoric

REF = Path(__file__).parent / "reference" / "sem_ordinal"
BFI_MODEL = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
ECRM_ITEMS = [f"OPR{i}" for i in range(1, 5)] + [f"ANL{i}" for i in range(1, 5)] + [f"EMP{i}" for i in range(1, 4)] \
    + [f"SAT{i}" for i in range(1, 5)] + [f"LOY{i}" for i in range(1, 5)] + [f"DEL{i}" for i in range(1, 4)]


def ref_csv(name, **kw):
    return pd.read_csv(REF / f"{name}.csv", **kw)


@pytest.fixture(scope="module")
def bfi_items():
    # the first 500 complete cases of ten psychTools::bfi items, as written by the R script
    return ref_csv("bfi_items")


@pytest.fixture(scope="module")
def ecrm():
    return crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))


@pytest.fixture(scope="module")
def ecrm_model():
    return (Path(__file__).parents[1] / "datasets" / "ecrm_survey_model.lav").read_text(encoding="utf-8")


# -- bivariate normal distribution function ---------------------------------------------------------
@pytest.mark.parametrize("h,k,rho", [(0.5, -0.3, 0.4), (-1.0, -2.0, 0.9), (1.0, 1.0, -0.7), (0.0, 0.5, 0.3),
                                     (0.0, 0.0, -0.5), (-0.4, 0.0, 0.95), (2.5, -2.5, 0.999), (-3.0, 1.2, -0.2)])
def test_bivariate_normal_cdf_equals_scipy(h, k, rho):
    from scipy.stats import multivariate_normal

    expected = multivariate_normal(cov=[[1, rho], [rho, 1]]).cdf([h, k])
    assert bivariate_normal_cdf(h, k, rho) == pytest.approx(expected, abs=1e-9)


def test_bivariate_normal_cdf_zero_limits():
    # P(X <= 0, Y <= 0) = 1/4 + asin(rho) / (2 pi) (Sheppard's formula)
    for rho in (-0.8, -0.2, 0.0, 0.3, 0.9):
        assert bivariate_normal_cdf(0.0, 0.0, rho) == pytest.approx(0.25 + np.arcsin(rho) / (2 * np.pi), abs=1e-12)


# -- thresholds, polychorics and gamma -------------------------------------------------------------
def test_polychoric_bfi_equals_lavcor(bfi_items):
    pc = polychoric(bfi_items)
    R = ref_csv("bfi_polychoric", index_col=0)
    assert list(pc.correlations.columns) == list(R.columns)
    np.testing.assert_allclose(pc.correlations.to_numpy(), R.to_numpy(), atol=1e-6)
    th = ref_csv("bfi_thresholds")
    assert pc.thresholds["name"].tolist() == th["name"].tolist()
    np.testing.assert_allclose(pc.thresholds["est"], th["value"], atol=1e-8)
    assert pc.n == 500


def test_polychoric_gamma_equals_lavaan(bfi_items):
    pc = polychoric(bfi_items)
    G = ref_csv("bfi_gamma", index_col=0)
    # lavaan's names and order: x|t1 ..., then x1~~x2 below the diagonal column by column
    assert pc.stat_names == list(G.index)
    np.testing.assert_allclose(pc.nacov.to_numpy(), G.to_numpy(), rtol=1e-6, atol=1e-7)


def test_dwls_weights_equal_lavaan_wls_v(bfi_items):
    # lavaan's WLS.V for DWLS is 1 / diag(Gamma)
    pc = polychoric(bfi_items)
    wls_v = ref_csv("bfi_wls_v")["wls_v"].to_numpy()
    np.testing.assert_allclose(1.0 / np.diag(pc.nacov.to_numpy()), wls_v, rtol=1e-6)


def test_polychoric_ecrm_listwise_equals_lavaan(ecrm):
    pc = polychoric(ecrm, ECRM_ITEMS)
    assert pc.n == 282  # complete cases on the 22 items
    assert any("dropped" in w for w in pc.warnings)
    R = ref_csv("ecrm_polychoric", index_col=0)
    np.testing.assert_allclose(pc.correlations.loc[ECRM_ITEMS, ECRM_ITEMS].to_numpy(), R.to_numpy(), atol=1e-6)
    th = ref_csv("ecrm_thresholds")
    np.testing.assert_allclose(pc.thresholds["est"], th["value"], atol=1e-8)
    gd = ref_csv("ecrm_gamma_diag")
    assert pc.stat_names == gd["name"].tolist()
    np.testing.assert_allclose(np.diag(pc.nacov.to_numpy()), gd["gamma"], rtol=1e-5)


def test_tetrachoric_equals_lavcor():
    bin_items = ref_csv("binary_items")
    pc = polychoric(bin_items)
    np.testing.assert_allclose(pc.correlations.to_numpy(), ref_csv("binary_tetrachoric", index_col=0).to_numpy(),
                               atol=1e-6)
    np.testing.assert_allclose(pc.thresholds["est"], ref_csv("binary_thresholds")["value"], atol=1e-8)


def test_tetrachoric_empty_cell_rule_equals_lavcor():
    # a 2 x 2 table with one empty cell (lavaan adds 0.5 keeping the margins) and one with ad = bc
    pc = polychoric(ref_csv("zero_cell_items"))
    R = ref_csv("zero_cell_tetrachoric", index_col=0)
    np.testing.assert_allclose(pc.correlations.to_numpy(), R.to_numpy(), atol=1e-6)
    assert pc.correlations.loc["v", "w"] == 0.0


def test_polychoric_result_api(bfi_items):
    import matplotlib

    matplotlib.use("Agg")
    pc = polychoric(bfi_items, ["A1", "A2", "A3"])
    assert pc.to_frame().shape == (3, 3)
    text = pc.summary().as_text()
    assert "Thresholds" in text and "A2" in text
    assert "<table" in pc.summary().as_html()
    ax = pc.plot()
    assert ax.get_title() == "Polychoric correlations"


def test_polychoric_does_not_mutate_and_reads_persian_digits(bfi_items):
    data = bfi_items[["A1", "A2", "A3"]].head(60).copy()
    before = data.copy()
    persian = data.astype(object).map(lambda v: str(int(v)).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    a = polychoric(data)
    b = polychoric(persian)
    pd.testing.assert_frame_equal(data, before)
    np.testing.assert_allclose(a.correlations.to_numpy(), b.correlations.to_numpy())


def test_polychoric_input_errors(bfi_items):
    with pytest.raises(CRMInputError, match="A9"):
        polychoric(bfi_items, ["A1", "A9"])
    with pytest.raises(CRMInputError, match="DataFrame"):
        polychoric(bfi_items.to_numpy())
    with pytest.raises(CRMInputError, match="at least 10"):
        polychoric(bfi_items.head(5))
    cont = pd.DataFrame({"x": np.linspace(0, 1, 40), "y": np.linspace(1, 0, 40) ** 2})
    with pytest.raises(CRMInputError, match="distinct values"):
        polychoric(cont)
    with pytest.raises(CRMInputError, match="missing"):
        polychoric(bfi_items, missing="pairwise")


# -- DWLS fits ---------------------------------------------------------------------------------------
def _compare_estimates(res, name, atol=1e-4):
    pe = ref_csv(f"{name}_estimates")
    # lavaan's fixed scale factors (~*~) and zero intercepts (~1) of the delta parameterization are not rows here
    pe = pe[~pe["op"].isin(["~*~", "~1"])]
    merged = pe.merge(res.estimates, on=["lhs", "op", "rhs"], how="outer", indicator=True, suffixes=("_r", ""))
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", ["lhs", "op", "rhs"]]
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=atol)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=atol)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=atol)
    free = merged["se_r"] > 0
    np.testing.assert_allclose(merged.loc[free, "pvalue"], merged.loc[free, "pvalue_r"], atol=1e-3)
    np.testing.assert_allclose(merged.loc[free, "ci_lower"], merged.loc[free, "ci.lower"], atol=atol)


FIT_KEYS = ["chisq", "df", "pvalue", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq",
            "baseline.chisq.scaled", "cfi", "tli", "cfi.scaled", "tli.scaled", "rmsea", "rmsea.ci.lower",
            "rmsea.ci.upper", "rmsea.pvalue", "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
            "rmsea.pvalue.scaled", "srmr", "fmin"]


def _compare_fit(res, name):
    fm = ref_csv(f"{name}_fit").set_index("measure")["value"]
    for key in FIT_KEYS:
        ours = res.fit_measures[key.replace(".", "_")]
        # 3 decimals, relative for the large chi-squares
        assert ours == pytest.approx(fm[key], abs=1e-3, rel=1e-5), key


def test_dwls_ecrm_equals_lavaan_wlsmv(ecrm, ecrm_model):
    res = fit_ordinal(ecrm, ecrm_model)
    assert isinstance(res, OrdinalSEMResult) and res.converged
    assert res.n == 282
    _compare_estimates(res, "ecrm")
    _compare_fit(res, "ecrm")
    # R-squared of latent responses: 1 - residual variance (delta parameterization)
    resid = res.estimates.query("op == '~~' and lhs == rhs and lhs in @ECRM_ITEMS").set_index("lhs")["est"]
    np.testing.assert_allclose(res.r2[ECRM_ITEMS], 1 - resid[ECRM_ITEMS], atol=1e-12)
    np.testing.assert_allclose(np.diag(res.implied_cov.to_numpy()), 1.0)


def test_dwls_bfi_equals_lavaan_wlsmv(bfi_items):
    res = fit_ordinal(bfi_items, BFI_MODEL)
    _compare_estimates(res, "bfi")
    _compare_fit(res, "bfi")


def test_dwls_std_lv_and_residual_covariance_equal_lavaan(bfi_items):
    # std.lv: lavaan's sign convention (first loading positive) is reproduced
    res = fit_ordinal(bfi_items, BFI_MODEL + "\nC4 ~~ C5", std_lv=True)
    _compare_estimates(res, "bfi_stdlv")
    _compare_fit(res, "bfi_stdlv")


def test_dwls_result_api(bfi_items):
    import matplotlib

    matplotlib.use("Agg")
    res = fit_ordinal(bfi_items, BFI_MODEL)
    text = res.summary().as_text()
    assert "chisq_scaled" in text and "A1 | t1" in text
    assert np.isnan(res.fit_measures["aic"])
    assert res.to_frame().shape[0] == len(res.estimates)
    # DWLS modification indices exist since issue 13 (compared with lavaan in tests/test_sem_robust.py)
    assert {"lhs", "op", "rhs", "mi", "epc", "sepc_all"} <= set(res.modification_indices().columns)
    res.plot()


def test_dwls_does_not_mutate_input(bfi_items):
    data = bfi_items.copy()
    before = data.copy()
    fit_ordinal(data, "agree =~ A1 + A2 + A3 + A4 + A5")
    pd.testing.assert_frame_equal(data, before)


def test_dwls_input_errors(bfi_items):
    with pytest.raises(CRMInputError, match="not a column"):
        fit_ordinal(bfi_items, "f =~ A1 + A2 + A7")
    with pytest.raises(CRMInputError, match="observed predictors"):
        fit_ordinal(bfi_items, "f =~ A2 + A3 + A4\nf ~ A1")
    with pytest.raises(CRMInputError, match="delta parameterization"):
        fit_ordinal(bfi_items, "f =~ A1 + A2 + A3\nA1 ~~ A1")
    with pytest.raises(CRMInputError, match="not identified"):
        fit_ordinal(bfi_items, "f =~ A1 + A2\ng =~ A3\nf ~~ g")
    with pytest.raises(CRMInputError, match="model"):
        fit_ordinal(bfi_items, None)
    few = bfi_items.head(15).copy()
    few.loc[:9, "A1"] = np.nan
    with pytest.raises(CRMInputError, match="complete row"):
        fit_ordinal(few, "f =~ A1 + A2 + A3")


def test_dwls_binary_items_equal_lavaan_wlsmv():
    res = fit_ordinal(ref_csv("binary_items"), "f =~ A2 + A3 + A5\ng =~ C1 + C2")
    _compare_estimates(res, "binary_cfa")
    _compare_fit(res, "binary_cfa")


def test_polychoric_old_columns_argument_warns(bfi_items):
    with pytest.warns(FutureWarning, match="'columns' is now called 'items'"):
        old = polychoric(bfi_items, columns=["A1", "A2", "A3"])
    new = polychoric(bfi_items, items=["A1", "A2", "A3"])
    np.testing.assert_array_equal(old.correlations.to_numpy(), new.correlations.to_numpy())
