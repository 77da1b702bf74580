"""crm.define_churn, crm.churn_model, gains and threshold tables: hand-checked arithmetic and known signal."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu
from sklearn.metrics import roc_auc_score

import crm_research as crm
from crm_research.core.errors import CRMInputError

matplotlib.use("Agg")


@pytest.fixture
def tx():
    return pd.DataFrame({
        "customer_id": [1, 1, 2, 3, 3, 3],
        "order_date": ["2024-01-05", "2024-06-01", "2024-01-10", "2024-02-01", "2024-05-01", "2024-09-01"],
        "amount": [10.0, 20.0, 5.0, 7.0, 8.0, 9.0],
    })


def test_define_churn_status_by_hand(tx):
    before = tx.copy()
    out = crm.define_churn(tx, window=90, at="2024-10-01")
    pd.testing.assert_frame_equal(tx, before)
    # last purchases 2024-06-01 (122 days before 1 Oct), 2024-01-10 (265), 2024-09-01 (30)
    assert out["recency"].tolist() == [122, 265, 30]
    assert out["churned"].tolist() == [1, 1, 0]
    assert out["frequency"].tolist() == [2, 1, 3]
    assert out["monetary"].tolist() == [15.0, 5.0, 8.0]
    assert out["tenure"].tolist() == [270, 265, 243]
    assert out.index.name == "customer_id"
    assert isinstance(out, crm.ChurnTable) and not out.attrs
    assert out.rule == "churned = last purchase more than 90 days before 2024-10-01"
    assert (out.window, out.analysis_date, out.cutoff) == (90, pd.Timestamp("2024-10-01"), None)
    # a selection of the customers keeps the rule it was made with
    assert out[out["churned"] == 1].rule == out.rule


def test_define_churn_prediction_setup_by_hand(tx):
    # features up to 2024-03-01; churn = no purchase in (1 Mar, 29 Jun] (120 days)
    out = crm.define_churn(tx, window=120, cutoff="2024-03-01", at="2024-10-01")
    assert out["frequency"].tolist() == [1, 1, 1]  # only purchases up to the cutoff count
    assert out["recency"].tolist() == [56, 51, 29]
    assert out["churned"].tolist() == [0, 1, 0]  # customer 1 buys 1 Jun, 3 buys 1 May, 2 never again
    assert "after the cutoff 2024-03-01" in out.rule and out.cutoff == pd.Timestamp("2024-03-01")


def test_define_churn_old_names_still_work_with_a_future_warning(tx):
    with pytest.warns(FutureWarning, match="'now' is now called 'at'"):
        old = crm.define_churn(tx, window=90, now="2024-10-01")
    pd.testing.assert_frame_equal(old, crm.define_churn(tx, window=90, at="2024-10-01"))


def test_define_churn_reads_yyyymmdd_and_time_zones(tx):
    as_numbers = tx.assign(order_date=[20240105, 20240601, 20240110, 20240201, 20240501, 20240901])
    pd.testing.assert_frame_equal(crm.define_churn(as_numbers, window=90, at="2024-10-01"),
                                  crm.define_churn(tx, window=90, at="2024-10-01"))


def test_define_churn_default_at_is_last_transaction(tx):
    out = crm.define_churn(tx, window=100, amount_col=None)
    assert out["recency"].tolist() == [92, 235, 0]
    assert "monetary" not in out


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.assign(order_date=["2024-01-05", "not a date", "2024-01-10", "2024-02-01", None, "2024-09-01"]),
         r"'order_date' .* 1 value\(s\) that cannot be read as dates, e.g. 'not a date' \(rows 1\) and "
         r"1 missing date\(s\) \(rows 4\)"),
        (lambda t: t.assign(amount=[10.0, -20.0, 5.0, np.nan, 8.0, 9.0]),
         r"'amount' .* 1 missing or infinite amount\(s\) \(rows 3\)"),
        (lambda t: t.assign(amount=[10.0, -20.0, 5.0, 7.0, 8.0, 9.0]),
         r"'amount' .* 1 negative amount\(s\), e.g. -20.0 \(rows 1\)"),
        (lambda t: t.assign(customer_id=[1, 1, None, 3, 3, 3]),
         r"'customer_id' .* 1 missing customer id\(s\) \(rows 2\)"),
        (lambda t: t.assign(customer_id=pd.Series([1, "1", 2, 3, 3, 3], dtype=object)),
         r"'customer_id' .* mixes types \(number, str\): 1 row\(s\) hold a str \(rows 1, values '1'\)"),
    ],
)
def test_define_churn_bad_transactions(tx, change, message):
    with pytest.raises(CRMInputError, match=message):
        crm.define_churn(change(tx), window=90)


def test_define_churn_bad_dates(tx):
    with pytest.raises(CRMInputError, match=r"'at' parameter of define_churn \(2023-12-31\) is before the first"):
        crm.define_churn(tx, at="2023-12-31")
    with pytest.raises(CRMInputError, match=r"'at' parameter of define_churn \(2024-02-15 00:00:00\) is before "
                                            r"3 transaction\(s\) \(rows 1, 4, 5"):
        crm.define_churn(tx, at="2024-02-15")
    with pytest.raises(CRMInputError, match="runs past the data"):
        crm.define_churn(tx, window=300, cutoff="2024-03-01")
    with pytest.raises(CRMInputError, match="'at' parameter of define_churn must be a date"):
        crm.define_churn(tx, at="yesterday-ish")
    with pytest.raises(CRMInputError, match="'window' parameter"):
        crm.define_churn(tx, window=0)
    with pytest.raises(CRMInputError, match="Did you mean 'order_date'"):
        crm.define_churn(tx, date_col="order_dat")


# --------------------------------------------------------------------------- gains / lift / thresholds


def test_gains_table_by_hand():
    # 10 customers, 4 churners; scores sorted descending are already in order
    y = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0]
    score = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    g = crm.gains_table(y, score, bins=5)
    assert g["n"].tolist() == [2] * 5
    assert g["events"].tolist() == [2, 1, 0, 1, 0]
    assert g["cum_events"].tolist() == [2, 3, 3, 4, 4]
    np.testing.assert_allclose(g["gain"], [0.5, 0.75, 0.75, 1.0, 1.0])
    # overall rate 0.4: bin 1 rate 1.0 -> lift 2.5; cumulative lift at 40% depth = 0.75 / 0.4
    np.testing.assert_allclose(g["lift"], [2.5, 1.25, 0.0, 1.25, 0.0])
    np.testing.assert_allclose(g["cum_lift"], [2.5, 1.875, 1.25, 1.25, 1.0])
    # shuffled input gives the same table (sorting is by score)
    perm = np.random.default_rng(0).permutation(10)
    g2 = crm.gains_table(np.array(y)[perm], np.array(score)[perm], bins=5)
    pd.testing.assert_frame_equal(g, g2)


def test_gains_table_unequal_bins_and_bad_input():
    g = crm.gains_table([1, 0, 0, 1, 0, 0, 0], np.linspace(1, 0, 7), bins=3)
    assert g["n"].tolist() == [3, 2, 2]
    with pytest.raises(CRMInputError, match="no events"):
        crm.gains_table([0, 0, 0], [0.1, 0.2, 0.3], bins=2)
    with pytest.raises(CRMInputError, match="must hold 0/1"):
        crm.gains_table([0, 2, 1], [0.1, 0.2, 0.3], bins=2)
    with pytest.raises(CRMInputError, match="equal length"):
        crm.gains_table([0, 1], [0.1, 0.2, 0.3], bins=2)


def test_threshold_table_by_hand():
    y = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0]
    score = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    t = crm.threshold_table(y, score, thresholds=[0.7, 0.85, 0.99]).set_index("threshold")
    # at 0.7: 4 contacted (0.95, 0.9, 0.8, 0.7), 3 churners among them, 3 of the 4 churners reached
    assert t.loc[0.7, "n_contacted"] == 4 and t.loc[0.7, "true_positives"] == 3
    assert t.loc[0.7, "precision"] == pytest.approx(0.75)
    assert t.loc[0.7, "recall"] == pytest.approx(0.75)
    assert t.loc[0.7, "coverage"] == pytest.approx(0.4)
    assert t.loc[0.85, "precision"] == 1.0 and t.loc[0.85, "recall"] == 0.5
    assert t.loc[0.99, "n_contacted"] == 0 and np.isnan(t.loc[0.99, "precision"])


# --------------------------------------------------------------------------- models


def _data(n, signal, seed):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"recency": rng.exponential(100, n), "frequency": rng.poisson(4, n).astype(float),
                       "noise": rng.normal(size=n)})
    logit = -1.0 + signal * ((df["recency"] - 100) / 100 - 0.5 * (df["frequency"] - 4) / 2)
    df["churned"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return df


@pytest.fixture(scope="module")
def signal_model():
    return crm.churn_model(_data(800, 2.0, 1), ["recency", "frequency", "noise"], seed=0, cv=4)


def test_churn_model_finds_a_real_signal(signal_model):
    m = signal_model.metrics.set_index("model")
    assert (m["auc"] > 0.7).all()
    assert (m["brier"] < m["brier_reference"]).all()
    assert m.loc["logistic", "auc"] > m.loc["logistic", "auc_sd"] * 3 + 0.5


def test_pooled_auc_is_the_mann_whitney_probability(signal_model):
    p = signal_model.probabilities["logistic"].to_numpy()
    y = signal_model.y.to_numpy()
    u = mannwhitneyu(p[y == 1], p[y == 0]).statistic
    auc = u / ((y == 1).sum() * (y == 0).sum())
    assert signal_model.metrics.set_index("model").loc["logistic", "auc_pooled"] == pytest.approx(auc)
    assert auc == pytest.approx(roc_auc_score(y, p))


def test_churn_model_on_noise_is_near_half():
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.normal(size=(800, 3)), columns=["a", "b", "c"])
    df["churned"] = (rng.random(800) < 0.3).astype(int)
    res = crm.churn_model(df, ["a", "b", "c"], seed=0, cv=4)
    assert (res.metrics["auc"].sub(0.5).abs() < 0.07).all()


def test_threshold_analysis_contact_list_and_predict(signal_model):
    res = signal_model
    t = res.threshold_analysis(thresholds=[0.7])
    contact = res.contact_list(threshold=0.7)
    assert len(contact) == t["n_contacted"].iloc[0]
    assert (contact["probability"] >= 0.7).all()
    assert contact["probability"].is_monotonic_decreasing and contact["rank"].tolist() == list(range(1, len(contact) + 1))
    assert len(res.contact_list(threshold=0.0, top=10)) == 10
    new = _data(20, 2.0, 9)
    p = res.predict(new, model="gbm")
    assert p.between(0, 1).all() and p.index.equals(new.index)
    assert res.calibration.groupby("model").size().min() >= 5
    assert set(res.gains["model"]) == {"logistic", "gbm"}


def test_summary_and_plots(signal_model):
    import matplotlib.pyplot as plt

    text = signal_model.summary().as_text()
    assert "Cross-validated performance" in text and "Gains and lift" in text
    fig = signal_model.plot()
    assert len(fig.axes) == 4
    for kind in ("roc", "calibration", "gains", "threshold"):
        signal_model.plot(kind=kind)
    plt.close("all")


def test_churn_model_bad_input():
    df = _data(100, 1.0, 2)
    with pytest.raises(CRMInputError, match="also listed in 'features'"):
        crm.churn_model(df, ["recency", "churned"])
    bad = df.assign(churned=df["churned"].replace({1: 2}))
    with pytest.raises(CRMInputError, match="must be 0/1"):
        crm.churn_model(bad, ["recency"])
    with pytest.raises(CRMInputError, match="'models' parameter of churn_model must be one of"):
        crm.churn_model(df, ["recency"], models=["forest"])
    few = df.assign(churned=[1, 1] + [0] * 98)
    with pytest.raises(CRMInputError, match="2 event"):
        crm.churn_model(few, ["recency"], cv=5)


def test_gains_table_text_scores_raise_crm_error_and_persian_digits_are_read():
    # review: non-numeric scores used to escape as numpy's bare "could not convert string to float"
    with pytest.raises(CRMInputError, match="'score' of gains_table must hold numbers.*'high'"):
        crm.gains_table([1, 0, 1, 0] * 5, ["high"] * 20, bins=2)
    y = [1, 0, 1, 0, 1, 0]
    latin = crm.gains_table(y, [0.9, 0.1, 0.8, 0.2, 0.7, 0.3], bins=2)
    persian = crm.gains_table(y, ["۰.۹", "۰.۱", "۰.۸", "۰.۲", "۰.۷", "۰.۳"], bins=2)
    pd.testing.assert_frame_equal(latin, persian)


def test_churn_model_target_col_and_its_old_name(signal_model):
    import dataclasses

    data = _data(800, 2.0, 1).rename(columns={"churned": "left"})
    new = crm.churn_model(data, ["recency", "frequency", "noise"], "left", models="logistic", seed=0, cv=4)
    with pytest.warns(FutureWarning, match="'target' is now called 'target_col'"):
        old = crm.churn_model(data, ["recency", "frequency", "noise"], target="left", models="logistic", seed=0, cv=4)
    pd.testing.assert_frame_equal(new.metrics, old.metrics)
    assert new.target == "left" and new.title == "Churn model"
    assert dataclasses.is_dataclass(signal_model) and signal_model.best_model in ("logistic", "gbm")
