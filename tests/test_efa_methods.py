"""EFA extraction methods, polychoric EFA and omega against psych (tests/reference/efa_methods.R).

psych 2.2.9 / GPArotation 2022.10.2: fa(fm = "pa" | "ml" | "minres") with
rotate = none/varimax/promax/oblimin/quartimin, principal(), polychoric(),
fa(cor = "poly"), fa.parallel(cor = "poly") and omega().  Loadings are compared
column by column in psych's own order and signs (no alignment).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.psychometrics.efa import _polychoric_matrix

REF = Path(__file__).parent / "reference" / "efa_methods"
BFI_ITEMS = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]
ECRM_ITEMS = ([f"OPR{i}" for i in range(1, 5)] + [f"ANL{i}" for i in range(1, 5)] + [f"EMP{i}" for i in range(1, 4)]
              + [f"SAT{i}" for i in range(1, 5)] + [f"LOY{i}" for i in range(1, 5)] + [f"DEL{i}" for i in range(1, 4)])
N_FACTORS = {"bfi": 5, "ecrm": 6}
TOL = 1e-3

CASES = [(m, rot) for m in ("pa", "ml") for rot in ("none", "varimax", "promax", "oblimin", "quartimin")]
CASES += [("minres", "quartimin")] + [("pc", rot) for rot in ("none", "varimax", "promax", "oblimin")]


def ref(name):
    return pd.read_csv(REF / name)


def items_of(name, bfi, ecrm):
    return (bfi[BFI_ITEMS], ) if name == "bfi" else (ecrm[ECRM_ITEMS], )


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
@pytest.mark.parametrize("method, rotation", CASES)
def test_methods_equal_psych(name, method, rotation, bfi, ecrm):
    (x,) = items_of(name, bfi, ecrm)
    nf = N_FACTORS[name]
    r = crm.efa(x, nf, method=method, rotation=rotation, n_iter=1, seed=1)
    stem = f"{name}_{method}_{rotation}"
    L = ref(f"{stem}_loadings.csv")
    np.testing.assert_allclose(r.loadings.to_numpy(), L[[f"F{i + 1}" for i in range(nf)]].to_numpy(), atol=TOL)
    np.testing.assert_allclose(r.communalities.to_numpy(), L["communality"], atol=TOL)
    np.testing.assert_allclose(r.uniquenesses.to_numpy(), L["uniqueness"], atol=TOL)
    V = ref(f"{stem}_variance.csv")
    np.testing.assert_allclose(r.variance.to_numpy(), V.iloc[:, 1:].to_numpy(), atol=TOL)
    if (REF / f"{stem}_phi.csv").exists():
        np.testing.assert_allclose(r.factor_correlations.to_numpy(), ref(f"{stem}_phi.csv").to_numpy(), atol=TOL)
    else:
        np.testing.assert_allclose(r.factor_correlations.to_numpy(), np.eye(nf), atol=1e-12)
    prefix = {"pa": "PA", "ml": "ML", "minres": "MR"}.get(method)
    if method == "pc":
        prefix = "PC" if rotation == "none" else ("TC" if rotation == "oblimin" else "RC")
    assert list(r.loadings.columns) == [f"{prefix}{i + 1}" for i in range(nf)]


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
@pytest.mark.parametrize("method", ["pa", "pc"])
def test_spss_tables(name, method, bfi, ecrm):
    (x,) = items_of(name, bfi, ecrm)
    nf = N_FACTORS[name]
    r = crm.efa(x, nf, method=method, rotation="varimax", n_iter=1, seed=1)
    c = r.communalities_spss
    initial = np.ones(len(c)) if method == "pc" else ref(f"{name}_smc.csv")["smc"].to_numpy()
    np.testing.assert_allclose(c["initial"], initial, atol=TOL)
    np.testing.assert_allclose(c["extraction"], r.communalities, atol=1e-12)
    v = r.variance_spss
    p = len(c)
    np.testing.assert_allclose(v["initial_total"].sum(), p, atol=1e-9)
    assert v["initial_cum_pct"].iloc[-1] == pytest.approx(100)
    # extraction sums = unrotated SS loadings (psych's rotate = "none" row), rotation sums = varimax's
    none = ref(f"{name}_{method}_none_variance.csv").set_index("row")
    np.testing.assert_allclose(v["extraction_total"].iloc[:nf], none.loc["SS loadings"], atol=TOL)
    np.testing.assert_allclose(v["rotation_total"].iloc[:nf], r.variance.loc["ss_loadings"], atol=1e-12)
    # an orthogonal rotation redistributes but keeps the total explained variance
    assert v["rotation_cum_pct"].iloc[nf - 1] == pytest.approx(v["extraction_cum_pct"].iloc[nf - 1])
    assert v["extraction_total"].iloc[nf:].isna().all()
    if method == "pc":  # principal()$values: the eigenvalues of R
        np.testing.assert_allclose(r.fa_values, v["initial_total"], atol=1e-12)


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
def test_polychoric_efa_equals_psych(name, bfi, ecrm):
    (x,) = items_of(name, bfi, ecrm)
    x = x.dropna()
    rho = ref(f"{name}_poly_rho.csv").set_index("item")
    np.testing.assert_allclose(_polychoric_matrix(x, "test"), rho.to_numpy(), atol=TOL)
    nf = N_FACTORS[name]
    r = crm.efa(x, nf, cor="poly", n_iter=2, seed=1)
    assert r.correlation == "poly"
    L = ref(f"{name}_poly_minres_oblimin_loadings.csv")
    np.testing.assert_allclose(r.loadings.to_numpy(), L[[f"F{i + 1}" for i in range(nf)]].to_numpy(), atol=TOL)
    np.testing.assert_allclose(r.communalities.to_numpy(), L["communality"], atol=TOL)
    np.testing.assert_allclose(r.factor_correlations.to_numpy(), ref(f"{name}_poly_minres_oblimin_phi.csv"),
                               atol=TOL)


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
def test_polychoric_parallel_analysis(name, bfi, ecrm):
    (x,) = items_of(name, bfi, ecrm)
    pa = crm.parallel_analysis(x.dropna(), cor="poly", n_iter=3, seed=1403)
    P = ref(f"{name}_poly_parallel.csv")
    np.testing.assert_allclose(pa.table["fa_observed"], P["fa_values"], atol=TOL)
    np.testing.assert_allclose(pa.table["pc_observed"], P["pc_values"], atol=TOL)
    n = ref(f"{name}_poly_parallel_n.csv")
    # psych's suggestion, from the simulated normal data's quantiles (the observed values lie far from them)
    assert (pa.n_factors, pa.n_components) == (int(n["nfact"][0]), int(n["ncomp"][0]))
    # the resampled eigenvalues are polychoric too: they sit near psych's (random, 5 data sets there)
    np.testing.assert_allclose(pa.table["pc_resampled"].iloc[:3], P["pc_simr"].iloc[:3], atol=0.05)


@pytest.mark.parametrize("name, nf", [("bfi", 5), ("ecrm", 3)])
def test_omega_equals_psych(name, nf, bfi, ecrm):
    (x,) = items_of(name, bfi, ecrm)
    om = crm.omega(x, nf)
    o = ref(f"{name}_omega.csv").iloc[0]
    assert om.omega_h == pytest.approx(o["omega_h"], abs=TOL)
    assert om.omega_total == pytest.approx(o["omega_tot"], abs=TOL)
    assert om.alpha == pytest.approx(o["alpha"], abs=TOL)
    assert om.omega_limit == pytest.approx(o["omega_lim"], abs=TOL)
    sl = ref(f"{name}_omega_sl.csv")
    np.testing.assert_allclose(om.loadings["g"], sl["g"], atol=TOL)
    np.testing.assert_allclose(om.loadings[[f"F{k + 1}*" for k in range(nf)]].to_numpy(),
                               sl[[f"F{k + 1}." for k in range(nf)]].to_numpy(), atol=TOL)
    np.testing.assert_allclose(om.loadings[["h2", "u2"]].to_numpy(), sl[["h2", "u2"]].to_numpy(), atol=TOL)
    np.testing.assert_array_equal(om.keys.to_numpy(), sl["key"].to_numpy())
    g = ref(f"{name}_omega_group.csv").set_index("factor")
    np.testing.assert_allclose(om.groups.to_numpy(), g.to_numpy(), atol=TOL)
    assert "omega_h" in str(om.summary())


def test_omega_flips_negative_items(bfi):
    # unrecoded E1/E2 load negatively on g: omega reverses them (psych's flip) and omega is unchanged
    raw = crm.load_dataset("bfi")[BFI_ITEMS]
    om = crm.omega(raw, 5)
    assert om.keys[["A1", "C4", "C5", "E1", "E2"]].lt(0).all()
    assert om.omega_h == pytest.approx(ref("bfi_omega.csv")["omega_h"][0], abs=TOL)


def test_poly_bad_input(ecrm):
    x = ecrm[ECRM_ITEMS].dropna().astype(float)
    x.iloc[0, 2] = 3.5
    with pytest.raises(crm.CRMInputError, match=r"cor='poly'.*whole numbers.*OPR3"):
        crm.efa(x, 3, cor="poly", n_iter=1)
    with pytest.raises(crm.CRMInputError, match=r"OPR3"):
        crm.omega(x, 3, cor="poly")
    with pytest.raises(crm.CRMInputError, match=r"'cor'"):
        crm.efa(x, 3, cor="spearman", n_iter=1)
    with pytest.raises(crm.CRMInputError, match=r"'n_factors'"):
        crm.omega(x, 1)
