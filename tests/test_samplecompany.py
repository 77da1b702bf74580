"""The sample company generator: schema, integrity, reproducibility and the ground truth built in.

Reference values here are the generator's own design constants (there is no R or published
number for a simulated company): each test checks that the *data* recover the mechanism
documented in ``truth`` within sampling error, so a bug that breaks a mechanism fails.
"""

import gzip
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import crm_research as crm
from crm_research.core.persian import normalize_digits
from crm_research.data.datasets import dataset_path
from crm_research.data.samplecompany import (
    CATEGORIES,
    COMPLAINT_LOGIT,
    DATA_TABLES,
    LOYALTY_RATE_RATIO,
    SCHEMA,
    TRANSITION,
    _csv_text,
)

ROOT = Path(__file__).resolve().parent.parent
# the writer of datasets/sample_company/ is a script of tools/, outside the package
_spec = importlib.util.spec_from_file_location("make_sample_company", ROOT / "tools" / "make_sample_company.py")
make_sample_company = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_sample_company)

END = pd.Timestamp("2024-12-31")
START = pd.Timestamp("2022-01-01")


@pytest.fixture(scope="module")
def shipped():
    return crm.load_dataset("sample_company")


@pytest.fixture(scope="module")
def small():
    return crm.generate_sample_company(n_customers=600, n_orders=5000, seed=11)


@pytest.fixture(scope="module")
def big():
    # large enough that every built-in effect is measured to a few percent (about 2 s)
    return crm.generate_sample_company(n_customers=30000, n_orders=300000, seed=7)


def _person_of(company):
    return company.truth["records"].set_index("customer_id")["person_id"]


# --- loading, sizes, schema ---------------------------------------------------------------------


def test_load_dataset_returns_the_company_and_single_tables(shipped):
    assert isinstance(shipped, crm.SampleCompany)
    assert len(shipped.customers) == 5000
    assert abs(len(shipped.transactions) / 50000 - 1) < 0.02
    tx = crm.load_dataset("sample_company/transactions")
    assert isinstance(tx, pd.DataFrame) and len(tx) == len(shipped.transactions)
    assert set(shipped.tables()) == set(DATA_TABLES)
    assert set(shipped.tables(truth=True)) == set(SCHEMA)


def test_every_table_has_the_schema_columns_and_dtypes(small):
    for name, frame in small.tables(truth=True).items():
        assert list(frame.columns) == list(SCHEMA[name]), name
        for col, (kind, *_) in SCHEMA[name].items():
            dtype = frame[col].dtype
            if kind == "id":
                assert dtype == np.int64, (name, col, dtype)
            elif kind == "cat":
                assert isinstance(dtype, pd.CategoricalDtype), (name, col, dtype)
            elif kind == "date":
                assert pd.api.types.is_datetime64_any_dtype(dtype), (name, col, dtype)
            elif kind == "bool":
                assert pd.api.types.is_bool_dtype(dtype) and dtype.kind == "b", (name, col, dtype)


def test_shipped_files_equal_a_regeneration_with_the_default_seed(shipped):
    fresh = crm.generate_sample_company()
    for name, frame in fresh.tables(truth=True).items():
        pd.testing.assert_frame_equal(frame, shipped.tables(truth=True)[name], check_exact=False, rtol=1e-9)
    # and the CSV text of every shipped file is the same, byte for byte
    for name in SCHEMA:
        new = _csv_text(fresh.tables(truth=True)[name]).encode("utf-8")
        old = gzip.decompress(dataset_path("sample_company", f"{name}.csv.gz").read_bytes())
        assert new == old, name


def test_catalogue_entry_matches_the_generator(shipped):
    with open(dataset_path("catalog", "sample_company.yaml"), encoding="utf-8") as fh:
        committed = yaml.safe_load(fh)
    assert committed == make_sample_company.catalog_entry(shipped), "run python tools/make_sample_company.py"
    dictionary = crm.data_dictionary("sample_company")
    assert set(dictionary["table"]) == set(SCHEMA)
    assert (dictionary["meaning"].str.len() > 0).all()


def test_n_orders_is_hit_within_a_few_percent():
    for n_customers, n_orders, seed in [(300, 2000, 1), (2000, 30000, 2), (40, 400, 3)]:
        company = crm.generate_sample_company(n_customers, n_orders=n_orders, seed=seed)
        assert len(company.customers) == n_customers
        assert abs(len(company.transactions) / n_orders - 1) < 0.03, (n_customers, n_orders)


def test_the_same_seed_gives_the_same_company_and_another_seed_does_not(small):
    again = crm.generate_sample_company(n_customers=600, n_orders=5000, seed=11)
    for name, frame in small.tables(truth=True).items():
        pd.testing.assert_frame_equal(frame, again.tables(truth=True)[name])
    other = crm.generate_sample_company(n_customers=600, n_orders=5000, seed=12)
    assert not other.transactions["amount"].head(50).equals(small.transactions["amount"].head(50))


# --- referential integrity ----------------------------------------------------------------------


@pytest.mark.parametrize("which", ["shipped", "small"])
def test_referential_integrity_and_dates(which, request):
    c = request.getfixturevalue(which)
    cu, tx, ct, cp, ws = c.customers, c.transactions, c.contacts, c.campaigns, c.web_sessions
    ids = set(cu["customer_id"])
    assert cu["customer_id"].is_unique and tx["order_id"].is_unique
    assert ct["contact_id"].is_unique and ws["session_id"].is_unique
    for frame in (tx, ct, ws):
        assert frame["customer_id"].isin(ids).all()
    assert cp["customer_id"].dropna().isin(ids).all()
    orders = set(tx["order_id"])
    for frame in (ct, cp, ws):
        assert frame["order_id"].dropna().isin(orders).all()
    start = c.transactions["order_date"].min()
    for frame, col in [(tx, "order_date"), (ct, "contact_date"), (ws, "session_date"), (cu, "acquisition_date")]:
        assert frame[col].between(START, END).all(), col
    assert start >= START
    assert (tx["actual_delivery_date"] >= tx["order_date"]).all()
    assert (tx["promised_delivery_date"] >= tx["order_date"]).all()
    store = tx["channel"] == "store"
    assert (tx.loc[store, "actual_delivery_date"] == tx.loc[store, "order_date"]).all()
    # every record's acquisition date is the date of its first order
    first = tx.groupby("customer_id")["order_date"].min()
    assert (cu.set_index("customer_id")["acquisition_date"] == first.reindex(cu["customer_id"])).all()
    # ids follow acquisition date, order ids follow order date
    assert cu["acquisition_date"].is_monotonic_increasing
    assert tx["order_date"].is_monotonic_increasing
    # loyalty members joined after the programme opened and after their acquisition
    members = cu[cu["loyalty_member"]]
    assert (members["loyalty_join_date"] >= members["acquisition_date"]).all()
    assert members["loyalty_join_date"].notna().all() and cu.loc[~cu["loyalty_member"], "loyalty_join_date"].isna().all()
    # campaign responses: revenue and order match the transactions
    resp = cp[cp["responded"]]
    amounts = tx.set_index("order_id")["amount"]
    np.testing.assert_allclose(resp["revenue"], amounts.loc[resp["order_id"].astype("int64")].to_numpy())
    assert (cp.loc[~cp["responded"], "revenue"] == 0).all()
    assert cp.loc[cp["responded"], "refusal_reason"].isna().all()
    assert cp.loc[cp["cell"] == "control", "refusal_reason"].isna().all()
    # only treated responders redeem the campaign's code
    redeemed = tx.dropna(subset=["campaign_id"])
    treated = cp[cp["responded"] & (cp["cell"] != "control") & (cp["campaign_type"] != "prospecting")]
    assert set(redeemed["order_id"]) == set(treated["order_id"].astype("int64"))


# --- the ground truth ---------------------------------------------------------------------------


def test_churned_persons_place_no_organic_order_after_their_churn_date(big):
    tr = big.truth
    orders = big.transactions[["order_id", "order_date"]].merge(tr["orders"], on="order_id")
    persons = tr["persons"].set_index("person_id")
    orders["churn_date"] = orders["person_id"].map(persons["churn_date"])
    after = orders[orders["order_date"] > orders["churn_date"]]
    assert (after["origin"] == "campaign").all()
    # the churn date is the date of the last organic order
    organic = orders[orders["origin"] == "organic"]
    last = organic.groupby("person_id")["order_date"].max()
    churned = persons[persons["churned"]]
    assert (last.loc[churned.index] == churned["churn_date"]).all()
    # the only post-churn orders are win-back responses, one per won-back person
    wb = big.campaigns[(big.campaigns["campaign_type"] == "win_back") & big.campaigns["responded"]]
    assert set(after["order_id"]) == set(wb["order_id"].astype("int64"))
    assert persons["won_back"].sum() == len(wb)
    assert persons.loc[persons["won_back"], "churned"].all()
    assert tr["persons"]["n_orders"].sum() == len(big.transactions)
    # BG/NBD: P(still active at the end | lambda, p) falls with p; compare the extreme quartiles of p
    q = persons["dropout_prob"].quantile([0.25, 0.75])
    low, high = persons[persons["dropout_prob"] < q.iloc[0]], persons[persons["dropout_prob"] > q.iloc[1]]
    assert high["churned"].mean() > low["churned"].mean() + 0.2


def test_records_map_to_persons_and_duplicates_are_typed_variants(shipped):
    rec = shipped.truth["records"]
    persons = shipped.truth["persons"]
    assert set(rec["customer_id"]) == set(shipped.customers["customer_id"])
    assert rec["person_id"].isin(persons["person_id"]).all()
    counts = rec.groupby("person_id").size()
    assert counts.max() == 2 and (counts == 2).sum() == rec["is_duplicate"].sum()
    assert 0.02 < rec["is_duplicate"].mean() < 0.04
    # the primary record of each person is persons.customer_id
    primary = rec[~rec["is_duplicate"]].set_index("person_id")["customer_id"]
    assert (primary.loc[persons["person_id"]].to_numpy() == persons["customer_id"].to_numpy()).all()
    cust = shipped.customers.set_index("customer_id")
    dup = rec[rec["is_duplicate"]].copy()
    dup["primary"] = dup["person_id"].map(primary)
    a, b = cust.loc[dup["customer_id"]], cust.loc[dup["primary"]]

    def phone_key(s):
        s = normalize_digits(s).replace(" ", "").replace("-", "")
        return "0" + s[3:] if s.startswith("+98") else "0" + s[4:] if s.startswith("0098") else s

    def email_key(s):
        local, _, domain = s.lower().partition("@")
        if domain in ("gmail.com", "googlemail.com"):
            local, domain = local.replace(".", ""), "gmail.com"
        return local + "@" + domain

    for (_, row), x, y in zip(dup.iterrows(), a.itertuples(), b.itertuples()):
        assert x.gender == y.gender and x.age_band == y.age_band
        if row["phone_variant"] == "missing":
            assert pd.isna(x.phone)
        else:
            assert phone_key(x.phone) == y.phone
            assert (x.phone == y.phone) == (row["phone_variant"] == "same")
        if row["email_variant"] == "missing" or pd.isna(y.email):
            continue
        if row["email_variant"] == "typo":
            assert x.email != y.email and len(x.email) >= len(y.email) - 1
        else:
            assert email_key(x.email) == email_key(y.email)
            assert (x.email == y.email) == (row["email_variant"] == "same")
    # some of each kind of variant are present
    assert {"persian_digits", "plus98", "spaces"} <= set(dup["phone_variant"])
    assert {"googlemail", "typo", "case"} <= set(dup["email_variant"])
    assert {"persian_script", "spelling"} <= set(dup["name_variant"])


def test_segments_differ_in_needs_and_value(big):
    tr = big.truth
    orders = big.transactions.merge(tr["orders"][["order_id", "person_id"]], on="order_id")
    orders["segment"] = orders["person_id"].map(tr["persons"].set_index("person_id")["segment"])
    share = pd.crosstab(orders["segment"], orders["category"], normalize="index")
    assert share.loc["tech_enthusiasts", "electronics"] > 0.35
    assert share.loc["style_seekers", ["fashion", "beauty"]].sum() > 0.6
    spend = orders.groupby("segment", observed=True)["amount"].mean()
    assert spend.idxmax() == "tech_enthusiasts"
    store = pd.crosstab(orders["segment"], orders["channel"], normalize="index")["store"]
    assert store.idxmax() == "traditional_buyers"
    assert set(tr["segments"]["segment"]) == set(tr["persons"]["segment"].cat.categories)


def _fit_decay(weeks, responders, sizes):
    """MLE of p_w = exp(a - k (w - 1)) from binomial counts (Newton-Raphson); returns k and its s.e."""
    x = np.asarray(weeks, float) - 1
    y, n = np.asarray(responders, float), np.asarray(sizes, float)
    theta = np.array([np.log(y[0] / n[0]), 0.3])
    for _ in range(50):
        p = np.exp(theta[0] - theta[1] * x)
        grad_p = np.column_stack([p, -x * p])
        score = grad_p.T @ ((y - n * p) / (p * (1 - p)))
        info = (grad_p * (n / (p * (1 - p)))[:, None]).T @ grad_p
        theta = theta + np.linalg.solve(info, score)
    return theta[1], np.sqrt(np.linalg.inv(info)[1, 1])


def test_win_back_response_in_week_one_is_four_times_week_four(big):
    tr = big.truth
    cp = big.campaigns
    wb = cp[(cp["campaign_type"] == "win_back")].copy()
    persons = tr["persons"].set_index("person_id")
    churn = wb["customer_id"].astype("int64").map(_person_of(big)).map(persons["churn_date"])
    wb["week"] = (wb["contact_date"] - churn).dt.days // 7 + 1
    assert wb["week"].between(1, 8).all()
    assert not wb.loc[wb["cell"] == "control", "responded"].any()  # controls were not contacted
    g = wb[wb["cell"] != "control"].groupby("week")["responded"].agg(["sum", "size"])
    k, se = _fit_decay(g.index, g["sum"], g["size"])
    ratio = np.exp(3 * k)
    assert abs(np.log(ratio) - np.log(4)) < 3 * 3 * se, (ratio, se)
    assert 3.3 < ratio < 4.8
    np.testing.assert_allclose(tr["win_back"]["relative_response"].iloc[3], 0.25)


def test_second_purchase_follows_the_transition_matrix(big):
    tr = big.truth
    orders = big.transactions[["order_id", "category"]].merge(tr["orders"], on="order_id")
    organic = orders[orders["origin"] == "organic"]
    first = organic[organic["purchase_number"] == 0].set_index("person_id")["category"]
    second = organic[organic["purchase_number"] == 1].set_index("person_id")["category"]
    counts = pd.crosstab(first.loc[second.index].to_numpy(), second.to_numpy()).reindex(
        index=CATEGORIES, columns=CATEGORIES, fill_value=0)
    n = counts.sum(axis=1).to_numpy()[:, None]
    observed = counts.to_numpy() / n
    se = np.sqrt(TRANSITION * (1 - TRANSITION) / n)
    assert (np.abs(observed - TRANSITION) < 4.5 * se).all(), np.abs(observed - TRANSITION).max()
    table = tr["transition"].pivot(index="first_category", columns="second_category", values="prob")
    np.testing.assert_allclose(table.loc[CATEGORIES, CATEGORIES].to_numpy(), TRANSITION)
    np.testing.assert_allclose(TRANSITION.sum(axis=1), 1.0)


def test_loyalty_effect_is_causal_rate_ratio_and_naive_comparison_is_biased(big):
    tr = big.truth
    persons = tr["persons"].set_index("person_id")
    members = persons[persons["loyalty_member"]]
    orders = big.transactions[["order_id", "order_date"]].merge(tr["orders"], on="order_id")
    orders = orders[(orders["origin"] == "organic") & orders["person_id"].isin(members.index)]
    orders = orders[orders["order_date"] > orders["person_id"].map(members["loyalty_join_date"])]
    stop = members["churn_date"].fillna(END + pd.Timedelta(days=1))
    exposure = members["purchase_rate"] / 365 * (stop - members["loyalty_join_date"]).dt.days
    # after joining, members buy at loyalty_rate_ratio times their own base rate
    ratio = len(orders) / exposure.sum()
    assert abs(ratio - LOYALTY_RATE_RATIO) < 0.05, ratio
    # the naive comparison a student would make from the data (orders per year since acquisition,
    # members vs non-members) is far above the causal 1.25: heavy buyers select into the programme
    cu = big.customers
    n = big.transactions.groupby("customer_id").size()
    years = (END + pd.Timedelta(days=1) - cu["acquisition_date"]).dt.days / 365
    naive = cu.assign(n=cu["customer_id"].map(n), years=years).groupby("loyalty_member")[["n", "years"]].sum()
    rate = naive["n"] / naive["years"]
    assert rate[True] / rate[False] > 1.6 * LOYALTY_RATE_RATIO
    # part of the gap is there by construction: members' own base purchase rates are higher
    assert persons.groupby("loyalty_member")["purchase_rate"].mean().pipe(lambda r: r[True] / r[False]) > 1.2


def test_campaign_uplift_differs_by_segment_as_designed(big):
    cp = big.campaigns[big.campaigns["campaign_type"] == "cross_sell"].copy()
    seg = big.truth["persons"].set_index("person_id")["segment"]
    cp["segment"] = cp["customer_id"].astype("int64").map(_person_of(big)).map(seg)
    cp["treated"] = cp["cell"] != "control"
    rates = cp.groupby(["segment", "treated"], observed=True)["responded"].agg(["mean", "size"])
    effects = big.truth["campaign_effects"]
    design = effects[effects["campaign_type"] == "cross_sell"].groupby("segment", observed=True)["uplift"].first()
    for s in design.index:
        t, c = rates.loc[(s, True)], rates.loc[(s, False)]
        uplift = t["mean"] - c["mean"]
        se = np.sqrt(t["mean"] * (1 - t["mean"]) / t["size"] + c["mean"] * (1 - c["mean"]) / c["size"])
        assert abs(uplift - design[s]) < 4 * se + 0.005, (s, uplift, design[s], se)
    assert design.idxmax() == "style_seekers" and design["traditional_buyers"] < 0


def test_campaigns_respect_marketing_permission(shipped):
    cp, cu = shipped.campaigns, shipped.customers.set_index("customer_id")
    for ctype, col in [("cross_sell", "email_opt_in"), ("loyalty", "sms_opt_in")]:
        targets = cp.loc[cp["campaign_type"] == ctype, "customer_id"].astype("int64")
        assert len(targets) > 100 and cu.loc[targets, col].all(), ctype
    loyal = cp.loc[cp["campaign_type"] == "loyalty", "customer_id"].astype("int64")
    assert cu.loc[loyal, "loyalty_member"].all()


def test_prospecting_and_refusals(big):
    cp = big.campaigns
    pr = cp[cp["campaign_type"] == "prospecting"]
    assert pr["prospect_id"].notna().all() and pr["prospect_id"].is_unique
    assert (pr["customer_id"].notna() == pr["responded"]).all()
    new = big.customers[big.customers["customer_id"].isin(pr["customer_id"].dropna())]
    assert (new["acquisition_channel"] == "campaign").all()
    assert abs(pr["responded"].mean() - 0.03) < 0.01
    refusals = cp.dropna(subset=["refusal_reason"])
    seg = big.truth["persons"].set_index("person_id")["segment"]
    ref = refusals[refusals["customer_id"].notna()]
    ref = ref.assign(segment=ref["customer_id"].astype("int64").map(_person_of(big)).map(seg))
    price = pd.crosstab(ref["segment"], ref["refusal_reason"], normalize="index")["price"]
    assert price.idxmax() == "value_seekers"  # the most price-sensitive segment


def _logit_fit(x, y):
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(30):
        p = 1 / (1 + np.exp(-X @ beta))
        info = (X * (p * (1 - p))[:, None]).T @ X
        beta = beta + np.linalg.solve(info, X.T @ (y - p))
    return beta, np.sqrt(np.diag(np.linalg.inv(info)))


def test_late_deliveries_raise_complaints_as_designed(big):
    orders = big.truth["orders"].set_index("order_id")
    # complaints are dated after delivery; keep orders whose complaint could fall inside the window
    tx = big.transactions.set_index("order_id")
    keep = tx["actual_delivery_date"] <= END - pd.Timedelta(days=3)
    late = orders.loc[keep[keep].index, "days_late"].to_numpy(float)
    complaints = big.contacts[big.contacts["purpose"] == "complaint"]["order_id"].astype("int64")
    y = keep[keep].index.isin(complaints).astype(float)
    beta, se = _logit_fit(late, y)
    assert np.all(np.abs(beta - np.array(COMPLAINT_LOGIT)) < 4 * se), (beta, se)
    delay = (tx["actual_delivery_date"] - tx["promised_delivery_date"]).dt.days.clip(lower=0)
    np.testing.assert_array_equal(delay.to_numpy(), orders.loc[tx.index, "days_late"].to_numpy())


def test_contact_costs_follow_the_primers_ratios(shipped):
    ct = shipped.contacts
    customer = ct[(ct["initiated_by"] == "customer") & (ct["purpose"] != "complaint")]
    cost = customer.groupby("channel", observed=True)["cost"].agg(["min", "max"])
    assert (cost["min"] == cost["max"]).all()
    assert cost.loc["store", "min"] / cost.loc["contact_centre", "min"] == 10
    assert cost.loc["contact_centre", "min"] / cost.loc["web", "min"] == 20
    complaint = ct[ct["purpose"] == "complaint"].groupby("channel", observed=True)["cost"].first()
    assert complaint["store"] / complaint["contact_centre"] == 10
    firm = ct[ct["initiated_by"] == "firm"]
    assert firm["campaign_id"].notna().all() and (firm["purpose"] == "sales").all()


def test_web_sessions_link_converting_sessions_to_online_orders(shipped):
    ws, tx = shipped.web_sessions, shipped.transactions
    conv = ws[ws["converted"]]
    assert conv["order_id"].notna().all() and ws.loc[~ws["converted"], "order_id"].isna().all()
    online = tx[tx["channel"].isin(["web", "app"])]
    assert set(conv["order_id"].astype("int64")) == set(online["order_id"])
    assert (ws["pages"] >= 1).all() and (ws["duration_sec"] > 0).all()


# --- output, summary, errors --------------------------------------------------------------------


def test_summary_text_html_and_plot(small):
    text = small.summary().as_text()
    assert "Parsian Online" in text and "transactions" in text and "value_seekers" in text
    assert "<table" in small._repr_html_()
    import matplotlib

    matplotlib.use("Agg")
    ax = small.plot()
    assert ax.get_ylabel() == "orders"
    assert small.param("loyalty_rate_ratio") == LOYALTY_RATE_RATIO
    sizes = small.to_frame()
    assert sizes.loc["transactions", "rows"] == len(small.transactions)
    with pytest.raises(crm.CRMInputError, match="'truth'"):
        small.tables(truth="yes")


def test_to_csv_round_trips_and_is_atomic(small, tmp_path, monkeypatch):
    paths = small.to_csv(tmp_path / "co")
    assert {p.name for p in paths} == {f"{t}.csv.gz" for t in SCHEMA}
    tables = {p.name[: -len(".csv.gz")]: pd.read_csv(p) for p in paths}
    again = crm.SampleCompany.from_tables(tables)
    for name, frame in small.tables(truth=True).items():
        pd.testing.assert_frame_equal(frame, again.tables(truth=True)[name], check_exact=False, rtol=1e-12)
    # a failure half-way leaves neither files nor temporary folders behind
    calls = {"n": 0}
    original = pd.DataFrame.to_csv

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", failing)
    with pytest.raises(OSError, match="disk full"):
        small.to_csv(tmp_path / "broken")
    assert not (tmp_path / "broken").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["co"]


def test_from_tables_does_not_mutate_its_input_and_checks_it(small):
    tables = {k: v.astype({c: "string" for c in v.select_dtypes("category").columns})
              for k, v in small.tables().items()}
    before = {k: v.copy() for k, v in tables.items()}
    company = crm.SampleCompany.from_tables(tables)
    for k in tables:
        pd.testing.assert_frame_equal(tables[k], before[k])
    assert company.truth == {}
    with pytest.raises(crm.CRMInputError, match="lacks table"):
        crm.SampleCompany.from_tables({"customers": small.customers})
    with pytest.raises(crm.CRMInputError, match="unknown table"):
        crm.SampleCompany.from_tables({**small.tables(), "orders": small.transactions})
    bad = {**small.tables(), "customers": small.customers.drop(columns="email")}
    with pytest.raises(crm.CRMInputError, match="'email'"):
        crm.SampleCompany.from_tables(bad)
    wrong = {**small.tables(), "transactions": small.transactions.assign(channel="fax")}
    with pytest.raises(crm.CRMInputError, match="'channel'.*'fax'"):
        crm.SampleCompany.from_tables(wrong)
    with pytest.raises(crm.CRMInputError, match="param"):
        company.param("loyalty_rate_ratio")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_customers": -5}, r"'n_customers' parameter of generate_sample_company must be an int in the range \[10"),
        ({"n_customers": 5.5}, "'n_customers'"),
        ({"n_orders": 100, "n_customers": 200}, "'n_orders'.*at least n_customers=200"),
        ({"n_orders": 10**9, "n_customers": 100}, "'n_orders'.*too large"),
        ({"seed": -1}, "'seed'"),
        ({"seed": "abc"}, "'seed'"),
        ({"start": "not a date"}, "'start'.*a date"),
        ({"end": "2022-02-01"}, "'end'.*at least 180 days"),
        ({"duplicate_rate": 0.5}, r"'duplicate_rate'.*\[0.0, 0.2\]"),
    ],
)
def test_bad_arguments_raise_input_errors(kwargs, message):
    args = {"n_customers": 50, "n_orders": 400, "seed": 1}
    args.update(kwargs)
    with pytest.raises(crm.CRMInputError, match=message):
        crm.generate_sample_company(**args)


def test_to_csv_rejects_a_non_path(small):
    with pytest.raises(crm.CRMInputError, match="'folder'"):
        small.to_csv(42)


def test_other_windows_and_no_duplicates():
    c = crm.generate_sample_company(200, n_orders=1500, seed=5, start="2020-03-01", end="2020-12-31", duplicate_rate=0)
    assert not c.truth["records"]["is_duplicate"].any()
    assert c.transactions["order_date"].between("2020-03-01", "2020-12-31").all()
    assert len(c.customers) == 200


def test_lexorder_equals_numpy_lexsort():
    from crm_research.data.samplecompany import _lexorder

    rng = np.random.default_rng(0)
    keys = (rng.random(500).round(2), rng.integers(0, 7, 500), rng.integers(100, 140, 500).astype(float))
    np.testing.assert_array_equal(_lexorder(*keys), np.lexsort(keys))


def test_seed_none_gives_a_fresh_company():
    a = crm.generate_sample_company(50, n_orders=400, seed=None)
    assert len(a.customers) == 50 and a.param("seed") == -1
