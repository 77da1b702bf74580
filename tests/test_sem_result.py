"""SEMResult: warnings, summary, plot, hypotheses table and the bootstrap."""

import dataclasses
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research import CRMConvergenceWarning, CRMInputError
from crm_research.core.resampling import bc_interval, percentile_interval

matplotlib.use("Agg")

REF = Path(__file__).parent / "reference" / "sem"
HS = pd.read_csv(REF / "holzinger1939.csv")
PD = pd.read_csv(REF / "political_democracy.csv")
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD_MODEL = (Path(__file__).parent / "reference" / "sem_lavaan.R").read_text().split('pd_model <- "')[1].split('"')[0]


@pytest.fixture(scope="module")
def pd_fit():
    return crm.sem(PD, PD_MODEL)


def test_summary_text_and_html(pd_fit):
    text = str(pd_fit.summary())
    for part in ["chisq", "cfi", "srmr", "dem60 ~ ind60", "ind := p1*p3", "R-squared", "Hu & Bentler"]:
        assert part in text
    html = pd_fit._repr_html_()
    assert "<table" in html and "rmsea" in html
    frame = pd_fit.to_frame()
    assert list(frame.columns) == ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                                   "std_all"]
    frame.loc[0, "est"] = 99.0  # a copy: the result is unchanged
    assert pd_fit.estimates.loc[0, "est"] == 1.0


def test_heywood_case_and_standardized_loading_above_one_are_warned():
    # with the factor variance fixed at 1, a loading of 2 forces x2's residual variance below zero
    fit = crm.cfa(HS, "f =~ 1*x1 + 2*x2 + x3\nf ~~ 1*f")
    text = str(fit.summary())
    assert any("Heywood case" in w and "'x2'" in w for w in fit.warnings)
    assert any("above 1" in w for w in fit.warnings)
    assert "Heywood" in text


def test_saturated_model_is_warned():
    fit = crm.cfa(HS, "f =~ x1 + x2 + x3")
    assert fit.fit_measures["df"] == 0
    assert any("saturated" in w for w in fit.warnings)


def test_non_convergence_is_flagged_never_silent(monkeypatch):
    from crm_research.sem import api

    real = api.fit_ml

    def stalled(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), converged=False, message="stopped for the test")

    monkeypatch.setattr(api, "fit_ml", stalled)
    with pytest.warns(CRMConvergenceWarning, match="did not converge"):
        fit = crm.cfa(HS, HS_MODEL)
    assert fit.converged is False
    assert "NOT CONVERGED" in str(fit.summary())


def test_plot_returns_axes_with_every_variable(pd_fit):
    import matplotlib.pyplot as plt

    ax = pd_fit.plot()
    texts = {t.get_text() for t in ax.texts}
    assert {"ind60", "dem60", "dem65", "x1", "y8"} <= texts
    # the standardized regression dem65 ~ dem60 (lavaan std.all 0.884, p < .001) is labelled with stars
    assert "0.88***" in texts
    plt.close("all")


def test_hypotheses_table(pd_fit):
    table = crm.hypotheses(pd_fit, {"H1": "dem60 ~ ind60", "H2": "dem65 ~ ind60", "H3": "ind"})
    assert list(table["hypothesis"]) == ["H1", "H2", "H3"]
    h1 = table.iloc[0]
    # lavaan: dem60 ~ ind60 est 1.471, std.all 0.447 (tests/reference/sem/pd_sem_estimates.csv)
    ref = pd.read_csv(REF / "pd_sem_estimates.csv").query("lhs == 'dem60' and op == '~'").iloc[0]
    assert h1["est"] == pytest.approx(ref["est"], abs=5e-4)
    assert h1["beta"] == pytest.approx(ref["std.all"], abs=5e-4)
    assert h1["supported"]
    # H2 (p = 0.0078 in lavaan) is supported at 95% but not at 99.9%
    assert table.iloc[1]["supported"]
    strict = crm.hypotheses(pd_fit, {"H2": "dem65 ~ ind60"}, ci=0.999)
    assert not strict.iloc[0]["supported"]
    assert table.iloc[2]["path"] == "ind := p1*p3"
    with pytest.raises(CRMInputError, match="not in the model"):
        crm.hypotheses(pd_fit, {"H9": "dem60 ~ dem65"})
    with pytest.raises(CRMInputError, match="Did you mean 'ind'"):
        crm.hypotheses(pd_fit, {"H9": "indd"})
    with pytest.raises(CRMInputError, match="bootstrapped"):
        crm.hypotheses(pd_fit, {"H1": "ind"}, interval="bc")


def test_interval_helpers_by_hand():
    boot = np.arange(1.0, 101.0)[:, None]
    lo, hi = percentile_interval(boot, 0.90)
    # numpy's linear quantile: 1 + 0.05 * 99 = 5.95 and 1 + 0.95 * 99 = 95.05
    assert lo[0] == pytest.approx(5.95) and hi[0] == pytest.approx(95.05)
    # an estimate at the median: z0 = 0, so BC equals the percentile interval
    blo, bhi = bc_interval(boot, np.array([50.5]), 0.90)
    assert blo[0] == pytest.approx(5.95) and bhi[0] == pytest.approx(95.05)
    # 30 of 100 resamples below the estimate: z0 = Phi^-1(0.3) = -0.5244,
    # bounds at the quantiles Phi(2 z0 -+ 1.6449) = 0.003534 and 0.724430 -> 1.350 and 72.719
    blo, bhi = bc_interval(boot, np.array([30.5]), 0.90)
    assert blo[0] == pytest.approx(1 + 99 * 0.0035337, abs=1e-3)
    assert bhi[0] == pytest.approx(1 + 99 * 0.7244300, abs=1e-3)


@pytest.fixture(scope="module")
def boot_fit():
    return crm.sem(PD, PD_MODEL, bootstrap=300, seed=7, n_jobs=1, progress=False)


def test_bootstrap_is_seeded_and_independent_of_processes(boot_fit, monkeypatch):
    from crm_research.sem import bootstrap

    monkeypatch.setattr(bootstrap, "PARALLEL_MIN_SECONDS", 0.0)  # force the process pool for 300 resamples
    again = crm.sem(PD, PD_MODEL, bootstrap=300, seed=7, n_jobs=2, progress=False)
    cols = ["boot_se", "perc_lower", "perc_upper", "bc_lower", "bc_upper"]
    pd.testing.assert_frame_equal(boot_fit.estimates[cols], again.estimates[cols])
    other = crm.sem(PD, PD_MODEL, bootstrap=300, seed=8, n_jobs=1, progress=False)
    assert not np.allclose(other.estimates["perc_lower"], boot_fit.estimates["perc_lower"], equal_nan=True)
    assert boot_fit.boot_failed == 0 and boot_fit.boot_n == 300


def test_bootstrap_agrees_with_lavaans_within_monte_carlo_error(boot_fit):
    # lavaan: sem(pd_model, se = "bootstrap", bootstrap = 2000) -> tests/reference/sem/pd_boot2000.csv.
    # Different random draws, so equality holds only up to Monte-Carlo error (300 resamples here).
    ref = pd.read_csv(REF / "pd_boot2000.csv")
    ours = boot_fit.estimates
    for name in ["ind", "total"]:
        r = ref.query("lhs == @name").iloc[0]
        o = ours.query("lhs == @name").iloc[0]
        assert o["boot_se"] == pytest.approx(r["boot_se"], rel=0.15)
        for col in ["perc_lower", "perc_upper", "bc_lower", "bc_upper"]:
            assert o[col] == pytest.approx(r[col], abs=0.6 * r["boot_se"]), (name, col)
    # a defined parameter's bootstrap interval contains its estimate, and a fixed loading has no spread
    ind = ours.query("lhs == 'ind'").iloc[0]
    assert ind["perc_lower"] < ind["est"] < ind["perc_upper"]
    marker = ours.query("lhs == 'ind60' and rhs == 'x1'").iloc[0]
    assert marker["boot_se"] == 0 and marker["bc_lower"] == marker["bc_upper"] == 1.0


def test_hypotheses_use_bootstrap_interval(boot_fit):
    table = crm.hypotheses(boot_fit, {"H3": "ind"})
    row = table.iloc[0]
    # percentile by default: BC's Type I error is inflated (Fritz, Taylor & MacKinnon, 2012)
    assert row["interval"] == "bootstrap percentile"
    ind = boot_fit.estimates.query("lhs == 'ind'").iloc[0]
    assert (row["ci_low"], row["ci_high"]) == (ind["perc_lower"], ind["perc_upper"])
    bc = crm.hypotheses(boot_fit, {"H3": "ind"}, interval="bc").iloc[0]
    assert bc["interval"] == "bootstrap BC" and (bc["ci_low"], bc["ci_high"]) == (ind["bc_lower"], ind["bc_upper"])
    assert row["supported"]


def test_bootstrap_argument_checks():
    with pytest.raises(CRMInputError, match="at least 10"):
        crm.sem(PD, PD_MODEL, bootstrap=5)
    cov = PD.cov()
    with pytest.raises(CRMInputError, match="raw data"):
        crm.sem(model=PD_MODEL, sample_cov=cov, sample_nobs=75, bootstrap=100)


def test_factor_correlation_above_one_is_warned():
    # two "constructs" that are one factor in truth: with 60 respondents the estimated correlation
    # exceeds 1 (1.07), so the latent covariance matrix is not positive definite
    rng = np.random.default_rng(0)
    f = rng.normal(size=60)
    data = pd.DataFrame({f"a{i}": f + rng.normal(scale=0.9, size=60) for i in range(1, 4)}
                        | {f"b{i}": f + rng.normal(scale=0.9, size=60) for i in range(1, 4)})
    fit = crm.cfa(data, "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3")
    corr = fit.estimates.query("lhs == 'A' and op == '~~' and rhs == 'B'")["std_all"].iloc[0]
    assert corr > 1
    assert any("not positive definite" in w for w in fit.warnings)


@pytest.mark.parametrize("sd", [["1", "x", "2"], {"a": 1, "b": "x", "c": 2}, "abc"])
def test_sample_sd_that_is_not_numbers_is_a_clear_error(sd):
    # a text standard deviation raised numpy's bare "could not convert string to float"
    R = pd.DataFrame(np.eye(3) * 0.5 + 0.5, index=list("abc"), columns=list("abc"))
    with pytest.raises(CRMInputError, match="'sample_sd' parameter of sem must be 3 positive standard deviations"):
        crm.sem(model="f =~ a + b + c", sample_cor=R, sample_sd=sd, sample_nobs=100)


def test_bad_n_jobs_and_progress_are_clear_errors():
    hs = pd.read_csv(Path(__file__).parent / "reference" / "sem" / "holzinger1939.csv")
    model = "visual =~ x1 + x2 + x3"
    # n_jobs='two' raised int()'s bare ValueError after the fit, inside the bootstrap
    with pytest.raises(CRMInputError, match="'n_jobs' parameter of cfa"):
        crm.cfa(hs, model, bootstrap=10, seed=1, n_jobs="two")
    with pytest.raises(CRMInputError, match="'progress' parameter of sem"):
        crm.sem(hs, model, bootstrap=10, seed=1, progress="no")
    fit = crm.cfa(hs, model, bootstrap=10, seed=1, n_jobs=None, progress=False)  # None: the default
    assert fit.boot_n == 10


def test_matrix_with_a_repeated_variable_name_is_an_error():
    S = pd.DataFrame([[1.0, 0.5, 0.4, 0.3], [0.5, 1.0, 0.4, 0.3], [0.4, 0.4, 1.0, 0.3], [0.3, 0.3, 0.3, 1.0]],
                     index=["a", "b", "c", "a"], columns=["a", "b", "c", "a"])
    with pytest.raises(CRMInputError, match="'sample_cov' parameter of sem names variable\\(s\\) 'a' more than once"):
        crm.sem(model="f =~ a + b + c", sample_cov=S, sample_nobs=100)
