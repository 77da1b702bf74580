"""Privacy step: consent filtering, salted pseudonymisation and k-anonymity."""

import hashlib
import hmac

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


def test_pseudonymise_is_keyed_hmac_sha256_and_drops_direct_identifiers(company):
    cu = company.customers
    out = crm.pseudonymise(cu, "customer_id", salt="course-2026-salt")
    first = str(cu["customer_id"].iloc[0])
    expected = hmac.new(b"course-2026-salt", first.encode(), hashlib.sha256).hexdigest()[:32]
    assert out["customer_id"].iloc[0] == expected
    assert out["customer_id"].is_unique
    for col in ("first_name", "last_name", "email", "phone"):
        assert col not in out.columns
    assert "course-2026-salt" not in out.to_csv()  # the salt never travels with the data
    other = crm.pseudonymise(cu, "customer_id", salt="another-salt-2027")
    assert (other["customer_id"] != out["customer_id"]).all()
    # same salt, same pseudonym: tables can still be joined
    tx = crm.pseudonymise(company.transactions, "customer_id", salt="course-2026-salt")
    assert set(tx["customer_id"]) <= set(out["customer_id"])


@pytest.mark.parametrize("salt", [None, "", "short", 12345678, "aaaaaaaa", "a" * 40, "abababababababababab"])
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
    a = crm.pseudonymise(ints, "customer_id", salt="s3cret-salt-of-the-course")["customer_id"].tolist()
    b = crm.pseudonymise(floats, "customer_id", salt="s3cret-salt-of-the-course")["customer_id"].tolist()
    assert b[0] == a[0] and b[2] == a[1] and pd.isna(b[1])
    assert a[0] == hmac.new(b"s3cret-salt-of-the-course", b"100001", hashlib.sha256).hexdigest()[:32]


# -- issue 16: direct identifiers by normalised name (EN/FA), raw ids, free text; pseudonym strength ------


@pytest.mark.parametrize("column", ["E-Mail", "Email Address", "PhoneNumber", "tel", "national_code", "ایمیل",
                                    "شماره موبایل", "کد ملی", "Mobile No.", "customer_id", "CustomerID", "نام مشتری"])
def test_issue16_check_export_refuses_identifiers_by_normalised_name(column):
    values = ["x1", "x2", "x3", "x4", "x5", "x6"] if "id" not in column.lower() else [1, 2, 3, 4, 5, 6]
    data = pd.DataFrame({column: values, "region": ["A"] * 6})
    with pytest.raises(CRMInputError, match="direct identifier"):
        crm.check_export(data, ["region"], k=2)


@pytest.mark.parametrize("note", ["call me at 0912 345 6789", "mail: Ali.Rezaei@example.ir", "۰۹۱۲۳۴۵۶۷۸۹",
                                  "+98-912-345-6789 after 5", "office 021-88776655"])
def test_issue16_check_export_scans_free_text(note):
    data = pd.DataFrame({"notes": ["nice customer"] * 5 + [note], "region": ["A"] * 6})
    with pytest.raises(CRMInputError, match="'notes'"):
        crm.check_export(data, ["region"], k=2)


def test_issue16_check_export_accepts_pseudonymised_ids_flags_and_plain_text(company):
    safe = crm.pseudonymise(company.customers, "customer_id", salt="course-2026-salt")
    assert "email_opt_in" in safe.columns  # a yes/no flag identifies no one
    safe = safe.assign(notes="order 12345 delivered", total=120000.5)
    res = crm.check_export(safe[["customer_id", "email_opt_in", "notes", "total", "region"]], ["region"], k=2)
    assert res.k >= 2


def test_issue16_one_phone_written_four_ways_is_one_pseudonym():
    phones = pd.DataFrame({"phone": ["09123456789", "+98 912 345 6789", "0098-912-345-6789", "۰۹۱۲۳۴۵۶۷۸۹",
                                     "09120000000"]})
    out = crm.pseudonymise(phones, "phone", salt="course-2026-salt")["phone"]
    assert out.iloc[:4].nunique() == 1 and out.iloc[4] != out.iloc[0]
    mails = pd.DataFrame({"contact": ["Ali@Example.ir", " ali@example.ir"]})
    assert crm.pseudonymise(mails, "contact", salt="course-2026-salt")["contact"].nunique() == 1


def test_issue16_collisions_are_refused_not_merged(monkeypatch):
    from crm_research.data import privacy

    # a digest that maps every id onto two codes makes collisions certain
    monkeypatch.setattr(privacy, "_digest", lambda value, key, length: ("0" if int(value) % 2 else "1") * length)
    with pytest.raises(CRMInputError, match="same pseudonym"):
        crm.pseudonymise(pd.DataFrame({"customer_id": [1, 2, 3]}), "customer_id", salt="course-2026-salt")


def test_issue16_default_length_is_128_bits_and_short_lengths_are_refused():
    out = crm.pseudonymise(pd.DataFrame({"customer_id": [1]}), "customer_id", salt="course-2026-salt")
    assert len(out["customer_id"].iloc[0]) == 32
    with pytest.raises(CRMInputError, match="length"):
        crm.pseudonymise(pd.DataFrame({"customer_id": [1]}), "customer_id", salt="course-2026-salt", length=8)
