"""Robust (MLM/MLR) multi-group fits and the invariance sequence compared by compare_models, against lavaan.

tests/reference/sem_invariance_robust.R: lavaan 0.6-14 cfa(group =, group.equal =, group.partial =,
estimator = "MLM"/"MLR") and lavTestLRT (Satorra-Bentler 2001 scaled difference).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

REF = Path(__file__).parent / "reference" / "sem_invariance_robust"
REF_ML = Path(__file__).parent / "reference" / "sem_invariance"
HS = pd.read_csv(Path(__file__).parent / "reference" / "datasets" / "lavaan_HolzingerSwineford1939.csv")
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
ECRM_MODEL = "OPR =~ OPR1 + OPR2 + OPR3 + OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4"
CASES = {
    "hs_mlr": (HS_MODEL, "school", None, "MLR"),
    "hs_mlm": (HS_MODEL, "school", None, "MLM"),
    "hs_mlr_partial": (HS_MODEL, "school", ["visual =~ x2", "x3 ~1", "x7 ~1"], "MLR"),
    "ecrm_mlr": (ECRM_MODEL, "gender", None, "MLR"),
}
COLS = ["npar", "chisq", "df", "chisq_scaled", "chisq_scaling_factor", "pvalue_scaled", "cfi_scaled", "tli_scaled",
        "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust", "srmr", "baseline_chisq_scaled",
        "baseline_chisq_scaling_factor"]


@pytest.fixture(scope="module")
def results():
    ecrm = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    return {name: crm.measurement_invariance(ecrm if name.startswith("ecrm") else HS, model, group,
                                             group_partial=partial, strict=True, estimator=est)
            for name, (model, group, partial, est) in CASES.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_fit_measures_equal_lavaan(results, name):
    ref = pd.read_csv(REF / f"{name}_steps.csv").set_index("step")
    inv = results[name]
    for step, fit in inv.fits.items():
        got = fit.fit_measures[COLS].to_numpy(float)
        np.testing.assert_allclose(got, ref.loc[step, COLS].to_numpy(float), atol=1e-3, err_msg=f"{name} {step}")
        assert fit.estimator == CASES[name][3]


@pytest.mark.parametrize("name", list(CASES))
def test_scaled_differences_equal_lavtestlrt(results, name):
    ref = pd.read_csv(REF / f"{name}_steps.csv").set_index("step")
    t = results[name].table
    cols = ["chisq_diff", "df_diff", "p_diff"]
    np.testing.assert_allclose(t[cols].to_numpy(float), ref[cols].to_numpy(float), atol=1e-3)
    # the columns of the table are the compare_models ones
    cmp = results[name].comparison.table
    assert results[name].comparison.method == "satorra.bentler.2001"
    np.testing.assert_allclose(cmp["chisq_diff"].to_numpy(float), t["chisq_diff"].to_numpy(float), equal_nan=True)
    np.testing.assert_allclose(t["cfi_robust_diff"].iloc[1:], np.diff(ref["cfi_robust"]), atol=1e-3)
    np.testing.assert_allclose(t["rmsea_robust_diff"].iloc[1:], np.diff(ref["rmsea_robust"]), atol=1e-3)


@pytest.mark.parametrize("name", ["hs_mlr", "hs_mlm", "hs_mlr_partial"])
def test_scalar_estimates_and_robust_se_equal_lavaan(results, name):
    ref = pd.read_csv(REF / f"{name}_scalar_est.csv", keep_default_na=False)
    ref = ref[ref["op"].isin(["=~", "~~", "~1"])]
    fit = results[name].fits["scalar"]
    est = fit.estimates.copy()
    est["group_no"] = est["group"].map({g: k + 1 for k, g in enumerate(fit.groups)})
    merged = ref.merge(est, left_on=["lhs", "op", "rhs", "group"], right_on=["lhs", "op", "rhs", "group_no"],
                       how="left", suffixes=("_r", ""))
    assert merged["est"].notna().all() and len(merged) == len(ref)
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=1e-3)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=1e-3)


def test_robust_criteria_read_robust_indices(results):
    t = results["hs_mlr"].table
    chen = [not (r.cfi_robust_diff <= -0.010 and (r.rmsea_robust_diff >= 0.015 or r.srmr_diff >= lim))
            for r, lim in zip(t.iloc[1:].itertuples(), [0.030, 0.010, 0.010])]
    assert t["chen_holds"].iloc[1:].tolist() == chen
    assert t["holds"].iloc[1:].tolist() == [bool(r.p_diff >= 0.05 or r.cfi_robust_diff >= -0.01)
                                            for r in t.iloc[1:].itertuples()]


def test_ml_invariance_differences_come_from_compare_models():
    ref = pd.read_csv(REF_ML / "hs_steps.csv").set_index("step")
    fits = [crm.cfa(HS, HS_MODEL, group_col="school", group_equal=eq)
            for eq in (None, ["loadings"], ["loadings", "intercepts"])]
    cmp = crm.compare_models(*fits, names=["configural", "metric", "scalar"]).table
    np.testing.assert_allclose(cmp[["chisq_diff", "df_diff", "pvalue"]].to_numpy(float)[1:],
                               ref.loc[["metric", "scalar"], ["chisq_diff", "df_diff", "p_diff"]].to_numpy(float),
                               atol=1e-3)
    # lavTestLRT's RMSEA of the difference with two groups (lavaan 0.6-14: 0.049272 for metric vs configural)
    assert cmp.loc["metric", "rmsea"] == pytest.approx(0.049272, abs=1e-5)


def test_group_partial_through_cfa_equals_lavaan():
    ref = pd.read_csv(REF_ML / "hs_partial_loading_steps.csv").set_index("step")
    fit = crm.cfa(HS, HS_MODEL, group_col="school", group_equal=["loadings", "intercepts"],
                  group_partial=["visual =~ x2", "x3 ~1", "x3 ~~ x3"])
    assert fit.fit_measures["chisq"] == pytest.approx(ref.loc["scalar", "chisq"], abs=1e-3)
    assert fit.fit_measures["df"] == ref.loc["scalar", "df"]
    robust = crm.sem(HS, HS_MODEL, group_col="school", group_equal=["loadings", "intercepts"],
                     group_partial=["visual =~ x2", "x3 ~1", "x7 ~1"], estimator="MLR")
    ref_r = pd.read_csv(REF / "hs_mlr_partial_steps.csv").set_index("step")
    assert robust.fit_measures["chisq_scaled"] == pytest.approx(ref_r.loc["scalar", "chisq_scaled"], abs=1e-3)


@pytest.mark.parametrize("kwargs, match", [
    ({"group_partial": ["x3 ~1"]}, "group_partial' needs 'group_col"),
    ({"group_col": "school", "group_equal": ["loadings"], "group_partial": ["visual =~ x4"]}, "not a loading"),
    ({"group_col": "school", "estimator": "WLSMV"}, "ML, MLM or MLR"),
])
def test_bad_multigroup_options(kwargs, match):
    with pytest.raises(crm.CRMInputError, match=match):
        crm.cfa(HS, HS_MODEL, **kwargs)


def test_compare_models_needs_the_same_groups():
    a = crm.cfa(HS, HS_MODEL, group_col="school")
    b = crm.cfa(HS.iloc[:250], HS_MODEL, group_col="school", group_equal=["loadings"])
    with pytest.raises(crm.CRMInputError, match="same groups"):
        crm.compare_models(a, b)
    with pytest.raises(crm.CRMInputError, match="single-group"):
        crm.compare_models(a, crm.cfa(HS, HS_MODEL))
