"""Pareto/NBD, MBG/NBD, BG/BB and sBG, checked against published values.

Sources of every number: tests/reference/clv/README.md and btyd_published.csv.  A value
passes when it rounds to the published one.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

import crm_research as crm
from crm_research.analytics import btyd
from crm_research.core.errors import CRMInputError

REF = pd.read_csv(Path(__file__).parent / "reference" / "clv" / "btyd_published.csv").set_index("quantity")


def check_published(prefix, params, loglik=None, skip=()):
    for name, value in params.items():
        key = f"{prefix}_{name}"
        if key in REF.index and name not in skip:
            row = REF.loc[key]
            assert abs(value - row["value"]) <= 0.5 * 10.0 ** -int(row["decimals"]) + 1e-12, (key, value)
    if loglik is not None:
        row = REF.loc[f"{prefix}_loglik"]
        assert abs(loglik - row["value"]) <= 0.5 * 10.0 ** -int(row["decimals"]) + 1e-12, (prefix, loglik)


@pytest.fixture(scope="module")
def summary():
    return crm.load_dataset("cdnow_summary")


@pytest.fixture(scope="module")
def pareto(summary):
    return crm.fit_pareto_nbd(summary, time_unit="W")


@pytest.fixture(scope="module")
def mbg(summary):
    return crm.fit_mbgnbd(summary, time_unit="W")


@pytest.fixture(scope="module")
def bgbb():
    return crm.fit_bgbb(crm.load_dataset("donations"), weight_col="customers")


@pytest.fixture(scope="module")
def retention():
    return crm.load_dataset("retention_fh2007")


# --------------------------------------------------------------------------- published values


@pytest.fixture(scope="module")
def exact_summary(summary):
    # The note's data: the CDNOW sample with t_x and T in exact weeks (days / 7), not rounded to 0.01
    tx = crm.load_dataset("cdnow_transactions")
    sample = tx[tx["customer_id"].isin(summary["master_customer_id"])]
    return crm.summarize_transactions(sample, "customer_id", "date", "amount", calibration_end="1997-09-30")


def test_pareto_nbd_equals_fader_hardie_lee_2005c(pareto, exact_summary):
    assert pareto.converged
    # r, alpha, s to the note's 3 decimals on the bundled (rounded-times) summary as well
    check_published("pareto", pareto.params.to_dict(), skip=("beta",))
    assert (REF.index.str.startswith("pareto_") & ~REF.index.str.endswith("loglik")).sum() == 4
    fit = crm.fit_pareto_nbd(exact_summary)
    assert fit.converged
    # on exact times: r, alpha, s to 3 decimals and the log-likelihood to the note's 2 decimals (-9594.98);
    # rounding t_x and T to 0.01 week moves the log-likelihood by +0.002 (to -9594.974)
    check_published("pareto", fit.params.to_dict(), fit.loglik, skip=("beta",))
    assert fit.loglik == pytest.approx(-9594.97618, abs=1e-5)
    assert pareto.loglik == pytest.approx(-9594.97393, abs=1e-5)
    data = fit.summary_data
    x, tx, T = (data[c].to_numpy() for c in ("frequency", "recency", "T"))
    published = tuple(REF.loc[f"pareto_{k}", "value"] for k in ("r", "alpha", "s", "beta"))
    # beta: the note prints 11.665, our maximum is at 11.668.  The likelihood is flat along beta (se 6.2):
    # (1) our maximum is not below the note's log-likelihood, nor below the likelihood at the note's printed
    # (rounded) point, which is within 1e-3 of it;
    assert fit.loglik >= REF.loc["pareto_loglik", "value"] - 1e-3
    at_published = btyd._pareto_loglik(published, x, tx, T).sum()
    assert 0 <= fit.loglik - at_published < 1e-3
    assert abs(fit.params["beta"] - published[3]) < 0.01

    # (2) with beta held at the published 11.665, the best r, alpha, s round to the published values and the
    # log-likelihood is within 1e-6 of the maximum: the published point lies on the ridge of maxima, so the
    # third decimal of beta is not identified by the data (the note's optimiser stopped on the ridge).
    def negll(z):
        return -btyd._pareto_loglik((*np.exp(z), published[3]), x, tx, T).sum()

    from scipy import optimize

    prof = optimize.minimize(negll, np.log(fit.params.to_numpy()[:3]), method="Nelder-Mead",
                             options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    check_published("pareto", dict(zip(("r", "alpha", "s"), np.exp(prof.x))))
    assert 0 <= fit.loglik - (-prof.fun) < 1e-6


def test_pareto_loglik_is_exact_to_40_digits(exact_summary):
    # the log-scale A_0 against mpmath at 40 significant digits, on every distinct customer
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    params = (0.553, 10.578, 0.606, 11.665)
    r, a, s, b = (mp.mpf(v) for v in params)
    rows = np.unique(exact_summary[["frequency", "recency", "T"]].to_numpy(float), axis=0)
    ours = btyd._pareto_loglik(params, rows[:, 0], rows[:, 1], rows[:, 2])
    for (x, tx, T), value in zip(rows[::7], ours[::7]):
        x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)

        def part(t, x=x):
            return mp.hyp2f1(r + s + x, r + x, r + s + x + 1, (b - a) / (b + t)) / (b + t) ** (r + s + x)

        lik = mp.gamma(r + x) * a**r * b**s / mp.gamma(r) * (
            1 / ((a + T) ** (r + x) * (b + T) ** s) + s / (r + s + x) * (part(tx) - part(T)))
        assert value == pytest.approx(float(mp.log(lik)), abs=1e-10)


def test_mbgnbd_equals_btydplus(mbg):
    assert mbg.converged
    check_published("mbgnbd", mbg.params.to_dict())


def test_bgbb_equals_fader_hardie_shang_2010(bgbb):
    assert bgbb.converged and bgbb.n == 11104
    check_published("bgbb", bgbb.params.to_dict(), bgbb.loglik)


@pytest.mark.parametrize("segment", ["high_end", "regular"])
def test_sbg_equals_fader_hardie_2007(retention, segment):
    fit = crm.fit_sbg(retention.loc[retention["year"] <= 7, segment])
    assert fit.converged and fit.n == 1000
    # the paper shows the maximised log-likelihood for the high-end segment only (its Excel worksheet)
    published_ll = f"sbg_{segment}_loglik" in REF.index
    assert published_ll == (segment == "high_end")
    check_published(f"sbg_{segment}", fit.params.to_dict(), fit.loglik if published_ll else None)
    # and the log-likelihood is eq. (B3) of FH 2007 written out with the recursion of their eq. (7)
    alpha, beta = fit.params
    counts = retention.loc[retention["year"] <= 7, segment].to_numpy(float)
    p = [alpha / (alpha + beta)]
    for t in range(2, 8):
        p.append(p[-1] * (beta + t - 2) / (alpha + beta + t - 1))
    direct = (-np.diff(counts) * np.log(p)).sum() + counts[-1] * np.log(1 - sum(p))
    assert fit.loglik == pytest.approx(direct, abs=1e-9)


# --------------------------------------------------------------------------- formulas


def test_pareto_loglik_equals_the_direct_formula(pareto, summary):
    # FHL 2005c eq. 2-3 written out term by term, on both branches of A_0 (alpha < beta at the CDNOW optimum)
    for params in (tuple(pareto.params), (0.55, 14.0, 0.6, 9.0)):
        r, alpha, s, beta = params
        big = max(alpha, beta)
        second = s + 1 if alpha >= beta else None
        for x, tx, T in summary[["frequency", "recency", "T"]].to_numpy()[:6]:
            b2 = second if second is not None else r + x
            a0 = (special.hyp2f1(r + s + x, b2, r + s + x + 1, abs(alpha - beta) / (big + tx)) / (big + tx) ** (r + s + x)
                  - special.hyp2f1(r + s + x, b2, r + s + x + 1, abs(alpha - beta) / (big + T)) / (big + T) ** (r + s + x))
            lik = special.gamma(r + x) * alpha**r * beta**s / special.gamma(r) * (
                1 / ((alpha + T) ** (r + x) * (beta + T) ** s) + s / (r + s + x) * a0)
            ours = btyd._pareto_loglik(params, np.array([x]), np.array([tx]), np.array([T]))[0]
            assert ours == pytest.approx(np.log(lik), rel=1e-9)
        p_alive = 1 / (1 + s / (r + s + x) * (alpha + T) ** (r + x) * (beta + T) ** s * a0)
        if params == tuple(pareto.params):
            assert pareto.p_alive(x, tx, T) == pytest.approx(p_alive, rel=1e-8)


def test_expected_purchases_agree_with_simulation(pareto, mbg):
    # E[X(t)] of a new customer against a large simulation of each model's story
    rng = np.random.default_rng(7)
    n, t = 400_000, 52.0
    r, alpha, s, beta = pareto.params
    lam, mu = rng.gamma(r, 1 / alpha, n), rng.gamma(s, 1 / beta, n)
    life = rng.exponential(1 / mu)
    sim = rng.poisson(lam * np.minimum(life, t)).mean()
    assert pareto.expected_purchases(t) == pytest.approx(sim, rel=0.02)
    r, alpha, a, b = mbg.params
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    alive_at_0 = rng.random(n) > p
    purchases_before_death = rng.geometric(p)  # the purchase after which the customer drops out
    sim = np.where(alive_at_0, np.minimum(rng.poisson(lam * t), purchases_before_death), 0).mean()
    assert mbg.expected_purchases(t) == pytest.approx(sim, rel=0.02)


def test_mbgnbd_probabilities_sum_to_one_and_match_the_mean(mbg):
    probs = mbg.probability_of_purchases([10.0, 39.0], 60)
    assert np.allclose(probs.sum(axis=1), 1.0)
    mean = (probs.iloc[:, :-1].to_numpy() * np.arange(60)).sum(axis=1)
    assert np.allclose(mean, mbg.expected_purchases(np.array([10.0, 39.0])), rtol=1e-4)


def test_mbgnbd_one_time_buyers_are_not_surely_alive(mbg, summary):
    bg = crm.fit_bgnbd(summary, time_unit="W")
    assert bg.p_alive(0, 0, 38.86) == 1.0
    assert 0 < mbg.p_alive(0, 0, 38.86) < mbg.p_alive(0, 0, 1.0) < 1.0


def test_conditional_expectation_is_consistent_for_a_new_customer(pareto, mbg):
    # with no history (x = t_x = T = 0) the conditional expectation is the unconditional one
    for m in (pareto, mbg):
        assert m.conditional_expected_purchases(20.0, 0, 0, 0) == pytest.approx(m.expected_purchases(20.0), rel=1e-9)


def test_bgbb_frequency_table_and_expectations(bgbb):
    table = bgbb.frequency_table()
    assert table["expected"].sum() == pytest.approx(11104, rel=1e-9)
    assert table["observed"].sum() == 11104
    d = bgbb.summary_data
    # E[X(n)] from the expected distribution equals the closed form
    assert (table["expected"] * table.index).sum() / 11104 == pytest.approx(bgbb.expected_purchases(6), rel=1e-9)
    p = bgbb.p_alive(d["frequency"], d["recency"], d["n_periods"])
    assert np.all((p > 0) & (p < 1))
    ce = bgbb.conditional_expected_purchases(5, d["frequency"], d["recency"], d["n_periods"])
    assert np.all(ce > 0) and np.all(np.isfinite(ce))


def test_sbg_survival_and_projection(retention):
    fit = crm.fit_sbg(retention.loc[retention["year"] <= 7, "regular"])
    alpha, beta = fit.params
    assert fit.survival(1) == pytest.approx(beta / (alpha + beta))
    rates = fit.retention_rate(np.arange(1, 13))
    assert np.all(np.diff(rates) > 0)  # retention rises with tenure (sorting)
    proj = fit.projection(12)
    assert proj["actual"].iloc[:8].tolist() == retention["regular"].iloc[:8].tolist()
    # the projection of year 12 is close to what happened (FH 2007, Figure 3): within 5% of 173
    assert abs(proj["expected"].iloc[12] - 173) / 173 < 0.05
    bdw = crm.fit_sbg(retention.loc[retention["year"] <= 7, "regular"], model="bdw")
    assert bdw.loglik >= fit.loglik - 1e-6  # nested: c = 1 gives the sBG
    derl = fit.discounted_expected_residual_lifetime(0, 0.1)
    direct = sum(fit.survival(t + 1) / fit.survival(1) / 1.1**t for t in range(2000))
    assert derl == pytest.approx(direct * fit.survival(1), rel=1e-6)


def test_compare_models_and_holdout(summary):
    tx = crm.load_dataset("cdnow_transactions")
    sample = tx[tx["customer_id"].isin(summary["master_customer_id"])]
    rebuilt = crm.summarize_transactions(sample, "customer_id", "date", "amount",
                                         calibration_end="1997-09-30", observation_end="1998-06-30")
    fits = [crm.fit_bgnbd(rebuilt), crm.fit_pareto_nbd(rebuilt), crm.fit_mbgnbd(rebuilt)]
    table = crm.compare_btyd_models(*fits)
    assert table.index.tolist() == ["BG/NBD", "Pareto/NBD", "MBG/NBD"]
    assert np.allclose(table["bic"], 4 * np.log(2357) - 2 * table["loglik"])
    assert table["holdout_actual"].nunique() == 1
    assert (table["holdout_mae"] > 0).all()
    for m in fits[1:]:
        ch = m.calibration_holdout()
        assert ch["customers"].sum() == 2357
        track = m.tracking(sample, "customer_id", "date", "1997-09-30")
        assert track["expected"].iloc[-1] == pytest.approx(track["actual"].iloc[-1], rel=0.15)
        assert crm.clv(m, crm.fit_gamma_gamma(rebuilt), rebuilt, horizon=3)["clv"].gt(0).all()


def test_results_summaries_and_plots(pareto, mbg, bgbb, retention):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fit = crm.fit_sbg(retention["high_end"].iloc[:8])
    for res in (pareto, mbg, bgbb, fit):
        text = str(res.summary())
        assert "Parameters" in text
        assert res.to_frame()["se"].gt(0).all()
        res.plot()
    plt.close("all")


# --------------------------------------------------------------------------- bad input


def test_bad_input(summary, retention):
    with pytest.raises(CRMInputError, match="rise from period"):
        crm.fit_sbg([1000, 800, 850, 700])
    with pytest.raises(CRMInputError, match="no customer churned"):
        crm.fit_sbg([100, 100, 100])
    with pytest.raises(CRMInputError, match="'model' parameter"):
        crm.fit_sbg([100, 80, 70], model="weibull")
    with pytest.raises(CRMInputError, match="DataFrame"):
        crm.fit_sbg(retention)
    zero = summary.assign(T=0.0, recency=0.0)
    for fit in (crm.fit_bgnbd, crm.fit_pareto_nbd, crm.fit_mbgnbd):
        with pytest.raises(CRMInputError, match="T .* is 0 for every customer"):
            fit(zero, time_unit="W")
    bad = pd.DataFrame({"frequency": [2, 1], "recency": [1, 7], "n_periods": [6, 6]})
    with pytest.raises(CRMInputError, match="frequency <= recency <= n_periods"):
        crm.fit_bgbb(bad)
    with pytest.raises(CRMInputError, match="different numbers of customers"):
        crm.compare_btyd_models(crm.fit_pareto_nbd(summary.iloc[:500], time_unit="W"),
                                crm.fit_mbgnbd(summary, time_unit="W"))


def test_large_data_route_gives_the_same_maximum(summary, pareto, mbg, monkeypatch):
    # Above _WARM_ROWS distinct histories the fit starts from a sample's optimum and takes Newton steps with the
    # sample's curvature (the 1M-customer route); on CDNOW, forced onto that route, it reaches the same maximum.
    from crm_research.analytics import clv as clv_module

    cold_bg = crm.fit_bgnbd(summary, time_unit="W")
    monkeypatch.setattr(clv_module, "_WARM_ROWS", 100)
    monkeypatch.setattr(clv_module, "_WARM_CUSTOMERS", 1500)
    for cold, fit in ((pareto, crm.fit_pareto_nbd), (mbg, crm.fit_mbgnbd), (cold_bg, crm.fit_bgnbd)):
        warm = fit(summary, time_unit="W")
        assert warm.converged and warm.message.startswith("Newton from a sample fit")
        assert warm.loglik == pytest.approx(cold.loglik, abs=1e-6)
        # beta of the Pareto/NBD sits on the flat ridge (se 6.2): compare it on the scale of its standard error
        tol = np.where(warm.params.index == "beta", 1e-3 * cold.table["se"], 1e-4 * cold.params)
        assert np.all(np.abs(warm.params - cold.params) <= tol), (warm.params, cold.params)
        assert np.allclose(warm.table["se"], cold.table["se"], rtol=1e-3)
