"""Multi-group SEM and the invariance sequence against lavaan 0.6-14.

References: ``tests/reference/sem_lavaan.R`` section 7 (Holzinger-Swineford by school):
``cfa(..., group = "school")`` with ``group.equal`` = none / "loadings" / c("loadings", "intercepts"),
stored as ``hs_{configural,metric,scalar}_*.csv``, and ``anova(conf, metr, scal)`` as
``hs_invariance_anova.csv``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research import CRMInputError

REF = Path(__file__).parent / "reference" / "sem"
HS = pd.read_csv(REF / "holzinger1939.csv")
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
STEPS = {"configural": None, "metric": ["loadings"], "scalar": ["loadings", "intercepts"]}
FIT_NAMES = {"npar": "npar", "chisq": "chisq", "df": "df", "pvalue": "pvalue", "baseline_chisq": "baseline.chisq",
             "cfi": "cfi", "tli": "tli", "loglik": "logl", "unrestricted_loglik": "unrestricted.logl",
             "aic": "aic", "bic": "bic", "rmsea": "rmsea", "rmsea_ci_lower": "rmsea.ci.lower",
             "rmsea_ci_upper": "rmsea.ci.upper", "srmr": "srmr", "n": "ntotal"}


@pytest.fixture(scope="module")
def invariance():
    return crm.measurement_invariance(HS, HS_MODEL, group_col="school")


@pytest.mark.parametrize("step", list(STEPS))
def test_multigroup_estimates_equal_lavaan(invariance, step):
    fit = invariance.fits[step]
    assert fit.converged
    assert fit.groups == ["Pasteur", "Grant-White"]  # lavaan's order: first appearance in the data
    ref = pd.read_csv(REF / f"hs_{step}_estimates.csv")
    ref["group"] = ref["group"].map({1: "Pasteur", 2: "Grant-White"})
    ref["rhs"] = ref["rhs"].fillna("")
    m = fit.estimates.merge(ref, on=["lhs", "op", "rhs", "group"], suffixes=("", "_r"), how="outer",
                            indicator=True)
    assert (m["_merge"] == "both").all(), "the parameter table differs from lavaan's"
    for ours, theirs in [("est", "est_r"), ("se", "se_r"), ("std_all", "std.all"), ("pvalue", "pvalue_r")]:
        a, b = m[ours].astype(float).to_numpy(), m[theirs].astype(float).to_numpy()
        assert np.array_equal(np.isnan(a), np.isnan(b)), ours
        ok = ~np.isnan(a)
        np.testing.assert_allclose(a[ok], b[ok], atol=5e-4, err_msg=f"{step}: {ours}")


@pytest.mark.parametrize("step", list(STEPS))
def test_multigroup_fit_measures_equal_lavaan(invariance, step):
    fit = invariance.fits[step]
    ref = pd.read_csv(REF / f"hs_{step}_fit.csv").set_index("measure")["value"]
    for ours, theirs in FIT_NAMES.items():
        tol = 0.01 if ours in {"loglik", "unrestricted_loglik", "aic", "bic"} else 1e-3
        assert fit.fit_measures[ours] == pytest.approx(ref[theirs], abs=tol), ours


def test_multigroup_sem_with_shared_labels_and_defined_parameter():
    # lavaan: sem(mg_model, group = "school", group.equal = "loadings") -> hs_mg_sem_*.csv
    model = (Path(__file__).parent / "reference" / "sem_lavaan.R").read_text().split('mg_model <- "')[1].split('"')[0]
    fit = crm.multigroup_sem(HS, model, group_col="school", group_equal=["loadings"])
    ref = pd.read_csv(REF / "hs_mg_sem_estimates.csv")
    ref["group"] = ref["group"].map({0: "", 1: "Pasteur", 2: "Grant-White"})
    ref["rhs"] = ref["rhs"].fillna("")
    m = fit.estimates.merge(ref, on=["lhs", "op", "rhs", "group"], suffixes=("", "_r"), how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    for ours, theirs in [("est", "est_r"), ("se", "se_r"), ("std_all", "std.all")]:
        a, b = m[ours].astype(float).to_numpy(), m[theirs].astype(float).to_numpy()
        ok = ~np.isnan(b)
        np.testing.assert_allclose(a[ok], b[ok], atol=5e-4, err_msg=ours)
    ind = fit.estimates.query("op == ':='").iloc[0]
    assert ind["est"] == pytest.approx(0.136852, abs=1e-5) and ind["se"] == pytest.approx(0.037446, abs=1e-5)
    fm = pd.read_csv(REF / "hs_mg_sem_fit.csv").set_index("measure")["value"]
    for ours, theirs in FIT_NAMES.items():
        tol = 0.01 if ours in {"loglik", "unrestricted_loglik", "aic", "bic"} else 1e-3
        assert fit.fit_measures[ours] == pytest.approx(fm[theirs], abs=tol), ours


def test_invariance_table_equals_lavaans_anova(invariance):
    ref = pd.read_csv(REF / "hs_invariance_anova.csv", index_col=0)
    table = invariance.table
    np.testing.assert_allclose(table["chisq"], ref["Chisq"], atol=1e-3)
    np.testing.assert_allclose(table["df"], ref["Df"])
    np.testing.assert_allclose(table["chisq_diff"].iloc[1:], ref["Chisq diff"].iloc[1:], atol=1e-3)
    np.testing.assert_allclose(table["p_diff"].iloc[1:], ref["Pr(>Chisq)"].iloc[1:], atol=1e-4)
    # metric holds (p = .224); scalar fails (p < .001 and CFI drops by .038)
    assert pd.isna(table.loc["configural", "holds"])
    assert table["holds"].iloc[1:].tolist() == [True, False]
    assert table.loc["scalar", "cfi_diff"] == pytest.approx(0.882472 - 0.920923, abs=1e-4)
    text = str(invariance.summary())
    assert "Cheung & Rensvold" in text and "scalar" in text


def test_multigroup_result_api(invariance):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fit = invariance.fits["metric"]
    assert "Grant-White" in str(fit.summary())
    ax = fit.plot()
    assert ax.get_xlabel().startswith("standardized")
    invariance.plot()
    plt.close("all")
    assert list(fit.to_frame().columns[:4]) == ["lhs", "op", "rhs", "group"]


def test_group_argument_of_cfa_and_sem(invariance):
    fit = crm.cfa(HS, HS_MODEL, group_col="school", group_equal=["loadings"])
    assert fit.fit_measures["chisq"] == pytest.approx(invariance.fits["metric"].fit_measures["chisq"], abs=1e-9)
    with pytest.raises(CRMInputError, match="needs 'group_col'"):
        crm.sem(HS, HS_MODEL, group_equal=["loadings"])
    with pytest.raises(CRMInputError, match="without bootstrap"):
        crm.sem(HS, HS_MODEL, group_col="school", bootstrap=100)


def test_multigroup_errors():
    with pytest.raises(CRMInputError, match="'schol'"):
        crm.multigroup_sem(HS, HS_MODEL, group_col="schol")
    one_group = HS.assign(school="all")
    with pytest.raises(CRMInputError, match="at least two"):
        crm.multigroup_sem(one_group, HS_MODEL, group_col="school")
    with pytest.raises(CRMInputError, match="not available yet"):
        crm.multigroup_sem(HS, HS_MODEL, group_col="school", group_equal=["lv.variances"])
    with pytest.raises(CRMInputError, match="without equal loadings"):
        crm.multigroup_sem(HS, HS_MODEL, group_col="school", group_equal=["intercepts"])
    tiny = HS.copy()
    tiny.loc[tiny.index[:295], "school"] = "big"
    with pytest.raises(CRMInputError, match="complete rows"):
        crm.multigroup_sem(tiny, HS_MODEL, group_col="school")


@pytest.mark.parametrize("bad", [5, True, {"loadings": 1}])
def test_group_equal_that_is_not_a_list_is_a_clear_error(bad):
    # an int or bool raised "TypeError: 'int' object is not iterable"
    with pytest.raises(CRMInputError, match="'group_equal' parameter of multigroup_sem must be a list"):
        crm.multigroup_sem(HS, HS_MODEL, group_col="school", group_equal=bad)


def test_group_given_as_a_list_is_a_clear_error():
    # group_col=["school"] raised "TypeError: unhashable type: 'list'"
    with pytest.raises(CRMInputError, match="'group_col' parameter of multigroup_sem must be the name of one column"):
        crm.multigroup_sem(HS, HS_MODEL, group_col=["school"])


def test_old_group_argument_still_works_with_a_future_warning(invariance):
    with pytest.warns(FutureWarning, match="'group' is now called 'group_col'"):
        fit = crm.multigroup_sem(HS, HS_MODEL, group="school", group_equal=["loadings"])
    assert fit.fit_measures["chisq"] == pytest.approx(invariance.fits["metric"].fit_measures["chisq"], abs=1e-9)
    with pytest.warns(FutureWarning, match="sem\\(\\): the argument 'group'"):
        assert isinstance(crm.sem(HS, HS_MODEL, group="school"), crm.MultiGroupSEMResult)
    with pytest.warns(FutureWarning, match="cfa\\(\\): the argument 'group'"):
        crm.cfa(HS, HS_MODEL, group="school")
    with pytest.raises(CRMInputError, match="both"):
        crm.multigroup_sem(HS, HS_MODEL, group="school", group_col="school")
