"""Robust ML (MLM, MLR), model comparison and mean structures, compared with lavaan 0.6.

Reference values: lavaan 0.6-14 via ``tests/reference/sem_robust.R``, stored in
``tests/reference/sem_robust/`` (parameterEstimates + standardizedSolution, fitMeasures,
lavTestLRT tables).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

REF = Path(__file__).parent / "reference" / "sem_robust"
HS_MODEL = "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9"
HS_EQUAL = "visual  =~ x1 + a*x2 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed   =~ x7 + c*x8 + c*x9"
ATOL = 1e-4


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(Path(__file__).parent / "reference" / "sem" / "holzinger1939.csv")


@pytest.fixture(scope="module")
def hs_holes(hs):
    """The cells sem_fiml.R and sem_robust.R delete: row i (1-based), item x_j is missing when
    (7 i + 13 j) % 17 == 0 or (3 i + 5 j) % 23 == 0."""
    data = hs.copy()
    i = np.arange(1, len(data) + 1)
    for j in range(1, 10):
        data.loc[((7 * i + 13 * j) % 17 == 0) | ((3 * i + 5 * j) % 23 == 0), f"x{j}"] = np.nan
    return data


@pytest.fixture(scope="module")
def survey():
    return crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))


def compare_fit(res, name, keys, atol=ATOL):
    ref = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    for key in keys:
        ours = res.fit_measures[key.replace(".", "_")]
        assert ours == pytest.approx(ref[key], abs=atol, nan_ok=True), (name, key, ours, ref[key])


def compare_estimates(res, name, atol=ATOL):
    pe = pd.read_csv(REF / f"{name}_estimates.csv")
    pe["rhs"] = pe["rhs"].fillna("")
    merged = pe.merge(res.estimates, on=["lhs", "op", "rhs"], how="outer", indicator=True, suffixes=("_r", ""))
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", ["lhs", "op", "rhs"]]
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=atol)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=atol)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=atol)
    free = merged["se_r"] > 0
    np.testing.assert_allclose(merged.loc[free, "pvalue"], merged.loc[free, "pvalue_r"], atol=atol)
    np.testing.assert_allclose(merged.loc[free, "ci_lower"], merged.loc[free, "ci.lower"], atol=atol)


ROBUST_KEYS = ["chisq", "df", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq.scaled",
               "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
               "rni.robust", "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
               "rmsea.pvalue.scaled", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust",
               "rmsea.pvalue.robust", "cfi", "rmsea", "srmr", "aic", "bic"]


@pytest.mark.parametrize("estimator", ["MLM", "MLR"])
def test_holzinger_robust_equals_lavaan(hs, estimator):
    res = crm.cfa(hs, HS_MODEL, estimator=estimator)
    assert res.estimator == estimator
    compare_estimates(res, f"hs_{estimator.lower()}")
    compare_fit(res, f"hs_{estimator.lower()}", ROBUST_KEYS)
    # the summary shows the robust block
    assert "chisq_scaled" in res.summary().as_text()


@pytest.mark.parametrize("estimator", ["MLM", "MLR"])
def test_equal_loadings_robust_equals_lavaan(hs, estimator):
    res = crm.cfa(hs, HS_EQUAL, estimator=estimator)
    compare_estimates(res, f"hs_equal_{estimator.lower()}")
    compare_fit(res, f"hs_equal_{estimator.lower()}", ROBUST_KEYS)


@pytest.mark.parametrize("estimator", ["MLM", "MLR"])
def test_ecrm_survey_robust_equals_lavaan(survey, estimator):
    res = crm.sem(survey, crm.ecrm_survey_model(), estimator=estimator)
    compare_estimates(res, f"ecrm_{estimator.lower()}")
    compare_fit(res, f"ecrm_{estimator.lower()}", ROBUST_KEYS)


def test_robust_needs_raw_data(hs):
    cov = hs[[f"x{j}" for j in range(1, 10)]].cov()
    with pytest.raises(CRMInputError, match="raw data"):
        crm.cfa(model=HS_MODEL, sample_cov=cov, sample_nobs=len(hs), estimator="MLR")
    with pytest.raises(CRMInputError, match="estimator"):
        crm.cfa(hs, HS_MODEL, estimator="MLX")
    with pytest.raises(CRMInputError, match="MLM"):
        crm.cfa(hs, HS_MODEL, estimator="MLM", missing="fiml")


FIML_KEYS = ["chisq", "df", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq.scaled",
             "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled",
             "rmsea.ci.upper.scaled", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl"]
FIML_ROBUST_KEYS = ["cfi.robust", "tli.robust", "rni.robust", "rmsea.robust", "rmsea.ci.lower.robust",
                    "rmsea.ci.upper.robust", "rmsea.pvalue.robust"]


def test_fiml_mlr_equals_lavaan(hs_holes):
    res = crm.cfa(hs_holes, HS_MODEL, estimator="MLR", missing="fiml")
    assert isinstance(res, crm.FIMLResult) and res.estimator == "MLR"
    compare_estimates(res, "hs_fiml_mlr")
    res.fit_measures["logl"] = res.fit_measures["loglik"]
    compare_fit(res, "hs_fiml_mlr", FIML_KEYS)
    # lavaan's robust CFI/TLI/RMSEA for FIML: FIML-C (Zhang & Savalei, 2023), lav_fit_fiml_corrected
    compare_fit(res, "hs_fiml_mlr", FIML_ROBUST_KEYS)


def test_fiml_mlr_ecrm_equals_lavaan(survey):
    res = crm.sem(survey, crm.ecrm_survey_model(), estimator="MLR", missing="fiml")
    compare_estimates(res, "ecrm_fiml_mlr")
    res.fit_measures["logl"] = res.fit_measures["loglik"]
    compare_fit(res, "ecrm_fiml_mlr", FIML_KEYS)
    compare_fit(res, "ecrm_fiml_mlr", FIML_ROBUST_KEYS)


LRT_CASES = [("ML", "listwise", "default", "ml"), ("MLM", "listwise", "default", "mlm_default"),
             ("MLM", "listwise", "satorra.bentler.2001", "mlm_sb2001"),
             ("MLM", "listwise", "satorra.bentler.2010", "mlm_sb2010"), ("MLR", "listwise", "default", "mlr_default"),
             ("MLR", "listwise", "satorra.bentler.2010", "mlr_sb2010"), ("ML", "fiml", "default", "fiml_ml"),
             ("MLR", "fiml", "default", "fiml_mlr_default")]


@pytest.mark.parametrize(("estimator", "missing", "method", "name"), LRT_CASES)
def test_compare_models_equals_lavtestlrt(hs, hs_holes, estimator, missing, method, name):
    data = hs_holes if missing == "fiml" else hs
    free = crm.cfa(data, HS_MODEL, estimator=estimator, missing=missing)
    equal = crm.cfa(data, HS_EQUAL, estimator=estimator, missing=missing)
    # given in the 'wrong' order on purpose: sorted by df as lavaan does
    res = crm.compare_models(equal, free, method=method, names=["equal", "free"])
    ref = pd.read_csv(REF / f"lrt_{name}.csv")
    assert list(res.table.index) == ["free", "equal"]
    t = res.table
    np.testing.assert_allclose(t["df"], ref["Df"])
    np.testing.assert_allclose(t["aic"], ref["AIC"], atol=1e-6)
    np.testing.assert_allclose(t["bic"], ref["BIC"], atol=1e-6)
    np.testing.assert_allclose(t["chisq"], ref["Chisq"], atol=ATOL)
    np.testing.assert_allclose(t["chisq_diff"].iloc[1], ref["Chisq diff"].iloc[1], atol=ATOL)
    np.testing.assert_allclose(t["pvalue"].iloc[1], ref["Pr(>Chisq)"].iloc[1], atol=ATOL)
    assert t["df_diff"].iloc[1] == ref["Df diff"].iloc[1]
    if "RMSEA" in ref.columns:
        np.testing.assert_allclose(t["rmsea"].iloc[1], ref["RMSEA"].iloc[1], atol=ATOL)
    assert t["cfi_diff"].iloc[1] == pytest.approx(equal.fit_measures["cfi"] - free.fit_measures["cfi"])
    assert "Satorra" in res.summary().as_text() or estimator == "ML"


def test_compare_models_bad_input(hs, hs_holes):
    free = crm.cfa(hs, HS_MODEL)
    with pytest.raises(CRMInputError, match="at least two"):
        crm.compare_models(free)
    with pytest.raises(CRMInputError, match="estimators"):
        crm.compare_models(free, crm.cfa(hs, HS_EQUAL, estimator="MLR"))
    with pytest.raises(CRMInputError, match="same data"):
        crm.compare_models(free, crm.cfa(hs.iloc[:200], HS_EQUAL))
    with pytest.raises(CRMInputError, match="different sample covariances"):
        other = hs.copy()
        other["x1"] = other["x1"][::-1].to_numpy()
        crm.compare_models(free, crm.cfa(other, HS_EQUAL))
    with pytest.raises(CRMInputError, match="same degrees of freedom"):
        crm.compare_models(free, crm.cfa(hs, HS_MODEL.replace("x1 + x2", "x2 + x1")))
    with pytest.raises(CRMInputError, match="not nested"):
        # fewer df but a worse fit than the 3-factor model: one factor is not nested in it the other way round
        one = crm.cfa(hs, "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\nx1 ~~ x2\nx4 ~~ x5\nx7 ~~ x8\nx1 ~~ x3")
        crm.compare_models(free, one)
    with pytest.raises(CRMInputError, match="robust fits"):
        crm.compare_models(free, crm.cfa(hs, HS_EQUAL), method="satorra.bentler.2010")
    with pytest.raises(CRMInputError, match="FIML"):
        crm.compare_models(crm.cfa(hs_holes, HS_MODEL, estimator="MLR", missing="fiml"),
                           crm.cfa(hs_holes, HS_EQUAL, estimator="MLR", missing="fiml"),
                           method="satorra.bentler.2010")


def test_fiml_bootstrap_matches_lavaan_in_distribution(hs_holes):
    """lavaan's se = "bootstrap" with missing = "ml" (1000 resamples, stored); ours with 200 resamples: the
    same point estimates, bootstrap standard errors within Monte-Carlo error (relative SE of a bootstrap SE
    ~ 1/sqrt(2B): 5% for B = 200, 2% for B = 1000; tolerance 20%)."""
    res = crm.cfa(hs_holes, HS_MODEL, missing="fiml", bootstrap=200, seed=11, progress=False)
    again = crm.cfa(hs_holes, HS_MODEL, missing="fiml", bootstrap=200, seed=11, progress=False)
    ref = pd.read_csv(REF / "hs_fiml_boot_estimates.csv")
    ref["rhs"] = ref["rhs"].fillna("")
    merged = ref.merge(res.estimates, on=["lhs", "op", "rhs"], suffixes=("_r", ""))
    assert len(merged) == len(ref) == len(res.estimates)
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=ATOL)
    free = merged[merged["se_r"] > 0]
    np.testing.assert_allclose(free["boot_se"], free["se_r"], rtol=0.20)
    # intercepts are bootstrapped too, and the run is reproducible
    assert (res.estimates.loc[res.estimates["op"] == "~1", "boot_se"].dropna() > 0).sum() == 9
    np.testing.assert_array_equal(res.estimates["boot_se"], again.estimates["boot_se"])
    assert res.boot_n == 200


def test_mlr_bootstrap_is_the_ml_bootstrap(hs):
    ml = crm.cfa(hs, HS_MODEL, bootstrap=200, seed=3, progress=False)
    mlr = crm.cfa(hs, HS_MODEL, estimator="MLR", bootstrap=200, seed=3, progress=False)
    np.testing.assert_allclose(mlr.estimates["boot_se"], ml.estimates["boot_se"])
    assert "chisq_scaled" in mlr.fit_measures.index
    # lavaan refuses estimator = "MLR" with se = "bootstrap"; its ML bootstrap (1000 resamples, stored) agrees
    # within Monte-Carlo error
    ref = pd.read_csv(REF / "hs_mlr_boot_estimates.csv")
    merged = ref.merge(mlr.estimates, on=["lhs", "op", "rhs"], suffixes=("_r", ""))
    free = merged[merged["se_r"] > 0]
    np.testing.assert_allclose(free["est"], free["est_r"], atol=ATOL)
    np.testing.assert_allclose(free["boot_se"], free["se_r"], rtol=0.20)


MEAN_KEYS = ["npar", "chisq", "df", "aic", "bic", "bic2", "srmr", "gfi", "agfi", "cfi", "rmsea", "logl"]


@pytest.mark.parametrize(("name", "model", "options"), [
    ("hs_means", HS_MODEL, {"meanstructure": True}),
    ("hs_int", HS_MODEL + "\nx1 ~ 1\nx4 ~ i4*1", {}),
    ("hs_means_mlr", HS_MODEL, {"meanstructure": True, "estimator": "MLR"}),
])
def test_mean_structure_equals_lavaan(hs, name, model, options):
    res = crm.cfa(hs, model, **options)
    res.fit_measures["logl"] = res.fit_measures["loglik"]
    compare_estimates(res, name)
    compare_fit(res, name, MEAN_KEYS + (ROBUST_KEYS if "estimator" in options else []))
    ints = res.estimates[res.estimates["op"] == "~1"].set_index("lhs")
    assert len(ints) == 12 and ints.loc["visual", "est"] == 0
    if name == "hs_int":
        assert ints.loc["x4", "label"] == "i4"


def test_mean_structure_parse_and_bad_input(hs):
    from crm_research.core.syntax import parse_model

    parsed = parse_model("f =~ x1 + x2 + x3\nx1 ~ 1\nx2 ~ a*1 + x3")
    ops = [(st.lhs, st.op) for st in parsed.statements]
    assert ("x1", "~1") in ops and ("x2", "~1") in ops and ("x2", "~") in ops
    # latent means and fixed intercepts parse and fit (tests/test_sem_means.py); FIML cannot fit them yet
    assert ("f", "~1") in [(st.lhs, st.op) for st in parse_model("f =~ x1 + x2 + x3\nf ~ 1").statements]
    with pytest.raises(CRMInputError, match="fixes the intercept"):
        crm.cfa(hs, HS_MODEL + "\nx1 ~ 5*1", missing="fiml")
    with pytest.raises(CRMInputError, match="latent variable 'visual' a mean"):
        crm.cfa(hs, HS_MODEL + "\nvisual ~ 1", missing="fiml")
    with pytest.raises(CRMInputError, match="raw data"):
        crm.cfa(model=HS_MODEL, sample_cov=hs[[f"x{j}" for j in range(1, 10)]].cov(), sample_nobs=301,
                meanstructure=True)
    with pytest.raises(CRMInputError, match="intercept"):
        crm.sem(hs, HS_MODEL + "\nx1 ~ 1", group_col="school")


ORD = Path(__file__).parent / "reference" / "sem_ordinal"
ROBUST_CAT_KEYS = ["cfi.robust", "tli.robust", "rni.robust", "rmsea.robust", "rmsea.ci.lower.robust",
                   "rmsea.ci.upper.robust", "rmsea.pvalue.robust", "srmr", "cfi.scaled", "rmsea.scaled"]


@pytest.mark.parametrize(("name", "items_file", "model", "options"), [
    ("ecrm", None, None, {}),
    ("bfi", "bfi_items", "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", {}),
    ("bfi_stdlv", "bfi_items", "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\nC4 ~~ C5",
     {"std_lv": True}),
    ("binary_cfa", "binary_items", "f =~ A2 + A3 + A5\ng =~ C1 + C2", {}),
])
def test_wlsmv_robust_indices_equal_lavaan(survey, name, items_file, model, options):
    """lavaan's cfi.robust, tli.robust, rmsea.robust (Savalei, 2021) of the WLSMV fits stored by
    tests/reference/sem_ordinal.R."""
    if items_file is None:
        items = [c for c in survey.columns if c[:3] in {"OPR", "ANL", "EMP", "SAT", "LOY", "DEL"}]
        data, model = survey[items].dropna(), crm.ecrm_survey_model()
    else:
        data = pd.read_csv(ORD / f"{items_file}.csv")
    res = crm.sem(data, model, estimator="WLSMV", **options)
    ref = pd.read_csv(ORD / f"{name}_fit.csv").set_index("measure")["value"]
    for key in ROBUST_CAT_KEYS:
        if key in ref.index:
            ours = res.fit_measures[key.replace(".", "_")]
            assert ours == pytest.approx(ref[key], abs=ATOL, nan_ok=True), (name, key, ours, ref[key])


def test_fiml_modification_indices_equal_lavaan(hs_holes):
    res = crm.cfa(hs_holes, HS_MODEL, missing="fiml")
    mi = res.modification_indices()
    ref = pd.read_csv(REF / "hs_fiml_mi.csv")
    merged = ref.merge(mi, on=["lhs", "op", "rhs"], how="outer", indicator=True, suffixes=("_r", ""))
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", ["lhs", "op", "rhs"]]
    np.testing.assert_allclose(merged["mi"], merged["mi_r"], atol=ATOL)
    np.testing.assert_allclose(merged["epc"], merged["epc_r"], atol=ATOL)
    np.testing.assert_allclose(merged["sepc_all"], merged["sepc.all"], atol=ATOL)
    assert (res.modification_indices(min_mi=3.84)["mi"] >= 3.84).all()


def test_wlsmv_modification_indices_equal_lavaan():
    bfi = pd.read_csv(ORD / "bfi_items.csv")
    res = crm.cfa(bfi, "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", estimator="WLSMV")
    mi = res.modification_indices()
    ref = pd.read_csv(REF / "bfi_wlsmv_mi.csv")
    merged = ref.merge(mi, on=["lhs", "op", "rhs"], how="outer", indicator=True, suffixes=("_r", ""))
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", ["lhs", "op", "rhs"]]
    np.testing.assert_allclose(merged["mi"], merged["mi_r"], atol=ATOL)
    np.testing.assert_allclose(merged["epc"], merged["epc_r"], atol=ATOL)
    np.testing.assert_allclose(merged["sepc_all"], merged["sepc.all"], atol=ATOL)
