"""MLM/MLR with observed covariates (fixed.x) and WLSMV modification indices on a second dataset, against
lavaan 0.6-14 (tests/reference/sem_robust_extra.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

REF = Path(__file__).parent / "reference" / "sem_robust_extra"
HS = pd.read_csv(Path(__file__).parent / "reference" / "sem" / "holzinger1939.csv")
HS_X = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex\ntextual ~ sex"
ECRM_X = ("SAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4\nSAT ~ tenure_years + gender\n"
          "LOY ~ SAT + tenure_years")
KEYS = ["chisq", "df", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq",
        "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "cfi.robust",
        "tli.robust", "rmsea.scaled", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "cfi",
        "srmr"]


def _compare(res, name):
    fm = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    for key in KEYS:
        assert res.fit_measures[key.replace(".", "_")] == pytest.approx(fm[key], abs=1e-3), (name, key)
    pe = pd.read_csv(REF / f"{name}_estimates.csv")
    pe["rhs"] = pe["rhs"].fillna("")
    merged = pe.merge(res.estimates, on=["lhs", "op", "rhs"], how="left", suffixes=("_r", ""))
    assert merged["est"].notna().all()
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=1e-3)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=1e-3)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=1e-3)


@pytest.mark.parametrize("estimator", ["MLM", "MLR"])
def test_fixed_x_holzinger_equals_lavaan(estimator):
    res = crm.sem(HS, HS_X, estimator=estimator)
    assert res.spec.ov_x == ["ageyr", "sex"]
    _compare(res, f"hs_x_{estimator.lower()}")


@pytest.mark.parametrize("estimator", ["MLM", "MLR"])
def test_fixed_x_ecrm_equals_lavaan(estimator):
    survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    _compare(crm.sem(survey, ECRM_X, estimator=estimator), f"ecrm_x_{estimator.lower()}")


def test_wlsmv_modification_indices_second_dataset():
    """The (N-1)/N factor of lavaan's DWLS gradient, checked on five-category items (bfi in test_sem_robust)."""
    items = pd.read_csv(REF / "ecrm_ordinal_items.csv")
    model = "OPR =~ OPR1 + OPR2 + OPR3 + OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4"
    res = crm.cfa(items, model, estimator="WLSMV")
    ref = pd.read_csv(REF / "ecrm_wlsmv_mi.csv")
    merged = ref.merge(res.modification_indices(), on=["lhs", "op", "rhs"], how="outer", indicator=True,
                       suffixes=("_r", ""))
    assert (merged["_merge"] == "both").all()
    np.testing.assert_allclose(merged["mi"], merged["mi_r"], atol=1e-3)
    np.testing.assert_allclose(merged["epc"], merged["epc_r"], atol=1e-3)
    np.testing.assert_allclose(merged["sepc_all"], merged["sepc.all"], atol=1e-3)


ECRM_CFA = "OPR =~ OPR1 + OPR2 + OPR3 + OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4"
ECRM_CFA0 = ("OPR =~ OPR1 + a*OPR2 + a*OPR3 + a*OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\n"
             "LOY =~ LOY1 + LOY2 + LOY3 + LOY4\nSAT ~~ 0*OPR")
BFI_CFA = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"


@pytest.mark.parametrize("data_file, big, small, name", [
    ("sem_robust_extra/ecrm_ordinal_items.csv", ECRM_CFA, ECRM_CFA0, "ecrm_wlsmv_default"),
    ("sem_ordinal/bfi_items.csv", BFI_CFA, BFI_CFA + "\nagree ~~ 0*consc", "bfi_wlsmv_default"),
])
def test_wlsmv_compare_models_equals_lavtestlrt(data_file, big, small, name):
    """lavaan's default for DWLS/WLSMV: the scaled-shifted difference test (Satorra 2000, A by the delta method)."""
    items = pd.read_csv(Path(__file__).parent / "reference" / data_file)
    cmp = crm.compare_models(crm.cfa(items, small, estimator="WLSMV"), crm.cfa(items, big, estimator="WLSMV"),
                             names=["small", "big"])
    assert cmp.method == "satorra.2000" and cmp.estimator == "WLSMV"
    assert list(cmp.table.index) == ["big", "small"]
    ref = pd.read_csv(REF / f"lrt_{name}.csv")
    np.testing.assert_allclose(cmp.table[["df", "chisq"]].to_numpy(float), ref[["Df", "Chisq"]].to_numpy(float),
                               atol=1e-3)
    got = cmp.table.iloc[1][["chisq_diff", "df_diff", "pvalue"]].to_numpy(float)
    np.testing.assert_allclose(got, ref.iloc[1][["Chisq diff", "Df diff", "Pr(>Chisq)"]].to_numpy(float), atol=1e-3)
    assert "Satorra (2000)" in cmp.summary().as_text()


def test_wlsmv_compare_models_bad_input():
    items = pd.read_csv(REF / "ecrm_ordinal_items.csv")
    big = crm.cfa(items, ECRM_CFA, estimator="WLSMV")
    with pytest.raises(crm.CRMInputError, match="satorra.2000"):
        crm.compare_models(big, crm.cfa(items, ECRM_CFA0, estimator="WLSMV"), method="satorra.bentler.2001")
    with pytest.raises(crm.CRMInputError, match="different estimators"):
        crm.compare_models(big, crm.cfa(items, ECRM_CFA0))
    # not nested: a cross-loading added in one model, a factor covariance removed in the other
    other = crm.cfa(items, ECRM_CFA.replace("SAT4", "SAT4 + LOY1") + "\nSAT ~~ 0*OPR\nLOY ~~ 0*OPR",
                    estimator="WLSMV")
    with pytest.raises(crm.CRMInputError, match="not nested|not a restriction"):
        crm.compare_models(big, other)
