"""Fixed and equal intercepts and latent means in the syntax (a restricted mean structure), against lavaan
0.6-14 (tests/reference/sem_means.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

REF = Path(__file__).parent / "reference" / "sem_means"
HS = pd.read_csv(Path(__file__).parent / "reference" / "sem" / "holzinger1939.csv")
HS_MODEL = "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9"
ECRM_MODEL = ("OPR =~ OPR1 + OPR2 + OPR3 + OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\nSAT ~ OPR\nSAT1 ~ 0*1\nSAT ~ 1\n"
              "OPR ~ 0*1\nOPR2 ~ 3*1")
CASES = {
    "hs_fixed_int": (HS_MODEL + "\nx1 ~ 5*1", "ML"),
    "hs_fixed_int_mlr": (HS_MODEL + "\nx1 ~ 5*1", "MLR"),
    "hs_latent_means": (HS_MODEL + "\nx1 ~ 0*1\nx4 ~ 0*1\nx7 ~ 0*1\nvisual ~ 1\ntextual ~ 1\nspeed ~ 1", "ML"),
    "hs_equal_int_mlm": (HS_MODEL + "\nx8 ~ i*1\nx9 ~ i*1", "MLM"),
    "ecrm_means": (ECRM_MODEL, "ML"),
}
KEYS = ["npar", "chisq", "df", "pvalue", "baseline.chisq", "cfi", "tli", "rmsea", "rmsea.ci.lower",
        "rmsea.ci.upper", "srmr", "logl", "unrestricted.logl", "aic", "bic"]
ROBUST_KEYS = ["chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq.scaling.factor",
               "cfi.robust", "tli.robust", "rmsea.robust"]


@pytest.mark.parametrize("name", list(CASES))
def test_mean_structure_equals_lavaan(name):
    model, estimator = CASES[name]
    data = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey")) if name.startswith("ecrm") else HS
    res = crm.sem(data, model, estimator=estimator)
    assert isinstance(res, crm.MeanStructureResult) and res.estimator == estimator
    ref = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    fm = res.fit_measures.rename({"loglik": "logl", "unrestricted_loglik": "unrestricted_logl"})
    for key in KEYS + (ROBUST_KEYS if estimator != "ML" else []):
        assert fm[key.replace(".", "_")] == pytest.approx(ref[key], abs=1e-3), (name, key)
    pe = pd.read_csv(REF / f"{name}_estimates.csv")
    pe["rhs"] = pe["rhs"].fillna("")
    merged = pe.merge(res.estimates, on=["lhs", "op", "rhs"], how="outer", indicator=True, suffixes=("_r", ""))
    assert (merged["_merge"] == "both").all()
    for ours, theirs in [("est", "est_r"), ("se", "se_r"), ("std_all", "std.all"), ("ci_lower", "ci.lower")]:
        np.testing.assert_allclose(merged[ours], merged[theirs], atol=1e-3, err_msg=f"{name} {ours}")


def test_latent_means_identified_by_markers_give_the_saturated_fit():
    free = crm.cfa(HS, HS_MODEL, meanstructure=True)
    lm = crm.cfa(HS, CASES["hs_latent_means"][0])
    assert lm.fit_measures["chisq"] == pytest.approx(free.fit_measures["chisq"], abs=1e-6)
    assert lm.fit_measures["df"] == free.fit_measures["df"]
    means = lm.estimates.query("op == '~1'").set_index("lhs")["est"]
    assert means["x1"] == 0 and means["visual"] == pytest.approx(HS["x1"].mean(), abs=1e-6)
    assert "Mean structure" in lm.summary().as_text() or "mean structure" in lm.summary().as_text()


@pytest.mark.parametrize("extra, kwargs, match", [
    ("\nx1 ~ 0*1", {"bootstrap": 20}, "bootstrap"),
    ("\nvisual ~ 1", {"missing": "fiml"}, "latent variable 'visual' a mean"),
    ("\nx1 ~ a*1\nx2 ~ a*1", {"missing": "fiml"}, "same label"),
    ("\nvisual ~ 1\ntextual ~ 1\nspeed ~ 1", {}, "not identified"),
])
def test_mean_structure_bad_input(extra, kwargs, match):
    with pytest.raises(crm.CRMInputError, match=match):
        crm.cfa(HS, HS_MODEL + extra, **kwargs)
