"""Invariance steps, partial invariance and Chen's criteria against lavaan (tests/reference/sem_invariance.R).

lavaan 0.6-14 cfa(group.equal = ..., group.partial = ...) and lavTestLRT; semTools 0.5-6
measEq.syntax writes the same models for the full steps (chisq_measeq), not for partial ones.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

REF = Path(__file__).parent / "reference" / "sem_invariance"
HS = pd.read_csv(Path(__file__).parent / "reference" / "datasets" / "lavaan_HolzingerSwineford1939.csv")
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
ECRM_MODEL = "OPR =~ OPR1 + OPR2 + OPR3 + OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4"
CASES = {
    "hs": (HS_MODEL, "school", None),
    "hs_partial": (HS_MODEL, "school", ["x3 ~1", "x7 ~1"]),
    "hs_partial_loading": (HS_MODEL, "school", ["visual =~ x2", "x3 ~1", "x3 ~~ x3"]),
    "ecrm": (ECRM_MODEL, "gender", None),
}
COLS = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "chisq_diff", "df_diff",
        "p_diff"]


@pytest.fixture(scope="module")
def results():
    ecrm = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    out = {}
    for name, (model, group, partial) in CASES.items():
        data = ecrm if name == "ecrm" else HS
        out[name] = crm.measurement_invariance(data, model, group, group_partial=partial, strict=True)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_steps_equal_lavaan(results, name):
    ref = pd.read_csv(REF / f"{name}_steps.csv").set_index("step")
    table = results[name].table
    assert list(table.index) == ["configural", "metric", "scalar", "strict"]
    np.testing.assert_allclose(table[COLS].to_numpy(float), ref[COLS].to_numpy(float), atol=1e-3)
    if CASES[name][2] is None:  # measEq.syntax identifies partial models differently (see the R script)
        np.testing.assert_allclose(ref["chisq"], ref["chisq_measeq"], atol=1e-6)


@pytest.mark.parametrize("name", ["hs_partial", "hs_partial_loading"])
def test_partial_scalar_estimates_equal_lavaan(results, name):
    ref = pd.read_csv(REF / f"{name}_scalar_est.csv", keep_default_na=False)
    fit = results[name].fits["scalar"]
    est = fit.estimates.copy()
    est["group_no"] = est["group"].map({g: k + 1 for k, g in enumerate(fit.groups)})
    merged = ref.merge(est, left_on=["lhs", "op", "rhs", "group"], right_on=["lhs", "op", "rhs", "group_no"],
                       how="left", suffixes=("_r", ""))
    assert merged["est"].notna().all()
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=1e-3)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=1e-3)


def test_partial_frees_what_it_names(results):
    fit = results["hs_partial_loading"].fits["scalar"].estimates
    x2 = fit[(fit["op"] == "=~") & (fit["rhs"] == "x2")]["est"]
    x5 = fit[(fit["op"] == "=~") & (fit["rhs"] == "x5")]["est"]
    x3 = fit[(fit["op"] == "~1") & (fit["lhs"] == "x3")]["est"]
    assert x2.nunique() == 2 and x5.nunique() == 1 and x3.nunique() == 2


def test_chen_criteria(results):
    t = results["hs"].table
    # scalar: CFI drops .0385, RMSEA rises .0145 (< .015) but SRMR rises .0108 (>= .010): non-invariant
    assert t.loc["scalar", "cfi_diff"] < -0.01 and t.loc["scalar", "rmsea_diff"] < 0.015
    assert t.loc["scalar", "srmr_diff"] >= 0.010
    assert t["chen_holds"].tolist()[1:] == [True, False, True]
    assert t["chen_holds"].isna().iloc[0]
    assert results["hs_partial"].table["chen_holds"].iloc[1:].all()


def test_small_sample_warning(results):
    assert not any("Chen (2007) recommends" in w for w in results["hs"].warnings)  # N = 301
    small = crm.measurement_invariance(HS.iloc[:200], "visual =~ x1 + x2 + x3", "school")
    assert any("Chen (2007) recommends" in w for w in small.warnings)


@pytest.mark.parametrize("partial, match", [
    (["visual =~ x4"], r"'visual =~ x4'.*not a loading"),
    (["x10 ~1"], r"'x10 ~1'"),
    (["visual ~~ visual"], r"'visual ~~ visual'"),
])
def test_unknown_partial_name(partial, match):
    with pytest.raises(crm.CRMInputError, match=match):
        crm.measurement_invariance(HS, HS_MODEL, "school", group_partial=partial)
