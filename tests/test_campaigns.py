"""Campaign analytics: test-cell intervals against R, break-even, Qini by hand, uplift recovery."""

import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, norm

import crm_research as crm
from crm_research.core.errors import CRMInputError

matplotlib.use("Agg")

REF = Path(__file__).parent / "reference" / "campaigns"


def test_break_even_rate_is_cost_over_margin():
    assert crm.break_even_rate(2.0, 50.0) == pytest.approx(0.04)
    assert crm.break_even_rate(30, 20) == pytest.approx(1.5)  # can never pay
    with pytest.raises(CRMInputError, match="'margin_per_response' parameter of break_even_rate"):
        crm.break_even_rate(2.0, 0)
    with pytest.raises(CRMInputError, match="'cost_per_contact' parameter"):
        crm.break_even_rate(-1, 10)


def test_required_cell_size_by_hand():
    # n = z^2 p (1 - p) / h^2 = 1.959964^2 * 0.05 * 0.95 / 0.01^2 = 1824.7 -> 1825
    assert crm.required_cell_size(0.05, 0.01) == 1825
    z = norm.ppf(0.995)
    assert crm.required_cell_size(0.1, 0.02, ci=0.99) == math.ceil(z**2 * 0.09 / 0.0004)


@pytest.mark.parametrize("row", pd.read_csv(REF / "response_rate_intervals.csv").to_dict("records"),
                         ids=lambda r: f"{r['x']}of{r['n']}-{r['method']}-{r['level']}")
def test_campaign_test_interval_matches_r(row):
    # prop.test(correct = FALSE) (Wilson) and binom.test (Clopper-Pearson) in tests/reference/campaigns_intervals.R
    res = crm.campaign_test(int(row["x"]), int(row["n"]), 1.0, 20.0, ci=row["level"], method=row["method"])
    t = res.table.iloc[0]
    assert t["ci_low"] == pytest.approx(row["low"], abs=1e-9)
    assert t["ci_high"] == pytest.approx(row["high"], abs=1e-9)
    assert t["response_rate"] == pytest.approx(row["x"] / row["n"])


def test_campaign_test_decisions():
    # 60/1000 = 6%, Wilson 95% [4.69%, 7.65%]
    go = crm.campaign_test(60, 1000, 2.0, 50.0, rollout_size=20_000)  # break-even 4%
    assert go.decision == "roll out"
    t = go.table.iloc[0]
    assert t["break_even"] == pytest.approx(0.04)
    assert t["profit_per_contact"] == pytest.approx(0.06 * 50 - 2)
    assert t["rollout_profit"] == pytest.approx(20_000 * 1.0)
    assert t["rollout_profit_low"] == pytest.approx(20_000 * (t["ci_low"] * 50 - 2))
    assert crm.campaign_test(60, 1000, 4.0, 50.0).decision == "do not roll out"  # break-even 8%
    unsure = crm.campaign_test(60, 1000, 3.0, 50.0)  # break-even 6%
    assert unsure.decision.startswith("inconclusive")
    assert "contains the break-even rate 6.00%" in unsure.summary().as_text()
    import matplotlib.pyplot as plt

    go.plot()
    plt.close("all")


def test_campaign_test_bad_input():
    with pytest.raises(CRMInputError, match=r"'responders' parameter of campaign_test must be an int in the range \[0, 100\]"):
        crm.campaign_test(120, 100, 1, 10)
    with pytest.raises(CRMInputError, match="'method' parameter"):
        crm.campaign_test(5, 100, 1, 10, method="exact")


def test_draw_test_cell():
    df = pd.DataFrame({"customer": np.arange(1000), "decile": np.repeat(np.arange(10), 100)})
    before = df.copy()
    cell = crm.draw_test_cell(df, share=0.05, seed=1)
    pd.testing.assert_frame_equal(df, before)
    assert len(cell) == 50 and cell["customer"].is_unique and cell.index.is_monotonic_increasing
    pd.testing.assert_frame_equal(cell, crm.draw_test_cell(df, share=0.05, seed=1))
    strat = crm.draw_test_cell(df, share=0.05, seed=1, strata_col="decile")
    assert (strat["decile"].value_counts() == 5).all()
    with pytest.warns(FutureWarning, match="'strata' is now called 'strata_col'"):
        old = crm.draw_test_cell(df, share=0.05, seed=1, strata="decile")
    pd.testing.assert_frame_equal(old, strat)
    with pytest.raises(CRMInputError, match="'share' parameter"):
        crm.draw_test_cell(df, share=1.5)


# --------------------------------------------------------------------------- Qini


def test_qini_curve_by_hand():
    # scores 0.9 (treated, responded), 0.8 (control, no), 0.3 (treated, no), 0.1 (control, responded)
    q = crm.qini_curve([1, 0, 0, 1], [1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1])
    # Q(k) = R_T - R_C * N_T / N_C:  k=1: 1 - 0 (no control yet) ; k=2: 1 - 0*1/1 ; k=3: 1 - 0*2/1 ; k=4: 1 - 1*2/2
    assert q["qini"].tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    assert q["random"].tolist() == [0.0] * 5
    # trapezoids of width 0.25 over the gaps 0, 1, 1, 1, 0
    assert isinstance(q, crm.QiniCurve) and q.qini_area == pytest.approx(0.75) and not q.attrs


def test_qini_curve_ties_enter_together_and_random_line():
    y = [1, 1, 0, 0, 1, 0]
    t = [1, 0, 1, 0, 1, 0]
    s = [0.5, 0.5, 0.2, 0.2, 0.1, 0.0]
    q = crm.qini_curve(y, t, s)
    assert q["n"].tolist() == [0, 2, 4, 5, 6]
    # after the tie: T 1 of 1, C 1 of 1 -> 0; k=4: T 1/2, C 1/2 -> 0; k=5: T 2/3, C 1/2 -> 2 - 1*3/2 = 0.5;
    # k=6: T 2/3, C 1/3 -> 2 - 1 = 1
    np.testing.assert_allclose(q["qini"], [0, 0, 0, 0.5, 1.0])
    np.testing.assert_allclose(q["random"], q["fraction"] * 1.0)
    with pytest.raises(CRMInputError, match="both treated"):
        crm.qini_curve([1, 0], [1, 1], [0.2, 0.1])


# --------------------------------------------------------------------------- uplift


@pytest.fixture(scope="module")
def uplift_data():
    # three segments with known treatment effects (response probability treated - control)
    rng = np.random.default_rng(2024)
    n = 9000
    seg = rng.choice(["persuadable", "sure_thing", "do_not_disturb"], n)
    p0 = pd.Series(seg).map({"persuadable": 0.05, "sure_thing": 0.30, "do_not_disturb": 0.10}).to_numpy()
    effect = pd.Series(seg).map({"persuadable": 0.15, "sure_thing": 0.0, "do_not_disturb": -0.05}).to_numpy()
    treated = (rng.random(n) < 0.7).astype(int)
    y = (rng.random(n) < p0 + treated * effect).astype(int)
    df = pd.DataFrame({"segment": seg, "treated": treated, "responded": y, "noise": rng.normal(size=n)})
    df = df.join(pd.get_dummies(df["segment"], dtype=float))
    truth = {"persuadable": 0.15, "sure_thing": 0.0, "do_not_disturb": -0.05}
    return df, truth


def test_uplift_recovers_the_known_effect_by_segment(uplift_data):
    df, truth = uplift_data
    res = crm.uplift_model(df, ["persuadable", "sure_thing", "noise"], "treated", "responded", seed=0,
                           segment_col="segment")
    by = res.by_segment.set_index("segment")
    for seg, effect in truth.items():
        # observed difference of rates: the true effect lies inside its 95% Newcombe interval
        assert by.loc[seg, "ci_low"] < effect < by.loc[seg, "ci_high"]
        # model's mean predicted uplift within 0.03 of the generator's effect
        assert by.loc[seg, "predicted_uplift"] == pytest.approx(effect, abs=0.03)
    assert by.index[0] == "persuadable"  # sorted by observed uplift
    assert res.qini_area > 0  # ranks persuadables first
    top, bottom = res.deciles.iloc[0], res.deciles.iloc[-1]
    assert top["observed_uplift"] > bottom["observed_uplift"]
    assert res.scores["uplift"].to_numpy() == pytest.approx((res.scores["p_treated"] - res.scores["p_control"]).to_numpy())
    text = res.summary().as_text()
    assert "Qini area" in text and "By segment" in text
    import matplotlib.pyplot as plt

    res.plot()
    plt.close("all")


def test_uplift_bad_input(uplift_data):
    df, _ = uplift_data
    with pytest.raises(CRMInputError, match="must not be a predictor"):
        crm.uplift_model(df, ["treated", "noise"], "treated", "responded")
    bad = df.assign(treated=df["treated"].replace({0: 3}))
    with pytest.raises(CRMInputError, match="'treated' of uplift_model must be 0/1"):
        crm.uplift_model(bad, ["noise"], "treated", "responded")
    tiny = df.head(40).assign(treated=1)
    tiny.loc[tiny.index[:2], "treated"] = 0
    with pytest.raises(CRMInputError, match="at least 5 customers in each of control non-responders"):
        crm.uplift_model(tiny, ["noise"], "treated", "responded")


# --------------------------------------------------------------------------- negative responses


def test_negative_responses_by_hand():
    reasons = ["price"] * 30 + ["fit"] * 15 + ["timing"] * 5 + [None] * 50
    group = ["A"] * 20 + ["B"] * 10 + ["A"] * 5 + ["B"] * 10 + ["A"] * 3 + ["B"] * 2 + ["A"] * 50
    df = pd.DataFrame({"refusal_reason": reasons, "segment": group})
    res = crm.negative_responses(df, group_col="segment")
    r = res.reasons.set_index("reason")
    assert res.n_with_reason == 50 and res.n_without_reason == 50
    assert r["count"].tolist() == [30, 15, 5]
    assert r.loc["price", "share"] == pytest.approx(0.6)
    # Wilson interval for 30/50 by formula
    z = norm.ppf(0.975)
    p, n = 0.6, 50
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert r.loc["price", "ci_low"] == pytest.approx(centre - half)
    assert r.loc["price", "ci_high"] == pytest.approx(centre + half)
    table = np.array([[20, 5, 3], [10, 10, 2]])
    chisq, pvalue, dof, _ = chi2_contingency(table)
    assert res.test["chisq"].iloc[0] == pytest.approx(chisq)
    assert res.test["df"].iloc[0] == dof
    assert res.test["cramers_v"].iloc[0] == pytest.approx(math.sqrt(chisq / 50))
    assert res.by_group.loc["A", "price"] == pytest.approx(20 / 28)
    import matplotlib.pyplot as plt

    res.plot()
    plt.close("all")
    with pytest.raises(CRMInputError, match="no recorded reason"):
        crm.negative_responses(pd.DataFrame({"refusal_reason": [None, None]}))


# --------------------------------------------------------------------------- win-back timing


def test_winback_timing_ratio_and_katz_interval():
    # week 1: 40 of 100 won back; week 4: 10 of 100
    df = pd.DataFrame({"week": [1] * 100 + [2] * 50 + [4] * 100,
                       "won": [1] * 40 + [0] * 60 + [1] * 10 + [0] * 40 + [1] * 10 + [0] * 90})
    res = crm.winback_timing(df, "week", "won")
    w = res.by_week.set_index("week")
    assert w.loc[1, "rate"] == 0.4 and w.loc[4, "rate"] == 0.1 and w.loc[2, "contacted"] == 50
    r = res.ratio.iloc[0]
    assert r["ratio"] == pytest.approx(4.0)
    se = math.sqrt(1 / 40 - 1 / 100 + 1 / 10 - 1 / 100)
    z = norm.ppf(0.975)
    assert r["ci_low"] == pytest.approx(4.0 * math.exp(-z * se), rel=1e-6)
    assert r["ci_high"] == pytest.approx(4.0 * math.exp(z * se), rel=1e-6)
    with pytest.raises(CRMInputError, match="'compare' parameter of winback_timing must be a week present"):
        crm.winback_timing(df, "week", "won", compare=3)
    with pytest.raises(CRMInputError, match="whole weeks"):
        crm.winback_timing(df.assign(week=df["week"] - 0.5), "week", "won")


def test_qini_curve_text_scores_raise_crm_error():
    # review: a text score used to escape as numpy's bare ValueError
    with pytest.raises(CRMInputError, match="'score' of qini_curve must hold numbers"):
        crm.qini_curve([1, 0, 1, 0], [1, 0, 0, 1], ["a", "b", "c", "d"])
    assert crm.qini_curve([1, 0, 0, 1], [1, 0, 1, 0], ["0.9", "0.8", "0.3", "0.1"])["qini"].tolist() == \
        [0.0, 1.0, 1.0, 1.0, 0.0]


def test_draw_test_cell_refuses_an_empty_stratified_cell():
    # review: when share * stratum size rounded to 0 in every stratum an empty cell came back silently
    data = pd.DataFrame({"segment": ["a", "b", "c"] * 10})
    with pytest.raises(CRMInputError, match="test cell would be empty"):
        crm.draw_test_cell(data, share=0.01, seed=1, strata_col="segment")
    assert len(crm.draw_test_cell(data, share=0.2, seed=1, strata_col="segment")) == 6


def test_winback_timing_with_no_win_back_in_the_first_week():
    # review: a week without any win-back made statsmodels' log interval divide by zero (bare ZeroDivisionError)
    data = pd.DataFrame({"week": [1, 4] * 30, "won": [0, 1] * 30})
    res = crm.winback_timing(data, "week", "won", first=1, compare=4)
    row = res.ratio.iloc[0]
    assert row["ratio"] == 0.0 and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])


def test_plots_survive_rates_of_zero_and_one():
    # review: the Wilson limit at a rate of 1 came out a rounding error below 1, and matplotlib
    # refused the negative error bar (ValueError: 'xerr' must not contain negative values)
    import matplotlib.pyplot as plt

    crm.campaign_test(30, 30, 1.0, 10.0).plot()
    crm.winback_timing(pd.DataFrame({"week": [1, 4] * 30, "won": [0, 1] * 30}), "week", "won").plot()
    plt.close("all")
