"""EFA, KMO, Bartlett and parallel analysis against psych (tests/reference/psychometrics.R).

psych 2.2.9: fa(fm = "minres", rotate = ...) with GPArotation's oblimin,
stats::varimax and psych's promax; KMO; cortest.bartlett; fa.parallel.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

import crm_research as crm
from crm_research.psychometrics.efa import _fa_values, _minres, _one_factor_values_batch

REF = Path(__file__).parent / "reference" / "psychometrics"
BFI_ITEMS = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]
ECRM_ITEMS = ([f"OPR{i}" for i in range(1, 5)] + [f"ANL{i}" for i in range(1, 5)] + [f"EMP{i}" for i in range(1, 4)]
              + [f"SAT{i}" for i in range(1, 5)] + [f"LOY{i}" for i in range(1, 5)] + [f"DEL{i}" for i in range(1, 4)])
N_FACTORS = {"bfi": 5, "ecrm": 6}


def ref(name, index_col=None):
    return pd.read_csv(REF / name, index_col=index_col)


def dataset(name, bfi, ecrm):
    return (bfi, BFI_ITEMS) if name == "bfi" else (ecrm, ECRM_ITEMS)


def align(ours: np.ndarray, theirs: np.ndarray):
    """Column permutation and signs that bring our loadings onto psych's."""
    _, cols = linear_sum_assignment(-np.abs(theirs.T @ ours))
    signs = np.sign(np.sum(ours[:, cols] * theirs, axis=0))
    return cols, signs


@pytest.fixture(scope="module")
def fits(bfi, ecrm):
    out = {}
    for name in ["bfi", "ecrm"]:
        data, items = dataset(name, bfi, ecrm)
        for rotation in ["oblimin", "varimax", "promax", "none"]:
            out[name, rotation] = crm.efa(data, n_factors=N_FACTORS[name], rotation=rotation, items=items, seed=1)
    return out


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
@pytest.mark.parametrize("rotation", ["oblimin", "varimax", "promax", "none"])
def test_loadings_match_psych_fa(name, rotation, fits):
    result = fits[name, rotation]
    expected = ref(f"{name}_fa_{rotation}_loadings.csv", "item")
    factors = [c for c in expected.columns if c.startswith("MR")]
    theirs = expected[factors].to_numpy()
    ours = result.loadings.to_numpy()
    cols, signs = align(ours, theirs)
    # measured: largest difference 1.8e-5 (bfi, oblimin); the contract is 1e-3
    np.testing.assert_allclose(ours[:, cols] * signs, theirs, atol=1e-4)
    # psych's own column order and signs are reproduced too
    np.testing.assert_allclose(ours, theirs, atol=1e-4)
    np.testing.assert_allclose(result.communalities.to_numpy(), expected["communality"].to_numpy(), atol=1e-5)
    np.testing.assert_allclose(result.uniquenesses.to_numpy(), expected["uniqueness"].to_numpy(), atol=1e-5)
    variance = ref(f"{name}_fa_{rotation}_variance.csv", "row")
    np.testing.assert_allclose(result.variance.to_numpy(), variance.to_numpy(), atol=1e-4)
    if rotation in ("oblimin", "promax"):
        phi = ref(f"{name}_fa_{rotation}_phi.csv", "factor").to_numpy()
        np.testing.assert_allclose(result.factor_correlations.to_numpy(), phi, atol=1e-4)
    else:
        np.testing.assert_allclose(result.factor_correlations.to_numpy(), np.eye(N_FACTORS[name]))


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
def test_kmo_bartlett_match_psych(name, fits, bfi, ecrm):
    result = fits[name, "oblimin"]
    expected = ref(f"{name}_kmo.csv", "item")  # psych::KMO: MSA then MSAi
    np.testing.assert_allclose(result.kmo["msa"].to_numpy(), expected["msa"].to_numpy(), atol=1e-12)
    assert list(result.kmo.index) == ["overall", *dataset(name, bfi, ecrm)[1]]
    b = ref(f"{name}_bartlett.csv").iloc[0]  # psych::cortest.bartlett(cor(x), n)
    assert result.bartlett["chi2"] == pytest.approx(b["chisq"], rel=1e-9)
    assert result.bartlett["df"] == b["df"]
    assert result.bartlett["p"] == pytest.approx(b["p_value"], rel=1e-6, abs=1e-300)
    data, items = dataset(name, bfi, ecrm)
    pd.testing.assert_frame_equal(crm.kmo(data, items), result.kmo)
    pd.testing.assert_series_equal(crm.bartlett_sphericity(data, items), result.bartlett)


def test_kmo_verdicts():
    table = crm.efa(crm.load_dataset("bfi"), n_factors=5, items=BFI_ITEMS, seed=1).kmo
    assert table.loc["overall", "verdict"] == "meritorious"  # 0.85 (Kaiser 1974's label)


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
def test_parallel_analysis_matches_fa_parallel(name, fits):
    pa = fits[name, "oblimin"].parallel_analysis
    expected = ref(f"{name}_parallel.csv")
    # observed eigenvalues are deterministic: exact
    np.testing.assert_allclose(pa.table["pc_observed"].to_numpy(), expected["pc_values"].to_numpy(), atol=1e-10)
    np.testing.assert_allclose(pa.table["fa_observed"].to_numpy(), expected["fa_values"].to_numpy(), atol=1e-5)
    suggested = ref(f"{name}_parallel_n.csv").iloc[0]
    assert (pa.n_factors, pa.n_components) == (suggested["nfact"], suggested["ncomp"])
    # simulated / resampled eigenvalues are random: compare the means of 20 draws in distribution.
    # The first factor eigenvalue of random data has a long right tail (see
    # test_simulated_fa_values_equal_psych_matrix_by_matrix), so its mean gets a wider margin.
    # Sample eigenvalues of random data vary by O(1/sqrt(n)), so the margin scales with n
    # (0.03 for bfi's 2,436 rows, 0.09 for ecrm's 282); measured differences are at most
    # 0.010 (bfi) and 0.025 (ecrm).
    n = ref(f"{name}_n.csv").iloc[0]["n_complete"]
    margin = 1.5 / np.sqrt(n)
    for ours, theirs in [("pc_simulated", "pc_sim"), ("fa_simulated", "fa_sim"), ("fa_resampled", "fa_simr"),
                         ("pc_resampled", "pc_simr")]:
        np.testing.assert_allclose(pa.table[ours].to_numpy()[1:10], expected[theirs].to_numpy()[1:10], atol=margin,
                                   err_msg=ours)
        assert pa.table[ours].iloc[0] == pytest.approx(expected[theirs].iloc[0], abs=3 * margin)


@pytest.mark.parametrize("name", ["sim", "sim_tail"])
def test_simulated_fa_values_equal_psych_matrix_by_matrix(name):
    R = pd.read_csv(REF / f"{name.replace('sim', 'sim_cor')}.csv").to_numpy()
    # psych: fa(R, 1, rotate = "none", SMC = FALSE)$values
    expected = ref(f"{name.replace('sim', 'sim_fa')}_values.csv")["values"].to_numpy()
    np.testing.assert_allclose(_one_factor_values_batch(R[None])[0], expected, atol=2e-3)
    L, ok = _minres(R, 1)
    assert ok
    np.testing.assert_allclose(_fa_values(R, L), expected, atol=2e-3)


def test_parallel_analysis_function_and_fast_seeded(bfi):
    a = crm.parallel_analysis(bfi, BFI_ITEMS, n_iter=5, seed=3)
    b = crm.parallel_analysis(bfi, BFI_ITEMS, n_iter=5, seed=3)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.n_factors == 6 and a.n_components == 5
    import matplotlib

    matplotlib.use("Agg")
    assert a.plot().get_lines()


def test_efa_defaults_to_parallel_analysis_and_reports(bfi):
    result = crm.efa(bfi, items=BFI_ITEMS, seed=1)
    assert result.n_factors == result.parallel_analysis.n_factors == 6
    assert result.n_dropped == 2800 - 2436
    text = str(result.summary())
    assert "Pattern matrix" in text and "parallel analysis suggests 6" in text and "dropped" in text
    pattern = result.pattern(cutoff=0.3)
    assert pattern.columns[-1] == "h2" and pattern.iloc[:, :-1].abs().min().min() >= 0.3
    assert set(result.cross_loadings.index) <= set(BFI_ITEMS)
    assert list(result.to_frame().columns[-2:]) == ["communality", "uniqueness"]
    import matplotlib

    matplotlib.use("Agg")
    assert result.plot() is not None and result.plot(kind="scree") is not None


def test_efa_pairwise_option_uses_pairwise_correlations():
    bfi = crm.load_dataset("bfi")
    result = crm.efa(bfi, n_factors=5, items=BFI_ITEMS, missing="pairwise", n_iter=2, seed=1)
    R = bfi[BFI_ITEMS].astype(float).corr().to_numpy()
    np.testing.assert_allclose(result.eigenvalues.to_numpy(), np.linalg.eigvalsh(R)[::-1], atol=1e-12)
    assert result.n_dropped == 0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rotation": "quartimax"}, r"'rotation'.*oblimin"),
        ({"method": "wls"}, r"'method'.*minres"),
        ({"n_factors": 0}, r"'n_factors'"),
        ({"n_factors": 30}, r"'n_factors'"),
        ({"items": ["A1", "A2", "Q7"]}, r"'Q7'"),
        ({"missing": "mean"}, r"'missing'"),
    ],
)
def test_efa_bad_parameters(bfi, kwargs, match):
    kwargs.setdefault("items", BFI_ITEMS)
    with pytest.raises(crm.CRMInputError, match=match):
        crm.efa(bfi, n_iter=2, **kwargs)


def test_efa_bad_data():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(1, 6, size=(50, 4)).astype(float), columns=list("abcd"))
    dup = frame.assign(e=frame["a"])
    with pytest.raises(crm.CRMInputError, match="singular"):
        crm.efa(dup, n_factors=1, n_iter=2)
    text = frame.astype(object)
    text.loc[3, "b"] = "agree"
    with pytest.raises(crm.CRMInputError, match=r"'b'.*'agree'"):
        crm.efa(text, n_factors=1, n_iter=2)
    with pytest.raises(crm.CRMInputError, match=r"'c'.*constant"):
        crm.efa(frame.assign(c=3.0), n_factors=1, n_iter=2)


def test_efa_summary_uses_the_cutoff_it_was_given(bfi):
    # the summary blanked loadings below 0.3 and named 0.3 for cross-loadings whatever 'cutoff' was
    result = crm.efa(bfi, n_factors=5, items=BFI_ITEMS, cutoff=0.2, n_iter=2, seed=1)
    assert len(result.cross_loadings)  # at 0.2 some bfi items load on two factors
    text = str(result.summary())
    assert "|loading| < 0.2 blanked" in text and "|loading| >= 0.2 on 2+ factors" in text
    assert "0.3" not in text.split("Pattern matrix")[1].split("\n")[0]


def test_efa_pairwise_drop_message_does_not_say_listwise(bfi):
    data = bfi[BFI_ITEMS].astype(float).iloc[:400].copy()
    data.iloc[3] = np.nan  # a respondent who answered nothing is dropped even pairwise
    result = crm.efa(data, n_factors=2, missing="pairwise", n_iter=2, seed=1)
    assert result.n_dropped == 1
    assert not any("listwise" in w for w in result.warnings)
    assert any("1 row(s)" in w for w in result.warnings)


def test_pairwise_parallel_analysis_without_complete_rows():
    # every respondent skipped one item: pairwise correlations exist, but the resampling step drew
    # from zero complete rows and numpy raised "LinAlgError: Eigenvalues did not converge"
    rng = np.random.default_rng(0)
    f = rng.standard_normal(60)
    data = pd.DataFrame({c: np.round(3 + f + rng.standard_normal(60)) for c in "abc"})
    data.loc[0:19, "a"] = np.nan
    data.loc[20:39, "b"] = np.nan
    data.loc[40:, "c"] = np.nan
    pa = crm.parallel_analysis(data, missing="pairwise", n_iter=3, seed=1)
    assert pa.table["fa_resampled"].isna().all() and pa.table["pc_simulated"].notna().all()
    assert any("too few to resample" in w for w in pa.warnings)
    assert pa.n_factors == 1
    result = crm.efa(data, 1, missing="pairwise", n_iter=3, seed=1)
    assert result.loadings.notna().all().all()
