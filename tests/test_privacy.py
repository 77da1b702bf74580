"""Privacy step: consent filtering, salted pseudonymisation and k-anonymity."""

import hashlib

import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError


@pytest.fixture(scope="module")
def company():
    return crm.generate_sample_company(n_customers=400, n_orders=2500, seed=11)


def test_filter_consent_keeps_only_opted_in_reachable_customers(company):
    cu = company.customers
    before = cu.copy()
    out = crm.filter_consent(cu, "email")
    expected = cu[cu["email_opt_in"] & cu["email"].notna()]["customer_id"]
    assert out["customer_id"].tolist() == expected.tolist()
    pd.testing.assert_frame_equal(cu, before)  # the caller's frame is untouched
    sms = crm.filter_consent(cu, "sms")
    assert sms["sms_opt_in"].all() and sms["phone"].notna().all()


def test_filter_consent_errors(company):
    with pytest.raises(CRMInputError, match="channel"):
        crm.filter_consent(company.customers, "fax")
    with pytest.raises(CRMInputError, match="email_opt_in"):
        crm.filter_consent(company.customers.drop(columns="email_opt_in"), "email")


def test_pseudonymise_is_salted_sha256_and_drops_direct_identifiers(company):
    cu = company.customers
    out = crm.pseudonymise(cu, "customer_id", salt="course-2026-salt")
    first = str(cu["customer_id"].iloc[0])
    assert out["customer_id"].iloc[0] == hashlib.sha256(("course-2026-salt\x1f" + first).encode()).hexdigest()[:16]
    assert out["customer_id"].is_unique
    for col in ("first_name", "last_name", "email", "phone"):
        assert col not in out.columns
    assert "course-2026-salt" not in out.to_csv()  # the salt never travels with the data
    other = crm.pseudonymise(cu, "customer_id", salt="another-salt-1")
    assert (other["customer_id"] != out["customer_id"]).all()
    # same salt, same pseudonym: tables can still be joined
    tx = crm.pseudonymise(company.transactions, "customer_id", salt="course-2026-salt")
    assert set(tx["customer_id"]) <= set(out["customer_id"])


@pytest.mark.parametrize("salt", [None, "", "short", 12345678])
def test_pseudonymise_requires_a_real_salt(company, salt):
    with pytest.raises(CRMInputError, match="salt"):
        crm.pseudonymise(company.customers, "customer_id", salt=salt)


def test_k_anonymity_counts_classes():
    d = pd.DataFrame({"region": ["A", "A", "A", "B", "B", "C"], "gender": ["f", "f", "f", "m", "m", "m"],
                      "x": range(6)})
    res = crm.k_anonymity(d, ["region", "gender"], k=2)
    assert res.k == 1 and not res.is_k_anonymous and res.rows_at_risk == 1
    assert res.classes["size"].tolist() == [1, 2, 3]
    assert crm.k_anonymity(d.iloc[:5], ["region", "gender"], k=2).is_k_anonymous
    assert "fewer than 2" in str(res.summary())


def test_check_export_refuses_direct_identifiers(company):
    with pytest.raises(CRMInputError, match="direct identifier.*first_name"):
        crm.check_export(company.customers, ["region", "age_band"])
    with pytest.raises(CRMInputError, match="customer_email"):
        crm.check_export(pd.DataFrame({"customer_email": ["a@b.c"], "region": ["x"]}), ["region"])
    safe = crm.pseudonymise(company.customers, "customer_id", salt="course-2026-salt")
    res = crm.check_export(safe[["customer_id", "region", "gender"]], ["region", "gender"], k=3)
    assert res.k == safe.groupby(["region", "gender"], observed=True).size().min()


def test_k_anonymity_result_renders_and_plots(company):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = crm.k_anonymity(company.customers, ["region", "age_band", "gender"], k=5)
    assert "k_required" in res.summary().as_html()
    assert res.plot() is not None
    assert len(res.to_frame()) == len(res.classes)
    plt.close("all")


def test_review_pseudonyms_join_across_int_and_float_id_columns():
    # review: an id column with a gap is read as float (100001.0), whose pseudonym differed from the
    # int column's (100001), so the pseudonymised tables no longer joined as the docstring promises
    ints = pd.DataFrame({"customer_id": [100001, 100002]})
    floats = pd.DataFrame({"customer_id": [100001.0, float("nan"), 100002.0]})
    a = crm.pseudonymise(ints, "customer_id", salt="s3cret-salt")["customer_id"].tolist()
    b = crm.pseudonymise(floats, "customer_id", salt="s3cret-salt")["customer_id"].tolist()
    assert b[0] == a[0] and b[2] == a[1] and pd.isna(b[1])
    assert a[0] == hashlib.sha256(b"s3cret-salt\x1f100001").hexdigest()[:16]
