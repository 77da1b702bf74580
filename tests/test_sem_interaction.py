"""Latent interactions against lavaan + semTools (tests/reference/sem_interaction.R).

semTools 0.5-6 indProd (double-mean-centring, residual centring), lavaan 0.6-14 fits and
probe2WayMC / probe2WayRC simple slopes at -1, 0, +1 latent SD of the moderator.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

REF = Path(__file__).parent / "reference" / "sem_interaction"
HS = pd.read_csv(Path(__file__).parent / "reference" / "datasets" / "lavaan_HolzingerSwineford1939.csv")
ECRM_MODEL = ("OPR =~ OPR1 + OPR2 + OPR3 + OPR4\nANL =~ ANL1 + ANL2 + ANL3 + ANL4\n"
              "SAT =~ SAT1 + SAT2 + SAT3 + SAT4\nSAT ~ OPR + ANL + OPR:ANL")
HS_MODEL = ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
            "speed ~ visual + textual + visual:textual")
METHODS = {"mc": "double_mean", "rc": "residual"}


def ecrm():
    return crm.load_dataset("ecrm_survey").assign(SAT3=lambda d: 6 - d["SAT3r"])


def case(name):
    return (ecrm(), ECRM_MODEL) if name == "ecrm" else (HS, HS_MODEL)


@pytest.fixture(scope="module")
def fits():
    return {(name, key): crm.interaction_sem(*case(name), method=method)
            for name in ("ecrm", "hs") for key, method in METHODS.items()}


@pytest.mark.parametrize("name", ["ecrm", "hs"])
@pytest.mark.parametrize("key", ["mc", "rc"])
def test_interaction_fit_equals_lavaan(fits, name, key):
    res = fits[(name, key)]
    ref = pd.read_csv(REF / f"{name}_{key}_est.csv")
    est = res.fit.estimates
    both = pd.concat([est, est.rename(columns={"lhs": "rhs", "rhs": "lhs"})[est["op"] == "~~"]])
    merged = ref.merge(both, on=["lhs", "op", "rhs"], how="left", suffixes=("_r", ""))
    assert merged["est"].notna().all()
    np.testing.assert_allclose(merged["est"], merged["est_r"], atol=1e-3)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=1e-3)
    np.testing.assert_allclose(merged["std_all"], merged["std.all"], atol=1e-3)
    fm = pd.read_csv(REF / f"{name}_{key}_fit.csv").set_index("measure")["value"]
    # lavaan's fit had a (saturated) mean structure: same chisq, df, CFI, RMSEA; its SRMR also averages
    # the zero mean residuals, so it is not compared
    for k in ["chisq", "df", "cfi", "rmsea"]:
        assert res.fit.fit_measures[k] == pytest.approx(fm[k], abs=1e-3), k


@pytest.mark.parametrize("name", ["ecrm", "hs"])
@pytest.mark.parametrize("key", ["mc", "rc"])
def test_simple_slopes_equal_probe2way(fits, name, key):
    res = fits[(name, key)]
    ref = pd.read_csv(REF / f"{name}_{key}_slopes.csv")
    ours = res.probe()  # default: -1, 0, +1 latent SD of the moderator, as stored
    np.testing.assert_allclose(ours["moderator"], ref["moderator"], atol=1e-3)
    np.testing.assert_allclose(ours[["est", "se", "z", "pvalue"]].to_numpy(),
                               ref[["est", "se", "z", "pvalue"]].to_numpy(), atol=1e-3)
    assert (ours["ci_low"] < ours["est"]).all() and (ours["est"] < ours["ci_high"]).all()


@pytest.mark.parametrize("key", ["mc", "rc"])
def test_product_indicators_equal_indprod(key):
    data, _ = case("ecrm")
    items = ["OPR1", "OPR2", "OPR3", "OPR4", "ANL1", "ANL2", "ANL3", "ANL4", "SAT1", "SAT2", "SAT3", "SAT4"]
    complete = data.dropna(subset=items).reset_index(drop=True)
    out = crm.product_indicators(complete, items[:4], items[4:8], method=METHODS[key])
    ref = pd.read_csv(REF / f"ecrm_{key}_products.csv")
    np.testing.assert_allclose(out[list(ref.columns)].to_numpy(), ref.to_numpy(), atol=1e-9)
    assert list(complete.columns) == list(out.columns[: complete.shape[1]])  # the caller's frame is untouched
    assert "OPR1.ANL1" not in complete.columns


def test_johnson_neyman_bounds_are_where_z_crosses_the_critical_value(fits):
    res = fits[("hs", "mc")]
    jn = res.johnson_neyman(level=0.05)
    for bound in (jn["lower"], jn["upper"]):
        assert abs(res.probe([bound])["z"].iloc[0]) == pytest.approx(1.959964, abs=1e-6)
    inside = (jn["lower"] + jn["upper"]) / 2
    significant_inside = res.probe([inside])["pvalue"].iloc[0] < 0.05
    assert significant_inside == (not jn["significant_outside"])


def test_expanded_syntax_and_plot(fits):
    res = fits[("hs", "rc")]
    assert "visual_x_textual =~ x1.x4 + x2.x5 + x3.x6" in res.model
    assert "visual_x_textual ~~ 0*visual + 0*textual" in res.model
    assert "Simple slopes" in str(res.summary())
    ax = res.plot()
    assert ax.get_ylabel() == "effect of visual on speed"
    import matplotlib.pyplot as plt

    plt.close("all")


def test_all_pairs_when_counts_differ():
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5\nspeed =~ x7 + x8 + x9\nspeed ~ visual + textual + visual:textual"
    res = crm.interaction_sem(HS, model)
    assert len(res.products["visual_x_textual"]) == 6
    assert "x1.x4 ~~ x1.x5" in res.model
    assert any("all pairs" in w for w in res.warnings)


def test_interaction_bad_input():
    data = ecrm()
    rescaled = data.assign(ANL1=data["ANL1"] + 2)  # a 3-7 item among 1-5 items
    with pytest.raises(crm.CRMInputError, match=r"'OPR' run 1-5 but those of 'ANL' run 1-7"):
        crm.interaction_sem(rescaled, ECRM_MODEL)
    with pytest.raises(crm.CRMInputError, match=r"no interaction term"):
        crm.interaction_sem(data, ECRM_MODEL.replace(" + OPR:ANL", ""))
    with pytest.raises(crm.CRMInputError, match=r"'LOY1'.*not a latent variable|not a latent variable"):
        crm.interaction_sem(data, ECRM_MODEL.replace("OPR:ANL", "OPR:LOY1"))
    with pytest.raises(crm.CRMInputError, match=r"'method'"):
        crm.interaction_sem(data, ECRM_MODEL, method="lms")
    with pytest.raises(crm.CRMInputError, match=r"matched pairs need"):
        crm.product_indicators(HS, ["x1", "x2"], ["x4"])
