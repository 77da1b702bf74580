"""BG/NBD, Gamma-Gamma and CLV, checked against the published CDNOW values.

The reference numbers and their sources are in tests/reference/clv/ (README.md and
published_values.csv): Fader, Hardie & Lee (2005, Marketing Science; and their Excel note)
for the BG/NBD, Fader, Hardie & Lee (2005, JMR) and Fader & Hardie (2013) for the
Gamma-Gamma model.  A value passes when it rounds to the published one.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

import crm_research as crm
from crm_research.core.errors import CRMInputError

REF = pd.read_csv(Path(__file__).parent / "reference" / "clv" / "published_values.csv").set_index("quantity")


def published(name):
    row = REF.loc[name]
    return float(row["value"]), 0.5 * 10.0 ** -int(row["decimals"]) + 1e-12


@pytest.fixture(scope="module")
def summary():
    return crm.load_dataset("cdnow_summary")


@pytest.fixture(scope="module")
def transactions():
    return crm.load_dataset("cdnow_transactions")


@pytest.fixture(scope="module")
def rebuilt(summary, transactions):
    # The 2,357-customer sample, summarised from the raw log with the 39-week calibration period.
    sample = transactions[transactions["customer_id"].isin(summary["master_customer_id"])]
    return crm.summarize_transactions(sample, "customer_id", "date", "amount",
                                      calibration_end="1997-09-30", observation_end="1998-06-30")


@pytest.fixture(scope="module")
def bgnbd(summary):
    return crm.fit_bgnbd(summary, time_unit="W")


@pytest.fixture(scope="module")
def gg(rebuilt):
    return crm.fit_gamma_gamma(rebuilt)


# --------------------------------------------------------------------------- the published numbers


def test_sample_sizes_match_the_papers(summary):
    assert len(summary) == published("n_customers")[0]
    assert (summary["frequency"] == 0).sum() == published("n_no_repeat")[0]
    assert (summary["frequency"] > 0).sum() == published("n_repeat_buyers")[0]


@pytest.mark.parametrize("name", ["r", "alpha", "a", "b"])
def test_bgnbd_parameters_equal_fader_hardie_lee_2005(bgnbd, name):
    value, tol = published(f"bgnbd_{name}")  # FHL 2005: r 0.243, alpha 4.414, a 0.793, b 2.426
    assert abs(bgnbd.params[name] - value) <= tol
    assert bgnbd.converged


def test_bgnbd_loglik_equals_published(bgnbd):
    value, tol = published("bgnbd_loglik")  # FHL Excel note: -9582.4
    assert abs(bgnbd.loglik - value) <= tol


def test_bgnbd_on_summary_rebuilt_from_transactions(rebuilt):
    model = crm.fit_bgnbd(rebuilt)
    assert model.time_unit == "W"
    for name in ["r", "alpha", "a", "b"]:
        value, tol = published(f"bgnbd_{name}")
        assert abs(model.params[name] - value) <= tol, name
    value, tol = published("bgnbd_loglik")
    assert abs(model.loglik - value) <= tol


def test_conditional_expectation_worked_example(bgnbd):
    value, tol = published("bgnbd_conditional_expected_39w_x2_tx30.43_T38.86")  # 1.226
    assert abs(bgnbd.conditional_expected_purchases(39, 2, 30.43, 38.86) - value) <= tol


@pytest.mark.parametrize("name", ["p", "q", "v"])
def test_gamma_gamma_parameters_equal_published(gg, name):
    value, tol = published(f"gg_{name}")  # FHL 2005b: p 6.25, q 3.74, gamma 15.44
    assert abs(gg.params[name] - value) <= tol
    assert gg.n == 946


def test_gamma_gamma_independence_check_equals_published(gg):
    value, tol = published("gg_corr_frequency_spend")  # FHL 2005b: 0.11
    assert abs(gg.independence["r"] - value) <= tol


def test_gamma_gamma_on_rounded_published_file(summary):
    # z-bar rounded to cents moves v to 15.448 (see README): p and q still round to the paper.
    model = crm.fit_gamma_gamma(summary)
    assert abs(model.params["p"] - 6.25) <= 0.005
    assert abs(model.params["q"] - 3.74) <= 0.005
    assert abs(model.params["v"] - 15.44) <= 0.01


def test_summarize_transactions_reproduces_published_summary(summary, rebuilt):
    ref = summary.set_index("master_customer_id").loc[rebuilt.index]
    assert len(rebuilt) == 2357
    assert (rebuilt["frequency"].to_numpy() == ref["frequency"].to_numpy()).all()
    for col in ["recency", "T", "monetary_value"]:
        # the published file is rounded to 2 decimals
        assert np.abs(rebuilt[col].to_numpy() - ref[col].to_numpy()).max() <= 0.005 + 1e-9, col
    assert (rebuilt["duration_holdout"] == 39.0).all()


# --------------------------------------------------------------------------- internal consistency


def _naive_bgnbd_likelihood(r, alpha, a, b, x, tx, T):
    """FHL (2005) equation 6 written directly, without logs (fine for small x)."""
    B = special.beta
    base = special.gamma(r + x) * alpha**r / special.gamma(r)
    out = B(a, b + x) / B(a, b) * base / (alpha + T) ** (r + x)
    if x > 0:
        out += B(a + 1, b + x - 1) / B(a, b) * base / (alpha + tx) ** (r + x)
    return out


def test_log_likelihood_equals_the_direct_formula(bgnbd):
    from crm_research.analytics.clv import _bgnbd_loglik

    params = (0.5, 6.0, 1.2, 3.3)
    cases = [(0, 0.0, 38.86), (1, 1.71, 38.86), (3, 20.0, 30.0), (7, 35.5, 36.0)]
    for x, tx, T in cases:
        ours = _bgnbd_loglik(params, np.array([x]), np.array([tx]), np.array([T]))[0]
        assert ours == pytest.approx(np.log(_naive_bgnbd_likelihood(*params, x, tx, T)), rel=1e-12)


def test_probability_distribution_sums_to_one_and_has_the_right_mean(bgnbd):
    probs = bgnbd.probability_of_purchases([10.0, 39.0, 78.0], n_max=2000)
    assert np.allclose(probs.sum(axis=1), 1.0)
    mean = (probs.iloc[:, :2000] * np.arange(2000)).sum(axis=1).to_numpy()
    assert np.allclose(mean, bgnbd.expected_purchases(np.array([10.0, 39.0, 78.0])), rtol=1e-6)


def test_p_alive_and_expectations_behave(bgnbd, summary):
    assert bgnbd.p_alive(0, 0, 30) == 1.0  # no repeat purchase: cannot have dropped out
    # a long silence since the last purchase lowers P(alive)
    assert bgnbd.p_alive(5, 10, 38) < bgnbd.p_alive(5, 37, 38)
    assert bgnbd.conditional_expected_purchases(0, summary).abs().max() < 1e-12
    pred = bgnbd.predict(summary, 39)
    assert list(pred.columns) == ["p_alive", "expected_purchases"]
    assert pred.index.equals(summary.index)
    assert ((pred["p_alive"] > 0) & (pred["p_alive"] <= 1)).all()


def test_frequency_table_and_calibration_holdout(bgnbd, rebuilt):
    table = bgnbd.frequency_table(7)
    assert table["observed"].sum() == 2357
    assert table["expected"].sum() == pytest.approx(2357, rel=1e-9)
    model = crm.fit_bgnbd(rebuilt)
    ch = model.calibration_holdout(n_max=7)
    assert ch["customers"].sum() == 2357
    direct = rebuilt.groupby(np.minimum(rebuilt["frequency"], 7))["frequency_holdout"].mean().to_numpy()
    assert np.allclose(ch["actual"].to_numpy(), direct)
    # customers who bought more in calibration buy more in the holdout, and the model follows
    assert ch["predicted"].is_monotonic_increasing


def test_calibration_holdout_uses_each_customers_own_holdout_length(rebuilt):
    model = crm.fit_bgnbd(rebuilt)
    varied = rebuilt.assign(duration_holdout=np.where(rebuilt["frequency"] == 0, 20.0, 39.0))
    ch = model.calibration_holdout(varied, n_max=3)
    zero = varied[varied["frequency"] == 0]
    assert ch.loc["0", "predicted"] == pytest.approx(model.conditional_expected_purchases(20.0, zero).mean())
    two = varied[varied["frequency"] == 2]
    assert ch.loc["2", "predicted"] == pytest.approx(model.conditional_expected_purchases(39.0, two).mean())


def test_tracking_counts_repeat_purchases(rebuilt, transactions, summary):
    model = crm.fit_bgnbd(rebuilt)
    sample = transactions[transactions["customer_id"].isin(summary["master_customer_id"])]
    track = model.tracking(sample, "customer_id", "date", "1997-09-30")
    repeats = rebuilt["frequency"].sum() + rebuilt["frequency_holdout"].sum()
    assert track["actual"].iloc[-1] <= repeats
    assert track["actual"].is_monotonic_increasing and track["expected"].is_monotonic_increasing
    # at the calibration end (week ~39) the actual count equals the calibration repeats
    assert isinstance(track, crm.TrackingTable) and not track.attrs
    assert track.calibration_end_time == pytest.approx(272 / 7)
    at_39 = track.loc[39.0, "actual"]
    assert at_39 == rebuilt["frequency"].sum()


def test_gamma_gamma_expected_spend_is_a_weighted_average(gg):
    p, q, v = gg.params
    pop = p * v / (q - 1)
    assert gg.population_mean == pytest.approx(pop)
    assert gg.conditional_expected_average_profit(0, 0.0) == pytest.approx(pop)
    x, m = 3, 50.0
    w = p * x / (p * x + q - 1)
    assert gg.conditional_expected_average_profit(x, m) == pytest.approx(w * m + (1 - w) * pop)


# --------------------------------------------------------------------------- CLV


def test_clv_undiscounted_telescopes_to_expected_spend_times_purchases(bgnbd, gg, summary):
    values = crm.clv(bgnbd, gg, summary, horizon=12, discount_rate=0.0)
    weeks = 12 * (365.25 / 12) / 7
    expected = bgnbd.conditional_expected_purchases(weeks, summary) * gg.conditional_expected_average_profit(summary)
    assert np.allclose(values["clv"], expected)
    assert np.allclose(values["expected_purchases"], bgnbd.conditional_expected_purchases(weeks, summary))


def test_clv_discounting_and_margin(bgnbd, gg, summary):
    base = crm.clv(bgnbd, gg, summary, horizon=6, discount_rate=0.0)
    disc = crm.clv(bgnbd, gg, summary, horizon=6, discount_rate=0.05)
    half = crm.clv(bgnbd, gg, summary, horizon=6, discount_rate=0.05, margin=0.5)
    assert (disc["clv"] <= base["clv"] + 1e-12).all()
    assert np.allclose(half["clv"], 0.5 * disc["clv"])
    # one customer by hand: months 1..6, discounted month by month
    row = summary.iloc[[0]]
    u = (365.25 / 12) / 7
    cum = [0.0] + [bgnbd.conditional_expected_purchases(m * u, row).iloc[0] for m in range(1, 7)]
    spend = gg.conditional_expected_average_profit(row).iloc[0]
    by_hand = sum(spend * (cum[m] - cum[m - 1]) / 1.05**m for m in range(1, 7))
    assert disc["clv"].iloc[0] == pytest.approx(by_hand, rel=1e-12)


def test_results_have_summary_frame_and_plots(bgnbd, gg, rebuilt):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    assert "alpha" in bgnbd.summary().as_text() and "<table" in bgnbd.summary().as_html()
    assert list(bgnbd.to_frame().columns) == ["estimate", "se", "ci_low", "ci_high"]
    assert (bgnbd.to_frame()["ci_low"] < bgnbd.params).all()
    assert "corr(frequency, spend)" in gg.summary().as_text()
    model = crm.fit_bgnbd(rebuilt)
    for ax in (bgnbd.plot(), gg.plot(), model.plot_calibration_holdout()):
        assert ax.has_data()
    plt.close("all")


# --------------------------------------------------------------------------- bad input


def test_missing_column_is_named(summary):
    with pytest.raises(CRMInputError, match="'recency'"):
        crm.fit_bgnbd(summary.drop(columns="recency"))


def test_recency_after_T_is_reported(summary):
    bad = summary.copy()
    bad.loc[5, "recency"] = 60.0
    with pytest.raises(CRMInputError, match="exceeds 'T' in 1 row"):
        crm.fit_bgnbd(bad)


def test_recency_without_repeat_is_reported(summary):
    bad = summary.copy()
    first_zero = bad.index[bad["frequency"] == 0][0]
    bad.loc[first_zero, "recency"] = 3.0
    with pytest.raises(CRMInputError, match="no repeat purchase but recency > 0"):
        crm.fit_bgnbd(bad)


def test_negative_or_missing_values_are_reported(summary):
    bad = summary.copy()
    bad.loc[[1, 2], "frequency"] = -1
    with pytest.raises(CRMInputError, match="2 negative value"):
        crm.fit_bgnbd(bad)
    bad = summary.copy()
    bad["T"] = bad["T"].astype("float64")
    bad.loc[3, "T"] = np.nan
    with pytest.raises(CRMInputError, match="missing or infinite.*rows 3"):
        crm.fit_bgnbd(bad)


def test_gamma_gamma_rejects_zero_spend_of_repeat_buyers(summary):
    bad = summary.copy()
    idx = bad.index[bad["frequency"] > 0][:3]
    bad.loc[idx, "monetary_value"] = 0.0
    with pytest.raises(CRMInputError, match="3 repeat buyer"):
        crm.fit_gamma_gamma(bad)


def test_clv_needs_time_unit_and_fitted_models(summary, gg):
    model = crm.fit_bgnbd(summary)  # plain CSV: no time unit recorded
    with pytest.raises(CRMInputError, match="time_unit"):
        crm.clv(model, gg, summary)
    with pytest.raises(CRMInputError, match="'bgnbd' parameter"):
        crm.clv("model", gg, summary, time_unit="W")
    with pytest.raises(CRMInputError, match="'horizon' parameter"):
        crm.clv(model, gg, summary, horizon=0, time_unit="W")


def test_inputs_are_not_modified(summary):
    before = summary.copy()
    crm.fit_bgnbd(summary, time_unit="W")
    crm.fit_gamma_gamma(summary)
    pd.testing.assert_frame_equal(summary, before)


# --------------------------------------------------------------------------- beyond the published digits
# tests/reference/clv/bgnbd_gamma_gamma.R is an independent implementation in base R (optim +
# numDeriv::hessian); its output r_reference.csv checks estimates, standard errors and
# predictions to far more digits than the papers print.

R_REF = pd.read_csv(Path(__file__).parent / "reference" / "clv" / "r_reference.csv").set_index("quantity")["value"]


def test_bgnbd_estimates_and_standard_errors_equal_r(bgnbd):
    for name in ["r", "alpha", "a", "b"]:
        assert bgnbd.params[name] == pytest.approx(R_REF[f"bgnbd_{name}"], rel=1e-5), name
        # two numerical Hessians (central differences here, Richardson extrapolation in R)
        assert bgnbd.table.loc[name, "se"] == pytest.approx(R_REF[f"bgnbd_se_{name}"], rel=1e-3), name
    assert bgnbd.loglik == pytest.approx(R_REF["bgnbd_loglik"], abs=1e-5)


@pytest.mark.parametrize("customer", [1, 2, 3, 5, 100, 1000, 2357])
def test_bgnbd_predictions_equal_r(bgnbd, summary, customer):
    row = summary.iloc[[customer - 1]]
    assert bgnbd.p_alive(row).iloc[0] == pytest.approx(R_REF[f"bgnbd_p_alive_customer_{customer}"], rel=1e-5)
    assert bgnbd.conditional_expected_purchases(39, row).iloc[0] == pytest.approx(
        R_REF[f"bgnbd_expected_39w_customer_{customer}"], rel=1e-5)


def test_bgnbd_unconditional_expectation_equals_r(bgnbd):
    for t in [1, 10, 39, 78]:
        assert bgnbd.expected_purchases(t) == pytest.approx(R_REF[f"bgnbd_expected_new_customer_{t}w"], rel=1e-5)


def test_gamma_gamma_equals_r(gg):
    for name in ["p", "q", "v"]:
        assert gg.params[name] == pytest.approx(R_REF[f"gg_{name}"], rel=1e-5), name
        assert gg.table.loc[name, "se"] == pytest.approx(R_REF[f"gg_se_{name}"], rel=1e-3), name
    assert gg.loglik == pytest.approx(R_REF["gg_loglik"], abs=1e-5)
    assert gg.n == R_REF["gg_n"]
    assert gg.independence["r"] == pytest.approx(R_REF["gg_corr_frequency_spend"], rel=1e-9)


def test_too_little_data_is_reported(summary):
    with pytest.raises(CRMInputError, match="at least 4 row"):
        crm.fit_bgnbd(summary.head(3))
    no_repeat = summary[summary["frequency"] == 0]
    with pytest.raises(CRMInputError, match="no customer made a repeat purchase"):
        crm.fit_bgnbd(no_repeat)
    few = pd.concat([no_repeat.head(50), summary[summary["frequency"] > 0].head(9)])
    with pytest.raises(CRMInputError, match="at least 10 customers with a repeat purchase.*has 9"):
        crm.fit_gamma_gamma(few)


def test_review_bgnbd_methods_reject_text_and_negative_times(summary):
    m = crm.fit_bgnbd(summary, time_unit="W")
    # these used to escape as numpy's bare "could not convert string to float"
    with pytest.raises(CRMInputError, match="'frequency' parameter of p_alive"):
        m.p_alive("two", 30.43, 38.86)
    with pytest.raises(CRMInputError, match="'t' parameter of expected_purchases"):
        m.expected_purchases("next year")
    # a negative horizon used to return a table of NaN probabilities
    with pytest.raises(CRMInputError, match="'t' parameter of probability_of_purchases"):
        m.probability_of_purchases(-1, 3)
    # one T for several customers (the common calibration end) is broadcast
    many = m.p_alive([1, 2], [10.0, 30.43], 38.86)
    assert many[1] == pytest.approx(m.p_alive(2, 30.43, 38.86))


# --------------------------------------------------------------------------- declared results


def test_fitted_models_keep_their_column_names(summary, bgnbd, gg):
    names = {"frequency": "x", "recency": "t_x", "T": "age", "monetary_value": "zbar"}
    renamed = summary.rename(columns=names)
    m = crm.fit_bgnbd(renamed, "x", "t_x", "age", time_unit="W")
    g = crm.fit_gamma_gamma(renamed, "x", "zbar")
    assert (m.frequency_col, m.recency_col, m.T_col, m.time_unit) == ("x", "t_x", "age", "W")
    assert (g.frequency_col, g.monetary_col) == ("x", "zbar")
    # before 0.2 these looked for columns named frequency/recency/T and failed after such a fit
    pd.testing.assert_series_equal(m.p_alive(renamed), bgnbd.p_alive(summary))
    pd.testing.assert_frame_equal(m.predict(renamed, 39), bgnbd.predict(summary, 39))
    pd.testing.assert_series_equal(g.conditional_expected_average_profit(renamed),
                                   crm.fit_gamma_gamma(summary).conditional_expected_average_profit(summary))
    pd.testing.assert_frame_equal(crm.clv(m, g, renamed, horizon=3),
                                  crm.clv(bgnbd, crm.fit_gamma_gamma(summary), summary, horizon=3))


def test_clv_refuses_a_time_unit_that_contradicts_the_fit(summary, bgnbd, gg, rebuilt):
    with pytest.raises(CRMInputError, match=r"fitted model \('W'\) and the 'time_unit' parameter \('D'\)"):
        crm.clv(bgnbd, gg, summary, time_unit="D")
    assert crm.clv(bgnbd, gg, summary, time_unit="W", horizon=2).equals(crm.clv(bgnbd, gg, summary, horizon=2))
    # the summary states its unit too: fitting or valuing it in another unit is refused
    assert rebuilt.time_unit == "W"
    with pytest.raises(CRMInputError, match="summary .*'W'.* 'time_unit' parameter \\('M'\\)"):
        crm.fit_bgnbd(rebuilt, time_unit="M")
    in_days = crm.fit_bgnbd(summary, time_unit="D")
    with pytest.raises(CRMInputError, match="stated differently"):
        crm.clv(in_days, gg, rebuilt)


def test_results_are_declared_dataclasses(bgnbd, gg):
    import dataclasses

    for res in (bgnbd, gg):
        assert dataclasses.is_dataclass(res)
    names = {f.name for f in dataclasses.fields(bgnbd)}
    assert {"params", "table", "time_unit", "frequency_col", "recency_col", "T_col"} <= names
    assert gg.population_mean == pytest.approx(gg.params["p"] * gg.params["v"] / (gg.params["q"] - 1))


# --------------------------------------------------------------------------- intervals and time units


def test_clv_intervals_agree_with_the_delta_method(bgnbd, gg, summary):
    sub = summary.iloc[:300]
    point = crm.clv(bgnbd, gg, sub, horizon=6)
    boot = crm.clv(bgnbd, gg, sub, horizon=6, bootstrap=400, seed=3)
    assert np.allclose(boot["clv"], point["clv"]) and boot.total == pytest.approx(point["clv"].sum())
    assert np.isnan(point.total_ci_low) and point.bootstrap == 0 and boot.time_unit == "W"
    assert ((boot["ci_low"] < boot["clv"]) & (boot["clv"] < boot["ci_high"])).mean() > 0.95
    again = crm.clv(bgnbd, gg, sub, horizon=6, bootstrap=400, seed=3)
    assert again["ci_low"].equals(boot["ci_low"]) and again.total_ci_high == boot.total_ci_high
    # delta method for the total: gradient over the 7 log-parameters, block-diagonal covariance

    def total(z):
        import copy

        m1, m2 = copy.copy(bgnbd), copy.copy(gg)
        m1.params = pd.Series(np.exp(z[:4]), index=bgnbd.params.index)
        m2.params = pd.Series(np.exp(z[4:]), index=gg.params.index)
        return crm.clv(m1, m2, sub, horizon=6).total

    z0 = np.log(np.r_[bgnbd.params.to_numpy(), gg.params.to_numpy()])
    grad = np.array([(total(z0 + h) - total(z0 - h)) / 2e-5 for h in np.eye(7) * 1e-5])
    cov = np.zeros((7, 7))
    cov[:4, :4], cov[4:, 4:] = bgnbd.vcov_log.to_numpy(), gg.vcov_log.to_numpy()
    se_delta = float(np.sqrt(grad @ cov @ grad))
    se_boot = (boot.total_ci_high - boot.total_ci_low) / (2 * 1.959964)
    assert se_boot == pytest.approx(se_delta, rel=0.15)


def test_clv_converts_the_time_unit_of_the_fit(summary, gg):
    # the same customers measured in days: the fit and the value agree with the weekly ones
    days = summary.assign(recency=summary["recency"] * 7, T=summary["T"] * 7)
    weekly = crm.clv(crm.fit_bgnbd(summary, time_unit="W"), gg, summary, horizon=12)
    daily = crm.clv(crm.fit_bgnbd(days, time_unit="D"), gg, days, horizon=12)
    assert daily.time_unit == "D" and weekly.time_unit == "W"
    assert np.allclose(daily["clv"], weekly["clv"], rtol=1e-4)


def test_clv_interval_needs_a_covariance(bgnbd, gg, summary):
    import copy

    broken = copy.copy(gg)
    broken.vcov_log = None
    with pytest.raises(CRMInputError, match="covariance"):
        crm.clv(bgnbd, broken, summary, bootstrap=10)
    with pytest.raises(CRMInputError, match="bootstrap"):
        crm.clv(bgnbd, gg, summary, bootstrap=-1)


def test_fit_bgnbd_with_T_zero_for_everyone_is_refused(summary):
    with pytest.raises(CRMInputError, match="T .* is 0 for every customer"):
        crm.fit_bgnbd(summary.assign(T=0.0, recency=0.0, frequency=0), time_unit="W")
