"""The sample company: a seeded synthetic online retailer with built-in ground truth.

*Parsian Online* (پارسیان آنلاین) is an imaginary Iranian online retailer whose
customer database holds the five kinds of data of the first step of Winer's
(2001) CRM process: descriptive data about customers, their transactions,
their contacts with the firm (initiated by either side, for sales or service),
their responses to marketing stimuli (campaigns), and other data (web
sessions).  Because the data are simulated, the *true* mechanisms behind them
are known and returned in ``SampleCompany.truth``, so every later analysis in
the toolkit (deduplication, segmentation, RFM, CLV, churn, uplift, complaint
analysis) can be checked against the answer.

:func:`generate_sample_company` builds a company of any size (fully vectorised
NumPy, one ``numpy.random.Generator(PCG64(seed))``); the default company is
shipped as ``datasets/sample_company/`` (written from a clone by
``python tools/make_sample_company.py``, with its catalogue entry) and loaded
with ``crm.load_dataset("sample_company")``.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Summary
from crm_research.core.validation import check_bool, check_int, check_number, check_seed, param_error

__all__ = ["SampleCompany", "generate_sample_company"]

COMPANY_NAME = "Parsian Online"
COMPANY_NAME_FA = "پارسیان آنلاین"
DEFAULT_SEED = 2001  # Winer (2001), whose step 1 the database follows
DEFAULT_START = "2022-01-01"
DEFAULT_END = "2024-12-31"

# ---------------------------------------------------------------------------
# The design: segments, categories and the effects built into the data.
# ---------------------------------------------------------------------------
CATEGORIES = [
    "electronics", "fashion", "beauty", "home_kitchen",
    "groceries", "books_media", "toys_kids", "sports_outdoors",
]
# relative price level of a category (multiplies the segment's basket size)
CATEGORY_PRICE = np.array([2.2, 1.0, 0.6, 1.2, 0.45, 0.35, 0.8, 1.1])

ORDER_CHANNELS = ["web", "app", "store", "phone"]
CONTACT_CHANNELS = ["web", "email", "sms", "phone", "contact_centre", "store"]
ACQUISITION_CHANNELS = ["web", "app", "store", "phone", "referral", "social_media", "campaign"]
REGIONS = ["Tehran", "Isfahan", "Khorasan Razavi", "Fars", "East Azerbaijan", "Khuzestan", "Mazandaran", "Other"]
REGION_SHARE = np.array([0.32, 0.10, 0.10, 0.08, 0.07, 0.06, 0.07, 0.20])
REGION_PROMISE_DAYS = np.array([1, 2, 3, 3, 3, 4, 3, 5])  # promised delivery lead time for shipped orders
REGION_LATE_PROB = np.array([0.10, 0.15, 0.18, 0.18, 0.20, 0.28, 0.20, 0.30])
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55+"]
GENDERS = ["female", "male"]
DEVICES = ["desktop", "mobile_web", "app"]
CAMPAIGN_TYPES = ["win_back", "prospecting", "loyalty", "cross_sell"]
CELLS = ["test", "rollout", "control"]
REFUSAL_REASONS = ["price", "fit", "timing", "channel", "privacy"]
PURPOSES = ["sales", "service", "complaint"]
INITIATORS = ["customer", "firm"]
ORIGINS = ["organic", "campaign"]

SEGMENTS = pd.DataFrame(
    {
        "segment": ["value_seekers", "tech_enthusiasts", "family_shoppers", "style_seekers", "traditional_buyers"],
        "label_fa": ["صرفه‌جویان", "فناوری‌دوستان", "خانواده‌محورها", "مدگرایان", "خریداران سنتی"],
        "share": [0.25, 0.15, 0.25, 0.20, 0.15],
        # BG/NBD heterogeneity: purchase rate lambda ~ Gamma(r, alpha) per year (before the
        # calibration that hits n_orders), dropout probability p ~ Beta(a, b)
        "r": [0.7, 0.6, 0.9, 0.8, 0.5],
        "alpha": [0.16, 0.24, 0.12, 0.16, 0.25],
        "a": [1.0, 1.0, 1.0, 1.2, 1.5],
        "b": [10.0, 14.0, 16.0, 11.0, 6.0],
        "basket_median": [450.0, 1800.0, 900.0, 1000.0, 700.0],  # thousand tomans, before category price level
        "price_sensitivity": [0.8, 0.3, 0.5, 0.6, 0.5],
        "browse_per_order": [1.2, 2.0, 0.8, 1.6, 0.3],
    }
)
# needs: category preferences (rows: segments, columns: CATEGORIES)
SEGMENT_CATEGORY = np.array(
    [
        [0.05, 0.10, 0.10, 0.20, 0.35, 0.05, 0.10, 0.05],
        [0.50, 0.05, 0.02, 0.10, 0.03, 0.20, 0.02, 0.08],
        [0.05, 0.10, 0.05, 0.20, 0.30, 0.03, 0.25, 0.02],
        [0.03, 0.45, 0.30, 0.05, 0.02, 0.03, 0.02, 0.10],
        [0.05, 0.05, 0.05, 0.30, 0.30, 0.15, 0.05, 0.05],
    ]
)
# channel preferences for orders (web, app, store, phone)
SEGMENT_ORDER_CHANNEL = np.array(
    [
        [0.30, 0.55, 0.10, 0.05],
        [0.65, 0.25, 0.08, 0.02],
        [0.30, 0.60, 0.08, 0.02],
        [0.30, 0.60, 0.10, 0.00],
        [0.15, 0.05, 0.50, 0.30],
    ]
)
# channel preferences for customer-initiated contacts (web, email, sms, phone, contact_centre, store)
SEGMENT_CONTACT_CHANNEL = np.array(
    [
        [0.50, 0.15, 0.0, 0.0, 0.30, 0.05],
        [0.60, 0.25, 0.0, 0.0, 0.12, 0.03],
        [0.40, 0.15, 0.0, 0.0, 0.40, 0.05],
        [0.55, 0.20, 0.0, 0.0, 0.20, 0.05],
        [0.05, 0.05, 0.0, 0.0, 0.50, 0.40],
    ]
)
SEGMENT_AGE = np.array(
    [
        [0.25, 0.35, 0.20, 0.12, 0.08],
        [0.25, 0.40, 0.22, 0.10, 0.03],
        [0.03, 0.35, 0.40, 0.17, 0.05],
        [0.35, 0.40, 0.15, 0.07, 0.03],
        [0.02, 0.08, 0.20, 0.35, 0.35],
    ]
)
SEGMENT_FEMALE = np.array([0.50, 0.25, 0.60, 0.70, 0.45])

# up-/cross-sell: P(category of the 2nd purchase | category of the 1st), rows and columns CATEGORIES.
# 35% repeat the category, 40% go to its complements, 25% spread evenly.
_COMPLEMENTS = {
    "electronics": {"books_media": 0.5, "home_kitchen": 0.3, "sports_outdoors": 0.2},
    "fashion": {"beauty": 0.7, "sports_outdoors": 0.3},
    "beauty": {"fashion": 0.8, "home_kitchen": 0.2},
    "home_kitchen": {"groceries": 0.5, "electronics": 0.5},
    "groceries": {"home_kitchen": 0.6, "toys_kids": 0.4},
    "books_media": {"electronics": 0.6, "toys_kids": 0.4},
    "toys_kids": {"fashion": 0.5, "books_media": 0.5},
    "sports_outdoors": {"fashion": 0.6, "electronics": 0.4},
}


def _transition_matrix() -> np.ndarray:
    k = len(CATEGORIES)
    comp = np.zeros((k, k))
    for i, cat in enumerate(CATEGORIES):
        for other, w in _COMPLEMENTS[cat].items():
            comp[i, CATEGORIES.index(other)] = w
    return 0.35 * np.eye(k) + 0.40 * comp + 0.25 / k


TRANSITION = _transition_matrix()

LOYALTY_RATE_RATIO = 1.25  # causal effect of membership on the purchase rate
WIN_BACK_WEEK1_TO_WEEK4 = 4.0  # the primer's claim: week 1 is four times as good as week 4
WIN_BACK_WEEKS = 8
COMPLAINT_LOGIT = (-4.0, 0.6)  # logit P(complaint | order) = b0 + b1 * days late
SERVICE_PER_ORDER = 0.05
ENQUIRY_PER_ORDER = 0.04
# cost per contact (thousand tomans): store (face to face) 10x the contact centre, contact centre
# 20x web self-service (the primer's ratios); outbound mass e-mail / SMS are near free per contact.
CONTACT_COST = {
    ("web", "customer"): 2.5,
    ("email", "customer"): 10.0,
    ("contact_centre", "customer"): 50.0,
    ("store", "customer"): 500.0,
    ("email", "firm"): 0.2,
    ("sms", "firm"): 0.5,
    ("phone", "firm"): 50.0,
}
COMPLAINT_COST_FACTOR = 1.5  # complaints take longer to handle than other contacts, on every channel

# campaign response probabilities by segment (order of SEGMENTS): control (not contacted) and treated
CAMPAIGN_DESIGN = {
    "cross_sell": {
        "control": [0.040, 0.030, 0.050, 0.040, 0.030],
        "treated": [0.060, 0.110, 0.100, 0.140, 0.020],  # traditional buyers react badly to e-mail offers
    },
    "loyalty": {
        "control": [0.100, 0.080, 0.120, 0.100, 0.060],
        "treated": [0.220, 0.110, 0.200, 0.180, 0.080],
    },
    # win-back: probability when contacted in week 1 after defection; controls never come back
    "win_back": {
        "control": [0.0, 0.0, 0.0, 0.0, 0.0],
        "treated": [0.30, 0.20, 0.28, 0.25, 0.18],
    },
    "prospecting": {
        "control": [0.0, 0.0, 0.0, 0.0, 0.0],
        "treated": [0.040, 0.020, 0.030, 0.050, 0.010],
    },
}
# share of campaign response orders in all orders (measured); the organic target is reduced by it
_CAMPAIGN_ORDER_SHARE = 0.007
_REFINE_MAX_PERSONS = 25_000

_FIRST_NAMES = {
    # name: (gender, Persian spelling, other transliterations)
    "Mohammad": ("male", "محمد", ["Mohammed", "Muhammad", "Mohamad"]),
    "Ali": ("male", "علی", ["Aly", "Alee"]),
    "Reza": ("male", "رضا", ["Rezza", "Riza"]),
    "Hossein": ("male", "حسین", ["Hosein", "Hussein"]),
    "Mehdi": ("male", "مهدی", ["Mahdi", "Mehdy"]),
    "Amir": ("male", "امیر", ["Ameer"]),
    "Hamid": ("male", "حمید", ["Hameed"]),
    "Saeed": ("male", "سعید", ["Said", "Saied"]),
    "Mohsen": ("male", "محسن", ["Mohssen"]),
    "Majid": ("male", "مجید", ["Majeed"]),
    "Behnam": ("male", "بهنام", ["Behnaam"]),
    "Arash": ("male", "آرش", ["Aarash"]),
    "Kourosh": ("male", "کوروش", ["Kurosh", "Koorosh"]),
    "Dariush": ("male", "داریوش", ["Daryoush", "Dariosh"]),
    "Javad": ("male", "جواد", ["Jawad"]),
    "Navid": ("male", "نوید", ["Naveed"]),
    "Omid": ("male", "امید", ["Omeed"]),
    "Pouya": ("male", "پویا", ["Puya", "Pooya"]),
    "Siavash": ("male", "سیاوش", ["Siavosh"]),
    "Babak": ("male", "بابک", ["Baabak"]),
    "Fatemeh": ("female", "فاطمه", ["Fatima", "Fateme"]),
    "Zahra": ("female", "زهرا", ["Zahraa"]),
    "Maryam": ("female", "مریم", ["Mariam"]),
    "Sara": ("female", "سارا", ["Sarah"]),
    "Narges": ("female", "نرگس", ["Nargess"]),
    "Leila": ("female", "لیلا", ["Leyla", "Layla"]),
    "Mahsa": ("female", "مهسا", ["Mahssa"]),
    "Niloufar": ("female", "نیلوفر", ["Niloofar", "Nilufar"]),
    "Parisa": ("female", "پریسا", ["Parissa"]),
    "Shirin": ("female", "شیرین", ["Shireen"]),
    "Elham": ("female", "الهام", ["Elhaam"]),
    "Somayeh": ("female", "سمیه", ["Somaye", "Sumayyah"]),
    "Mina": ("female", "مینا", ["Meena"]),
    "Roya": ("female", "رویا", ["Rooya"]),
    "Azadeh": ("female", "آزاده", ["Azade"]),
    "Samira": ("female", "سمیرا", ["Sameera"]),
    "Negar": ("female", "نگار", ["Negaar"]),
    "Yasaman": ("female", "یاسمن", ["Yasamin", "Yasmin"]),
    "Tara": ("female", "تارا", ["Taara"]),
    "Hanieh": ("female", "هانیه", ["Haniye"]),
}
_LAST_NAMES = {
    "Hosseini": ("حسینی", ["Hoseini", "Husseini"]),
    "Mohammadi": ("محمدی", ["Mohamadi"]),
    "Ahmadi": ("احمدی", ["Ahmady"]),
    "Rezaei": ("رضایی", ["Rezaee", "Rezai"]),
    "Karimi": ("کریمی", ["Karimy"]),
    "Moradi": ("مرادی", ["Moradie"]),
    "Jafari": ("جعفری", ["Jafary", "Jaafari"]),
    "Rahimi": ("رحیمی", ["Raheemi"]),
    "Kazemi": ("کاظمی", ["Kazimi"]),
    "Ebrahimi": ("ابراهیمی", ["Ibrahimi"]),
    "Hashemi": ("هاشمی", ["Hashemy"]),
    "Sadeghi": ("صادقی", ["Sadeqi", "Sadegi"]),
    "Mousavi": ("موسوی", ["Musavi", "Moosavi"]),
    "Ghasemi": ("قاسمی", ["Qasemi", "Gasemi"]),
    "Heidari": ("حیدری", ["Haidari", "Heydari"]),
    "Akbari": ("اکبری", ["Akbary"]),
    "Najafi": ("نجفی", ["Nadjafi"]),
    "Salehi": ("صالحی", ["Salehy"]),
    "Rostami": ("رستمی", ["Rostamy"]),
    "Tehrani": ("تهرانی", ["Tehrany"]),
    "Shirazi": ("شیرازی", ["Shirazy"]),
    "Ansari": ("انصاری", ["Ansary"]),
    "Farahani": ("فراهانی", ["Farahany"]),
    "Yazdani": ("یزدانی", ["Yazdany"]),
    "Sharifi": ("شریفی", ["Sharify"]),
    "Bagheri": ("باقری", ["Baqeri", "Bageri"]),
    "Azizi": ("عزیزی", ["Azizy"]),
    "Nouri": ("نوری", ["Noori", "Nuri"]),
    "Abbasi": ("عباسی", ["Abasi"]),
    "Zamani": ("زمانی", ["Zamany"]),
}
_EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "chmail.ir", "hotmail.com", "mail.ir"]
_EMAIL_DOMAIN_SHARE = np.array([0.55, 0.15, 0.10, 0.10, 0.05, 0.05])
_MOBILE_PREFIXES = np.array(["0912", "0935", "0919", "0936", "0901", "0910", "0939", "0990"])
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
EMAIL_VARIANTS = ["same", "case", "gmail_dots", "googlemail", "typo", "missing"]
PHONE_VARIANTS = ["same", "plus98", "0098", "spaces", "dashes", "persian_digits", "missing"]
NAME_VARIANTS = ["same", "spelling", "persian_script", "upper_case", "initial"]

# ---------------------------------------------------------------------------
# Schema: one place that fixes the columns and dtypes of every table.
# kinds: id (int64), Id (nullable Int64), float, str (string), cat (category with fixed
# categories), bool, date.
# ---------------------------------------------------------------------------
_SEGMENT_NAMES = list(SEGMENTS["segment"])
SCHEMA: dict[str, dict[str, tuple]] = {
    "customers": {
        "customer_id": ("id",), "first_name": ("str",), "last_name": ("str",), "email": ("str",),
        "phone": ("str",), "region": ("cat", REGIONS), "age_band": ("cat", AGE_BANDS),
        "gender": ("cat", GENDERS), "acquisition_channel": ("cat", ACQUISITION_CHANNELS),
        "acquisition_date": ("date",), "email_opt_in": ("bool",), "sms_opt_in": ("bool",),
        "loyalty_member": ("bool",), "loyalty_join_date": ("date",),
    },
    "transactions": {
        "order_id": ("id",), "customer_id": ("id",), "order_date": ("date",),
        "category": ("cat", CATEGORIES), "amount": ("float",), "promised_delivery_date": ("date",),
        "actual_delivery_date": ("date",), "channel": ("cat", ORDER_CHANNELS), "campaign_id": ("Id",),
    },
    "contacts": {
        "contact_id": ("id",), "customer_id": ("id",), "contact_date": ("date",),
        "channel": ("cat", CONTACT_CHANNELS), "initiated_by": ("cat", INITIATORS),
        "purpose": ("cat", PURPOSES), "order_id": ("Id",), "campaign_id": ("Id",), "cost": ("float",),
    },
    "campaigns": {
        "campaign_id": ("id",), "campaign_name": ("str",), "campaign_type": ("cat", CAMPAIGN_TYPES),
        "customer_id": ("Id",), "prospect_id": ("Id",), "offer": ("str",), "channel": ("cat", CONTACT_CHANNELS),
        "cell": ("cat", CELLS), "contact_date": ("date",), "responded": ("bool",), "response_date": ("date",),
        "order_id": ("Id",), "revenue": ("float",), "refusal_reason": ("cat", REFUSAL_REASONS),
    },
    "web_sessions": {
        "session_id": ("id",), "customer_id": ("id",), "session_date": ("date",), "device": ("cat", DEVICES),
        "pages": ("id",), "duration_sec": ("id",), "converted": ("bool",), "order_id": ("Id",),
    },
    "truth_persons": {
        "person_id": ("id",), "customer_id": ("id",), "segment": ("cat", _SEGMENT_NAMES),
        "purchase_rate": ("float",), "dropout_prob": ("float",), "acquisition_date": ("date",),
        "churned": ("bool",), "churn_date": ("date",), "loyalty_member": ("bool",),
        "loyalty_join_date": ("date",), "won_back": ("bool",), "n_orders": ("id",),
    },
    "truth_records": {
        "customer_id": ("id",), "person_id": ("id",), "is_duplicate": ("bool",),
        "name_variant": ("cat", NAME_VARIANTS), "email_variant": ("cat", EMAIL_VARIANTS),
        "phone_variant": ("cat", PHONE_VARIANTS),
    },
    "truth_orders": {
        "order_id": ("id",), "person_id": ("id",), "origin": ("cat", ORIGINS), "purchase_number": ("Id",),
        "days_late": ("id",),
    },
    "truth_segments": {
        "segment": ("cat", _SEGMENT_NAMES), "label_fa": ("str",), "share": ("float",), "r": ("float",),
        "alpha": ("float",), "a": ("float",), "b": ("float",), "basket_median": ("float",),
        "price_sensitivity": ("float",), "browse_per_order": ("float",),
        **{f"pref_{c}": ("float",) for c in CATEGORIES},
        **{f"channel_{c}": ("float",) for c in ORDER_CHANNELS},
    },
    "truth_transition": {
        "first_category": ("cat", CATEGORIES), "second_category": ("cat", CATEGORIES), "prob": ("float",),
    },
    "truth_campaign_effects": {
        "campaign_id": ("id",), "campaign_type": ("cat", CAMPAIGN_TYPES), "segment": ("cat", _SEGMENT_NAMES),
        "p_control": ("float",), "p_treated": ("float",), "uplift": ("float",),
    },
    "truth_win_back": {"week": ("id",), "relative_response": ("float",)},
    "truth_contact_costs": {
        "channel": ("cat", CONTACT_CHANNELS), "initiated_by": ("cat", INITIATORS), "cost": ("float",),
    },
    "truth_params": {"name": ("str",), "value": ("float",), "meaning": ("str",)},
}
DATA_TABLES = ["customers", "transactions", "contacts", "campaigns", "web_sessions"]
TRUTH_TABLES = [t for t in SCHEMA if t.startswith("truth_")]

_FUNC = "generate_sample_company"


def _coerce(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the columns and dtypes of ``SCHEMA[name]`` (a new frame)."""
    spec = SCHEMA[name]
    frame = frame.reset_index(drop=True)
    missing = [c for c in spec if c not in frame.columns]
    if missing:
        raise CRMInputError(
            f"Table {name!r} of the sample company lacks column(s) {missing}; expected columns {list(spec)}."
        )
    out = {}
    for col, (kind, *extra) in spec.items():
        s = frame[col]
        try:
            if kind == "id":
                out[col] = s.astype("int64")
            elif kind == "Id":
                out[col] = s.astype("Int64")
            elif kind == "float":
                out[col] = s.astype("float64")
            elif kind == "str":
                out[col] = s.astype("string")
            elif kind == "bool":
                out[col] = s.astype(bool)
            elif kind == "date":
                out[col] = pd.to_datetime(s).astype("datetime64[us]")
            elif isinstance(s.dtype, pd.CategoricalDtype) and list(s.cat.categories) == list(extra[0]):
                out[col] = s  # already canonical (the generator's own tables): no costly re-encoding
            else:  # categories
                text = s.astype(object).where(s.notna(), None)
                bad = s.notna() & ~text.isin(extra[0])
                if bad.any():
                    raise CRMInputError(
                        f"Column {col!r} of table {name!r} holds value(s) {list(pd.unique(s[bad].astype(str)))[:5]}; "
                        f"allowed: {extra[0]}."
                    )
                out[col] = pd.Series(pd.Categorical(text, categories=extra[0]), index=s.index)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, CRMInputError):
                raise
            raise CRMInputError(
                f"Column {col!r} of table {name!r} cannot be read as {kind}: {exc}"
            ) from None
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


@dataclass(eq=False)  # comparing DataFrames with == is ambiguous; compare tables explicitly
class SampleCompany:
    """The customer database of the sample company *Parsian Online*, plus the truth behind it.

    Attributes
    ----------
    customers, transactions, contacts, campaigns, web_sessions : pandas.DataFrame
        The five tables of the customer database (Winer's five kinds of data).  Columns are
        described in the data dictionary (``crm.data_dictionary("sample_company")``) and in
        :func:`generate_sample_company`.
    truth : dict of str to pandas.DataFrame
        The ground truth behind the data (keys without the ``truth_`` prefix): ``persons``,
        ``records``, ``orders``, ``segments``, ``transition``, ``campaign_effects``, ``win_back``,
        ``contact_costs``, ``params``.  See :func:`generate_sample_company`.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")          # the shipped default company
    >>> company.transactions.columns[:3].tolist()
    ['order_id', 'customer_id', 'order_date']
    >>> company.truth["persons"]["churned"].dtype
    dtype('bool')
    """

    customers: pd.DataFrame
    transactions: pd.DataFrame
    contacts: pd.DataFrame
    campaigns: pd.DataFrame
    web_sessions: pd.DataFrame
    truth: dict = field(default_factory=dict, repr=False)

    # ---- construction -------------------------------------------------
    @classmethod
    def from_tables(cls, tables: dict) -> SampleCompany:
        """Build a company from a dict of tables (the dataset catalogue's loader).

        Parameters
        ----------
        tables : dict of str to pandas.DataFrame
            Table name (``customers``, ``transactions``, ``contacts``, ``campaigns``,
            ``web_sessions`` and, optionally, ``truth_*``) to DataFrame, e.g. read from CSV.

        Returns
        -------
        SampleCompany
            New frames with the canonical columns and dtypes, so a company read from CSV equals
            the one :func:`generate_sample_company` returns.  The input frames are not changed.

        Raises
        ------
        CRMInputError
            For a missing or unknown table, a missing column or a value outside a column's
            categories.
        """
        if not isinstance(tables, dict):
            raise param_error("tables", "a dict mapping table name to DataFrame", type(tables).__name__,
                              "SampleCompany.from_tables")
        unknown = [t for t in tables if t not in SCHEMA]
        if unknown:
            raise CRMInputError(
                f"The 'tables' parameter of SampleCompany.from_tables names unknown table(s) {unknown}; "
                f"known tables: {list(SCHEMA)}."
            )
        missing = [t for t in DATA_TABLES if t not in tables]
        if missing:
            raise CRMInputError(
                f"The 'tables' parameter of SampleCompany.from_tables lacks table(s) {missing}."
            )
        for t, frame in tables.items():
            if not isinstance(frame, pd.DataFrame):
                raise CRMInputError(f"Table {t!r} passed to SampleCompany.from_tables must be a DataFrame. "
                                    f"Got {type(frame).__name__} instead.")
        data = {t: _coerce(t, tables[t]) for t in DATA_TABLES}
        truth = {t[len("truth_"):]: _coerce(t, tables[t]) for t in TRUTH_TABLES if t in tables}
        return cls(**data, truth=truth)

    # ---- access -------------------------------------------------------
    def tables(self, truth: bool = False) -> dict[str, pd.DataFrame]:
        """The data tables by name; with ``truth=True`` the truth tables too (prefixed ``truth_``)."""
        truth = check_bool(truth, "truth", "SampleCompany.tables")
        out = {t: getattr(self, t) for t in DATA_TABLES}
        if truth:
            out.update({f"truth_{k}": v for k, v in self.truth.items()})
        return out

    def param(self, name: str) -> float:
        """One value of ``truth['params']`` (e.g. ``'loyalty_rate_ratio'``)."""
        params = self.truth.get("params")
        if params is None or name not in set(params["name"]):
            known = [] if params is None else list(params["name"])
            raise CRMInputError(f"The 'name' parameter of SampleCompany.param must be one of {known}. "
                                f"Got {name!r} instead.")
        return float(params.loc[params["name"] == name, "value"].iloc[0])

    def summary(self) -> Summary:
        """Sizes and date ranges of the tables, and what the truth holds (text, or HTML in a notebook)."""
        rows = []
        date_cols = {"customers": "acquisition_date", "transactions": "order_date", "contacts": "contact_date",
                     "campaigns": "contact_date", "web_sessions": "session_date"}
        for t in DATA_TABLES:
            frame = getattr(self, t)
            dates = frame[date_cols[t]]
            rows.append({"table": t, "rows": len(frame), "columns": frame.shape[1],
                         "first_date": str(dates.min().date()) if len(frame) else "",
                         "last_date": str(dates.max().date()) if len(frame) else ""})
        sizes = pd.DataFrame(rows).set_index("table")
        tables = [("Tables (Winer's five kinds of customer data)", sizes)]
        notes = []
        if "persons" in self.truth:
            persons = self.truth["persons"]
            seg = persons.groupby("segment", observed=False).agg(
                persons=("person_id", "size"), churned=("churned", "mean"), loyalty=("loyalty_member", "mean"),
                orders_per_person=("n_orders", "mean"))
            tables.append(("Truth: latent segments", seg))
            n_dup = int(self.truth["records"]["is_duplicate"].sum()) if "records" in self.truth else 0
            notes.append(f"{len(persons)} persons behind {len(self.customers)} customer records "
                         f"({n_dup} duplicate records).")
        if "params" in self.truth:
            notes.append(f"Seed {int(self.param('seed'))}; loyalty rate ratio {self.param('loyalty_rate_ratio'):g}; "
                         f"win-back week-1/week-4 response ratio {self.param('win_back_week1_to_week4'):g}.")
        return Summary(f"{COMPANY_NAME} ({COMPANY_NAME_FA}): sample customer database", tables, notes,
                       float_format="{:.3f}")

    def to_frame(self) -> pd.DataFrame:
        """One row per data table: ``rows``, ``columns``, ``first_date``, ``last_date``."""
        return self.summary().tables[0][1]

    def __repr__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def plot(self, ax=None):
        """Orders per month by channel (a stacked area chart); returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3.5))
        tx = self.transactions
        monthly = (tx.assign(month=tx["order_date"].dt.to_period("M").dt.to_timestamp())
                   .groupby(["month", "channel"], observed=False).size().unstack("channel", fill_value=0))
        ax.stackplot(monthly.index, monthly.T.to_numpy(), labels=[str(c) for c in monthly.columns], alpha=0.85)
        ax.set_xlabel("month")
        ax.set_ylabel("orders")
        ax.set_title(f"{COMPANY_NAME}: orders per month by channel")
        ax.legend(loc="upper left", fontsize="small", ncol=len(monthly.columns))
        return ax

    # ---- output -------------------------------------------------------
    @positional_options
    def to_csv(self, folder, *, truth: bool = True) -> list[Path]:
        """Write every table as ``<folder>/<table>.csv.gz``; returns the paths.

        All files are first written to a temporary folder beside ``folder`` and only then moved
        into place, so an error never leaves half-written files.  The gzip header carries no
        time stamp, so the same company always gives the same bytes.
        """
        if not isinstance(folder, (str, os.PathLike)):
            raise param_error("folder", "a path (str or os.PathLike)", folder, "SampleCompany.to_csv")
        truth = check_bool(truth, "truth", "SampleCompany.to_csv")
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            written = []
            for name, frame in self.tables(truth=truth).items():
                path = tmp / f"{name}.csv.gz"
                # mtime=0 keeps the gzip bytes reproducible
                with gzip.GzipFile(path, "wb", mtime=0, compresslevel=6) as fh:
                    fh.write(_csv_text(frame).encode("utf-8"))
                written.append(path.name)
            folder.mkdir(parents=True, exist_ok=True)
            out = []
            for name in written:
                os.replace(tmp / name, folder / name)
                out.append(folder / name)
            return out
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------
# Vectorised helpers
# ---------------------------------------------------------------------------
def _draw(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One categorical draw per element of ``rows``: a column index of ``probs[row]`` (inverse CDF)."""
    cum = np.cumsum(probs, axis=-1)
    cum = cum / cum[..., -1:]
    u = rng.random(len(rows))
    c = cum[rows]
    return np.minimum((u[:, None] >= c).sum(axis=1), probs.shape[-1] - 1)


def _csv_text(frame: pd.DataFrame) -> str:
    """The CSV text of a table as :meth:`SampleCompany.to_csv` writes it (ISO dates, no index)."""
    return frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")


def _lexorder(*keys) -> np.ndarray:
    """``np.lexsort(keys)`` (last key sorts first), via one stable argsort of a combined int64 key.

    np.lexsort over several keys of millions of rows takes seconds; packing the keys into one
    integer (floats are replaced by their ranks) gives the same order in a fraction of that.
    """
    n = len(keys[0])
    combined = np.zeros(n, dtype=np.int64)
    mult = 1
    for key in keys:
        key = np.asarray(key)
        if key.dtype.kind == "f":
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)  # dense rank: ties stay ties
        else:
            key = key.astype(np.int64)
            key = key - (key.min() if n else 0)
        span = int(key.max()) + 1 if n else 1
        if mult * span >= 2**62:
            return np.lexsort(keys)
        combined += key * mult
        mult *= span
    return np.argsort(combined, kind="stable")


def _days(dates: np.ndarray) -> np.ndarray:
    """Whole days of a datetime64 array (for sorting)."""
    return dates.astype("datetime64[D]").astype(np.int64)


def _segment_starts(counts: np.ndarray) -> np.ndarray:
    starts = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    return starts


def _within_group_index(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., count-1 for each group, concatenated."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(_segment_starts(counts), counts)


def _expected_repeats(c: float, p: np.ndarray, base: np.ndarray) -> float:
    # BG/NBD: E[repeat purchases by cumulative intensity L] = (1 - exp(-p L)) / p
    return float(np.sum(-np.expm1(-p * c * base) / p))


def _calibrate(p: np.ndarray, base: np.ndarray, target: float) -> float:
    """Scale c of the purchase rates such that the expected number of repeat purchases equals ``target``."""
    lo, hi = 1e-6, 1.0
    while _expected_repeats(hi, p, base) < target:
        hi *= 4.0
        if hi > 1e9:
            raise RuntimeError("calibration failed")  # guarded by the feasibility check of the caller
    for _ in range(80):
        mid = np.sqrt(lo * hi)
        if _expected_repeats(mid, p, base) < target:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1 + 1e-10:
            break
    return float(np.sqrt(lo * hi))


def _to_date(start: np.datetime64, days: np.ndarray) -> np.ndarray:
    return (start + np.floor(days).astype("int64").astype("timedelta64[D]")).astype("datetime64[us]")


def _parse_date(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise param_error(name, "a date such as '2022-01-01'", value, _FUNC) from None
    if pd.isna(ts):
        raise param_error(name, "a date such as '2022-01-01'", value, _FUNC)
    return ts.normalize()


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------
@positional_options
def generate_sample_company(
    n_customers: int = 5000,
    *,
    n_orders: int = 50000,
    seed: int | None = DEFAULT_SEED,
    start=DEFAULT_START,
    end=DEFAULT_END,
    duplicate_rate: float = 0.03,
) -> SampleCompany:
    """Simulate the customer database of the online retailer *Parsian Online* (پارسیان آنلاین).

    The database follows step 1 of Winer's (2001) CRM process: descriptive data
    (``customers``), ``transactions``, ``contacts``, responses to marketing stimuli
    (``campaigns``) and other data (``web_sessions``).  The mechanisms that produced the
    data are returned in ``truth`` so that analyses can be checked against them.

    Parameters
    ----------
    n_customers : int, default 5000
        Number of customer *records* (rows of ``customers``): persons plus their duplicate
        records.  At least 10.
    n_orders : int, default 50000
        Target number of orders.  Purchase rates are calibrated so that the expected count
        equals the target; the realised count is usually within 1% of it (see Notes, 1).  At least ``n_customers`` (every customer has a first order) and
        at most what the dropout process allows (an error says the limit).
    seed : int or None, default 2001
        Seed of ``numpy.random.Generator(PCG64(seed))``; the same seed gives the same company.
    start, end : date-like, default '2022-01-01', '2024-12-31'
        The observation window (both days included); at least 180 days long.
    duplicate_rate : float, default 0.03
        Share of persons who have a second customer record, in [0, 0.2].

    Returns
    -------
    SampleCompany
        Data tables (every id is an integer; money is in thousand tomans):

        - ``customers``: ``customer_id``, ``first_name``, ``last_name`` (Latin transliteration
          or, for some duplicates, Persian script), ``email``, ``phone`` (Iranian mobile,
          ``09xxxxxxxxx`` for primary records; duplicates are typed differently),
          ``region``, ``age_band``, ``gender``, ``acquisition_channel``, ``acquisition_date``
          (date of the record's first order), ``email_opt_in``, ``sms_opt_in``,
          ``loyalty_member``, ``loyalty_join_date``.
        - ``transactions``: ``order_id``, ``customer_id``, ``order_date``, ``category``,
          ``amount``, ``promised_delivery_date``, ``actual_delivery_date``, ``channel``
          (web, app, store, phone), ``campaign_id`` (the campaign whose offer was redeemed).
        - ``contacts``: ``contact_id``, ``customer_id``, ``contact_date``, ``channel`` (web
          self-service, email, sms, phone (outbound), contact_centre (inbound), store),
          ``initiated_by`` (customer / firm), ``purpose`` (sales / service / complaint),
          ``order_id`` (the order a service contact or complaint is about), ``campaign_id``
          (for campaign contacts), ``cost``.
        - ``campaigns`` (one row per targeted person and campaign): ``campaign_id``,
          ``campaign_name``, ``campaign_type`` (win_back, prospecting, loyalty, cross_sell),
          ``customer_id`` (missing for prospects who did not become customers),
          ``prospect_id`` (prospecting only), ``offer``, ``channel``, ``cell`` (test: the
          first ~5% contacted two weeks early, except in the win-back programme whose timing
          is randomised; rollout; control: held out, not contacted),
          ``contact_date`` (for controls: when they would have been contacted),
          ``responded``, ``response_date``, ``order_id`` and ``revenue`` of the response,
          ``refusal_reason`` (price, fit, timing, channel, privacy) for a sample of contacted
          non-responders.
        - ``web_sessions``: ``session_id``, ``customer_id``, ``session_date``, ``device``,
          ``pages``, ``duration_sec``, ``converted``, ``order_id``.

        ``truth`` (dict of DataFrames):

        - ``persons``: ``person_id``, ``customer_id`` (primary record), ``segment``,
          ``purchase_rate`` (lambda, purchases per year while alive and not a loyalty
          member), ``dropout_prob`` (p), ``acquisition_date``, ``churned``, ``churn_date``
          (the date the person became inactive), ``loyalty_member``, ``loyalty_join_date``,
          ``won_back``, ``n_orders``.
        - ``records``: ``customer_id`` -> ``person_id``, ``is_duplicate`` and how the
          duplicate's name, e-mail and phone were typed (``name_variant``,
          ``email_variant``, ``phone_variant``).
        - ``orders``: ``order_id``, ``person_id``, ``origin`` (organic purchase of the
          BG/NBD process or campaign response), ``purchase_number`` (0 = first organic
          purchase), ``days_late``.
        - ``segments``: the segment design (BG/NBD parameters r, alpha, a, b; basket size;
          price sensitivity; category and channel preferences).
        - ``transition``: P(category of the 2nd purchase | category of the 1st).
        - ``campaign_effects``: response probability of control and treated customers by
          campaign and segment, and the uplift (their difference).
        - ``win_back``: relative response of a win-back offer by week since defection.
        - ``contact_costs``: cost per contact by channel and initiator.
        - ``params``: named constants (seed, calibration scale, loyalty rate ratio, complaint
          logit, ...).

    Raises
    ------
    CRMInputError
        For a negative or too small size, an ``n_orders`` below ``n_customers`` or beyond what
        the purchase process can produce, an invalid seed, date or duplicate rate.

    Notes
    -----
    The ground truth built in:

    1. **Purchases and churn (BG/NBD).**  Each person has a purchase rate
       :math:`\\lambda \\sim \\text{Gamma}(r_s, \\alpha_s)` and a dropout probability
       :math:`p \\sim \\text{Beta}(a_s, b_s)` that depend on the segment :math:`s`; while
       alive, purchases follow a Poisson process, and after each repeat purchase the person
       becomes inactive with probability :math:`p` (Fader, Hardie & Lee, 2005).  The first
       order falls on the acquisition date.  All rates are multiplied by one constant ``c``
       chosen such that the expected number of orders,
       :math:`\\sum_i [1 + (1 - e^{-p_i \\Lambda_i})/p_i]` with :math:`\\Lambda_i` the
       cumulative purchase intensity in the window, equals the target.  For up to 25,000
       persons ``c`` is then fine-tuned so that the *realised* count is closest to the target
       (the Poisson counts are drawn by inversion, so the count rises monotonically with
       ``c``).  The calibrated rates of segment :math:`s` thus follow
       :math:`\\text{Gamma}(r_s, \\alpha_s / c)` per year, with ``c`` in ``truth['params']``
       (``rate_scale``).  Churned persons place no organic order after ``churn_date``.
    2. **Duplicates.**  ``duplicate_rate`` of persons with at least one repeat purchase get a
       second record when they buy through another channel; later orders go to either record.
       The second record's e-mail is typed with other case, gmail dots, ``googlemail.com``,
       a typo, or left out; the phone with ``+98``/``0098`` prefix, spaces, dashes or Persian
       digits; the name with another transliteration, in Persian script, upper case or as an
       initial.  ``truth['records']`` maps every record to its person.
    3. **Segments** differ in needs (category and channel preferences, price sensitivity)
       and value (basket size, purchase and dropout rates): ``truth['segments']``.
    4. **Win-back decays with time since defection.**  The win-back programme contacts
       defected persons in a week :math:`w = 1..8` after defection drawn at random; the
       response probability is :math:`\\pi_s \\cdot 4^{-(w-1)/3}`, so week 1 is four times
       week 4 (the primer's claim).  Controls are not contacted and do not come back.
    5. **Cross-sell.**  The category of a person's 2nd organic purchase follows
       ``truth['transition']`` given the category of the first, whatever the segment.
    6. **Loyalty programme.**  It starts a quarter of the way into the window.  Heavy buyers
       are more likely to join (logit of joining rises with :math:`\\log\\lambda`) and only
       persons still active can join, so members buy more than non-members even before
       joining: a naive member/non-member comparison overstates the effect.  The causal
       effect is a rate ratio ``loyalty_rate_ratio`` = 1.25 on the purchase rate from the
       join date on.
    7. **Campaign response and uplift.**  Response probabilities of control and treated
       persons depend on the segment; the uplift differs by segment (and is negative for
       traditional buyers in cross-selling by e-mail): ``truth['campaign_effects']``.  The
       campaigns are two cross-sell e-mails (60% of the active customers who opted in to
       e-mail, each offered the most likely next category after their first), a double-points
       SMS to active loyalty members who opted in to SMS, the win-back programme (phone) and
       a prospecting SMS to a rented list.  About 5% of the targets form the test cell and 20%
       the control cell (prospecting has no controls).
    8. **Delivery delays raise complaints.**  A shipped order is late with a probability
       that depends on the region; the probability of a complaint about it is
       :math:`\\operatorname{logit}^{-1}(-4.0 + 0.6\\,d)` with :math:`d` days late.

    Contact costs follow the primer's ratios: a store (face-to-face) contact costs 10 times
    a contact-centre contact, which costs 20 times a web self-service contact.

    References
    ----------
    Winer, R. S. (2001). A framework for customer relationship management. *California
    Management Review*, 43(4), 89-105.

    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
    way: An alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.

    Kalakota, R., & Robinson, M. (2001). *e-Business 2.0: Roadmap for success*.
    Addison-Wesley.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.generate_sample_company(n_customers=500, n_orders=4000, seed=1)
    >>> len(company.customers)
    500
    >>> sorted(company.truth)[:3]
    ['campaign_effects', 'contact_costs', 'orders']
    """
    n_customers = check_int(n_customers, "n_customers", _FUNC, min_value=10)
    n_orders = check_int(n_orders, "n_orders", _FUNC, min_value=1)
    if n_orders < n_customers:
        raise CRMInputError(
            f"The 'n_orders' parameter of {_FUNC} must be at least n_customers={n_customers} "
            f"(every customer places a first order). Got {n_orders} instead."
        )
    seed = check_seed(seed, _FUNC)
    duplicate_rate = check_number(duplicate_rate, "duplicate_rate", _FUNC, 0.0, 0.2)
    start_ts = _parse_date(start, "start")
    end_ts = _parse_date(end, "end")
    if (end_ts - start_ts).days < 179:
        raise CRMInputError(
            f"The 'end' parameter of {_FUNC} must be at least 180 days after start={start_ts.date()}. "
            f"Got {end_ts.date()} instead."
        )
    return _Builder(n_customers, n_orders, seed, start_ts, end_ts, duplicate_rate).build()


class _Builder:
    """Holds the state of one simulation; ``build`` runs the steps in a fixed order (reproducibility)."""

    def __init__(self, n_customers, n_orders, seed, start, end, duplicate_rate):
        self.n_customers = n_customers
        self.n_orders = n_orders
        self.seed = seed
        self.start = np.datetime64(start.date(), "D")
        self.end = np.datetime64(end.date(), "D")
        self.D = float((end - start).days + 1)  # window length in days; times are days since start
        self.duplicate_rate = duplicate_rate
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.campaign_rows: list[dict] = []
        self.campaign_effects: list[dict] = []

    # ---- step 1: persons and their purchase process --------------------
    def persons(self):
        rng, seg_tab = self.rng, SEGMENTS
        n_dup = int(round(self.n_customers * self.duplicate_rate / (1 + self.duplicate_rate)))
        n = self.n_customers - n_dup
        self.n_dup_target = n_dup
        self.n = n
        seg = _draw(rng, seg_tab["share"].to_numpy()[None, :], np.zeros(n, dtype=np.int64))
        self.seg = seg
        r, alpha = seg_tab["r"].to_numpy()[seg], seg_tab["alpha"].to_numpy()[seg]
        a, b = seg_tab["a"].to_numpy()[seg], seg_tab["b"].to_numpy()[seg]
        lam = rng.gamma(r, 1.0 / alpha)  # per year, before calibration
        p = rng.beta(a, b)
        # acquisitions grow over time and stop two months before the end, so everyone has history
        acq = (self.D - 60.0) * rng.random(n) ** 0.75
        acq = np.floor(acq) + 0.5  # mid-day: the first order's date is the acquisition date
        # loyalty programme: self-selection of heavy buyers
        launch = np.floor(0.25 * self.D)
        logit = -0.4 + 1.0 * np.log(lam / np.median(lam))
        intends = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
        tj = np.maximum(acq, launch) + rng.exponential(90.0, n)
        planned = intends & (tj < self.D)
        tj = np.where(planned, tj, np.inf)
        self.launch = launch
        # cumulative intensity (in units of c * lambda / 365 days): time alive-and-observed,
        # with time after joining counted LOYALTY_RATE_RATIO times
        T = self.D - acq
        base = lam / 365.0 * (T + (LOYALTY_RATE_RATIO - 1.0) * np.maximum(0.0, self.D - tj))
        target = self.n_orders * (1.0 - _CAMPAIGN_ORDER_SHARE) - n
        cap = float(np.sum(1.0 / p))
        if target > 0.9 * cap:
            raise CRMInputError(
                f"The 'n_orders' parameter of {_FUNC} is too large for n_customers={self.n_customers}: "
                f"the dropout process allows at most about {int(0.9 * cap + n):,} orders. Got {self.n_orders:,} "
                "instead; raise n_customers or lower n_orders."
            )
        c = _calibrate(p, base, max(target, 0.0)) if target > 0 else 1e-9
        self.c = c
        self.lam = lam * c  # calibrated rate per year
        self.p, self.acq, self.tj = p, acq, tj

        # simulate in operational time u (unit-rate Poisson process on [0, L]).  N is drawn by
        # inversion from fixed uniforms, so the realised count is monotone in c: for small
        # companies, where sampling noise is a few percent, c is then tuned to hit the target.
        from scipy import stats

        U = rng.random(n)
        J = rng.geometric(p)  # dies right after the J-th repeat purchase

        def repeats(cc):
            N = np.maximum(stats.poisson.ppf(U, cc * base), 0).astype(np.int64)
            return N, int(np.minimum(J, N).sum())

        if 0 < target and n <= _REFINE_MAX_PERSONS:
            lo, hi = 0.9 * c, 1.1 * c
            n_lo, n_hi = repeats(lo)[1], repeats(hi)[1]
            while n_lo > target and lo > c / 64:
                lo /= 1.5
                n_lo = repeats(lo)[1]
            while n_hi < target and hi < 64 * c:
                hi *= 1.5
                n_hi = repeats(hi)[1]
            if n_lo <= target <= n_hi:
                tolerance = max(1, int(1e-4 * target))  # orders; stop as soon as we are this close
                for _ in range(40):
                    if min(target - n_lo, n_hi - target) <= tolerance or hi / lo < 1 + 1e-9:
                        break
                    mid = np.sqrt(lo * hi)
                    n_mid = repeats(mid)[1]
                    if n_mid < target:
                        lo, n_lo = mid, n_mid
                    else:
                        hi, n_hi = mid, n_mid
                c = lo if target - n_lo <= n_hi - target else hi
                self.c = c
                self.lam = lam * c
        L = c * base
        N, _ = repeats(c)
        K = np.minimum(J, N)
        died = J <= N
        R = int(K.sum())
        gaps = rng.exponential(1.0, R)
        cs = np.cumsum(gaps)
        starts = _segment_starts(K)
        before = np.concatenate([[0.0], cs])[starts]
        s = cs - np.repeat(before, K)
        s_last = np.zeros(n)
        has = K > 0
        s_last[has] = s[starts[has] + K[has] - 1]
        rest = rng.gamma(N - K + 1.0)
        total = s_last + rest
        who = np.repeat(np.arange(n), K)
        u = s / total[who] * L[who]
        r1 = self.lam[who] / 365.0
        uj = r1 * (tj[who] - acq[who])  # operational time of joining (inf: never joins)
        t = np.where(u < uj, acq[who] + u / r1,
                     tj[who] + (u - np.minimum(uj, u)) / (r1 * LOYALTY_RATE_RATIO))
        t = np.minimum(t, self.D - 1e-6)
        churn_t = np.full(n, np.nan)
        churn_t[died] = t[starts[died] + K[died] - 1]
        self.churned = died
        self.churn_t = churn_t
        member = planned & (~died | (churn_t > tj))
        self.member = member
        self.tj = np.where(member, tj, np.nan)
        # organic orders: first purchase + repeats, with purchase numbers
        self.o_person = np.concatenate([np.arange(n), who])
        self.o_t = np.concatenate([acq, t])
        self.o_num = np.concatenate([np.zeros(n, dtype=np.int64), _within_group_index(K) + 1])
        self.K = K

    # ---- step 2: campaigns --------------------------------------------
    def _alive_at(self, day: float) -> np.ndarray:
        return (self.acq < day) & (~self.churned | (self.churn_t > day))

    def _add_campaign(self, ctype, name, offer, channel, persons, contact_day, week=None, control_share=0.2,
                      test_lead=14.0):
        """Assign cells, draw responses; ``contact_day`` is per person (days since start).

        The test cell (about 5%) is contacted ``test_lead`` days before the roll-out.
        """
        rng = self.rng
        cid = len({r["campaign_id"] for r in self.campaign_rows}) + 1
        m = len(persons)
        cell = _draw(rng, np.array([[0.05, 0.95 - control_share, control_share]]), np.zeros(m, dtype=np.int64))
        day = np.where(cell == 0, contact_day - test_lead, contact_day)
        seg = self.seg[persons]
        design = CAMPAIGN_DESIGN[ctype]
        p0 = np.asarray(design["control"])[seg]
        p1 = np.asarray(design["treated"])[seg]
        if week is not None:
            p1 = p1 * WIN_BACK_WEEK1_TO_WEEK4 ** (-(week - 1) / 3.0)
        prob = np.where(cell == 2, p0, p1)
        responded = rng.random(m) < prob
        resp_day = day + 1.0 + rng.exponential(4.0, m)
        responded &= resp_day < self.D
        if ctype != "win_back":
            # a person who defects before responding cannot respond
            responded &= ~self.churned[persons] | (self.churn_t[persons] > resp_day)
        for s, seg_name in enumerate(_SEGMENT_NAMES):
            self.campaign_effects.append({
                "campaign_id": cid, "campaign_type": ctype, "segment": seg_name,
                "p_control": design["control"][s], "p_treated": design["treated"][s],
                "uplift": design["treated"][s] - design["control"][s]})
        self.campaign_rows.append({
            "campaign_id": cid, "campaign_name": name, "campaign_type": ctype, "offer": offer,
            "channel": channel, "person": persons, "cell": cell, "day": day, "responded": responded,
            "resp_day": np.where(responded, resp_day, np.nan), "week": week})

    def campaigns(self):
        rng, D = self.rng, self.D
        # cross-sell: active customers offered the usual next category after their first one
        for frac in (0.40, 0.75):
            day = np.floor(frac * D)
            # active both at the test and at the roll-out date (the test cell is contacted 14 days early)
            alive = np.flatnonzero(self._alive_at(day - 14.0) & self._alive_at(day) & self.email_opt)
            targets = np.sort(rng.choice(alive, size=int(0.6 * len(alive)), replace=False))
            self._add_campaign("cross_sell", f"Cross-sell {frac:.0%} mark", "15% off the suggested next category",
                               "email", targets, np.full(len(targets), day))
        # loyalty: members active at the date get a double-points week
        day = np.floor(0.60 * D)
        members = np.flatnonzero(self._alive_at(day - 14.0) & self._alive_at(day) & self.member
                                 & (self.tj < day - 14.0) & self.sms_opt)
        self._add_campaign("loyalty", "Double points week", "double loyalty points for 7 days", "sms",
                           members, np.full(len(members), day))
        # win-back: defectors contacted in a random week 1..8 after defection
        churn_day = np.where(self.churned, self.churn_t, np.inf)
        defectors = np.flatnonzero((churn_day >= self.launch) & (churn_day < D - 7 * WIN_BACK_WEEKS - 30))
        week = rng.integers(1, WIN_BACK_WEEKS + 1, len(defectors))
        contact = np.floor(churn_day[defectors]) + 7.0 * (week - 1) + rng.integers(0, 7, len(defectors))
        # the test cell is not contacted early here: that would break the randomised week design
        self._add_campaign("win_back", "We miss you (win-back programme)", "25% off your next order", "phone",
                           defectors, contact, week=week, test_lead=0.0)

    def prospecting(self):
        """Prospects reached by SMS; responders are the customers acquired through the campaign."""
        rng, D = self.rng, self.D
        day = np.floor(0.5 * D)
        window = (self.acq > day + 1) & (self.acq < day + 31)
        responders = np.flatnonzero(window & (rng.random(self.n) < 0.5))
        design = np.asarray(CAMPAIGN_DESIGN["prospecting"]["treated"])
        counts = np.bincount(self.seg[responders], minlength=len(design))
        # non-responding prospects in each segment so that the response rate equals the design
        non = rng.poisson(counts * (1.0 - design) / design)
        seg_non = np.repeat(np.arange(len(design)), non)
        self.prospect_responders = responders
        cid = len({r["campaign_id"] for r in self.campaign_rows}) + 1
        for s, seg_name in enumerate(_SEGMENT_NAMES):
            self.campaign_effects.append({
                "campaign_id": cid, "campaign_type": "prospecting", "segment": seg_name,
                "p_control": 0.0, "p_treated": design[s], "uplift": design[s]})
        m = len(responders) + len(seg_non)
        cell = np.where(rng.random(m) < 0.05, 0, 1)
        dayv = np.where(cell == 0, day - 14.0, day)
        self.prospecting_row = {
            "campaign_id": cid, "campaign_name": "Spring acquisition SMS", "campaign_type": "prospecting",
            "offer": "free delivery on the first order", "channel": "sms",
            "responders": responders, "seg_non": seg_non, "cell": cell, "day": dayv}

    # ---- step 3: all orders and their attributes -----------------------
    def orders(self):
        rng = self.rng
        person = [self.o_person]
        t = [self.o_t]
        num = [self.o_num]
        origin = [np.zeros(len(self.o_t), dtype=np.int64)]
        camp = [np.full(len(self.o_t), -1)]
        forced = [np.full(len(self.o_t), -1)]
        # suggested next category for cross-sell: the most likely other category after the first
        sugg = TRANSITION - np.eye(len(CATEGORIES))
        self.suggest = sugg.argmax(axis=1)
        for k, row in enumerate(self.campaign_rows):
            r = row["responded"]
            person.append(row["person"][r])
            t.append(row["resp_day"][r])
            num.append(np.full(int(r.sum()), -1))
            origin.append(np.ones(int(r.sum()), dtype=np.int64))
            camp.append(np.full(int(r.sum()), k))
            forced.append(np.full(int(r.sum()), -2 if row["campaign_type"] == "cross_sell" else -1))
        self.x_person = np.concatenate(person)
        self.x_t = np.concatenate(t)
        self.x_num = np.concatenate(num)
        self.x_origin = np.concatenate(origin)
        self.x_camp = np.concatenate(camp)
        forced = np.concatenate(forced)
        n_o = len(self.x_t)
        seg = self.seg[self.x_person]
        # channel
        ch = _draw(rng, SEGMENT_ORDER_CHANNEL, seg)
        ch = np.where(self.x_origin == 1, np.where(rng.random(n_o) < 0.5, 0, 1), ch)  # responses online
        # category: segment needs, except the 2nd purchase (transition matrix) and cross-sell offers
        cat = _draw(rng, SEGMENT_CATEGORY, seg)
        first_pos = np.full(self.n, -1)
        is_first = self.x_num == 0
        first_pos[self.x_person[is_first]] = np.flatnonzero(is_first)
        is_second = self.x_num == 1
        first_cat = cat[first_pos[self.x_person[is_second]]]
        cat[is_second] = _draw(rng, TRANSITION, first_cat)
        xs = forced == -2
        cat[xs] = self.suggest[cat[first_pos[self.x_person[xs]]]]
        self.first_cat = cat[first_pos]
        # amount: lognormal around the segment's basket times the category price level
        med = SEGMENTS["basket_median"].to_numpy()[seg] * CATEGORY_PRICE[cat]
        amount = np.round(med * np.exp(0.55 * rng.standard_normal(n_o)), 1)
        amount = np.maximum(amount, 20.0)
        # delivery: store orders are taken home; others are promised a lead time by region
        region = self.region[self.x_person]
        shipped = ch != 2
        promise = np.where(shipped, REGION_PROMISE_DAYS[region] + rng.integers(0, 2, n_o), 0)
        late = shipped & (rng.random(n_o) < REGION_LATE_PROB[region])
        days_late = np.where(late, rng.geometric(0.35, n_o), 0)
        early = shipped & ~late & (promise > 1) & (rng.random(n_o) < 0.10)
        delta = promise + days_late - early.astype(np.int64)
        self.x_ch, self.x_cat, self.x_amount = ch, cat, amount
        self.x_promise, self.x_delta, self.x_late = promise, delta, days_late
        self.x_day = np.floor(self.x_t)

    # ---- step 4: customer records, duplicates --------------------------
    def demographics(self):
        rng, n = self.rng, self.n
        self.region = _draw(rng, REGION_SHARE[None, :], np.zeros(n, dtype=np.int64))
        self.age = _draw(rng, SEGMENT_AGE, self.seg)
        self.female = rng.random(n) < SEGMENT_FEMALE[self.seg]
        # permission to market: the firm e-mails and texts only customers who opted in
        self.email_opt = rng.random(n) < 0.65
        self.sms_opt = rng.random(n) < 0.55

    def records(self):
        rng, n = self.rng, self.n
        # duplicates: persons with a repeat purchase open a second record at a later order
        eligible = np.flatnonzero(self.K >= 1)
        n_dup = min(self.n_dup_target, len(eligible))
        dup_persons = np.sort(rng.choice(eligible, size=n_dup, replace=False))
        split_num = 1 + np.floor(rng.random(n_dup) * self.K[dup_persons]).astype(np.int64)
        record = np.zeros(len(self.x_t), dtype=np.int64)  # 0 = primary record, 1 = duplicate
        is_dup_person = np.zeros(n, dtype=bool)
        is_dup_person[dup_persons] = True
        split_of = np.full(n, np.iinfo(np.int64).max)
        split_of[dup_persons] = split_num
        organic = self.x_origin == 0
        after = organic & is_dup_person[self.x_person] & (self.x_num >= split_of[self.x_person])
        at = after & (self.x_num == split_of[self.x_person])
        record[after] = (rng.random(int(after.sum())) < 0.6).astype(np.int64)
        record[at] = 1
        # the duplicate is born when the person buys through another channel than the first order
        first_ch = self.x_ch[self.x_num == 0][np.argsort(self.x_person[self.x_num == 0])]
        shift = rng.integers(1, len(ORDER_CHANNELS), int(at.sum()))
        self.x_ch[at] = (first_ch[self.x_person[at]] + shift) % len(ORDER_CHANNELS)
        # shipped/store consistency after the channel change
        store_now = at & (self.x_ch == 2)
        self.x_promise[store_now] = 0
        self.x_delta[store_now] = 0
        self.x_late[store_now] = 0
        self.x_record = record
        self.dup_persons = dup_persons
        self.dup_day = np.zeros(n_dup)
        at_idx = np.flatnonzero(at)
        order_of = np.argsort(self.x_person[at_idx])
        self.dup_day = self.x_day[at_idx[order_of]]
        self.dup_channel = self.x_ch[at_idx[order_of]]
        self.first_ch = first_ch

    # ---- assemble ------------------------------------------------------
    def build(self) -> SampleCompany:
        self.persons()
        self.demographics()
        self.campaigns()
        self.prospecting()
        self.orders()
        self.records()
        return self.assemble()

    def assemble(self) -> SampleCompany:
        rng, n = self.rng, self.n
        start = self.start
        n_dup = len(self.dup_persons)
        # --- customer ids in order of acquisition (a duplicate gets a later id) ---
        rec_person = np.concatenate([np.arange(n), self.dup_persons])
        rec_is_dup = np.concatenate([np.zeros(n, bool), np.ones(n_dup, bool)])
        rec_day = np.concatenate([np.floor(self.acq), self.dup_day])
        order = np.lexsort((rec_is_dup, rec_person, rec_day))
        rec_id = np.empty(n + n_dup, dtype=np.int64)
        rec_id[order] = 100001 + np.arange(n + n_dup)
        primary_id = rec_id[:n]
        dup_id = np.full(n, -1, dtype=np.int64)
        dup_id[self.dup_persons] = rec_id[n:]
        # --- names, e-mails, phones ---
        names = list(_FIRST_NAMES)
        male = np.array([i for i, k in enumerate(names) if _FIRST_NAMES[k][0] == "male"])
        female = np.array([i for i, k in enumerate(names) if _FIRST_NAMES[k][0] == "female"])
        fi = np.where(self.female, female[rng.integers(0, len(female), n)], male[rng.integers(0, len(male), n)])
        lasts = list(_LAST_NAMES)
        li = rng.integers(0, len(lasts), n)
        first = np.array(names, dtype=object)[fi]
        last = np.array(lasts, dtype=object)[li]
        style = rng.integers(0, 3, n)
        num = rng.integers(10, 100, n)
        domain = _draw(rng, _EMAIL_DOMAIN_SHARE[None, :], np.zeros(n, dtype=np.int64))
        emails = []
        seen: set[str] = set()
        for i in range(n):
            f, la = first[i].lower(), last[i].lower()
            local = (f"{f}.{la}{num[i]}", f"{f[0]}{la}{num[i]}", f"{f}_{la}{num[i]}")[style[i]]
            addr = f"{local}@{_EMAIL_DOMAINS[domain[i]]}"
            k = 2
            while addr in seen:  # one address per person
                addr = f"{local}{k}@{_EMAIL_DOMAINS[domain[i]]}"
                k += 1
            seen.add(addr)
            emails.append(addr)
        emails = np.array(emails, dtype=object)
        no_email = rng.random(n) < np.where(self.first_ch[np.arange(n)] >= 2, 0.25, 0.0)  # store/phone buyers
        emails_primary = np.where(no_email, None, emails)
        subscriber = rng.choice(10_000_000, size=n, replace=False)
        prefix = _MOBILE_PREFIXES[rng.integers(0, len(_MOBILE_PREFIXES), n)]
        phones = np.array([f"{prefix[i]}{subscriber[i]:07d}" for i in range(n)], dtype=object)
        # --- duplicate records: the same person typed differently ---
        d = self.dup_persons
        name_var = rng.integers(0, len(NAME_VARIANTS), n_dup)
        email_var = rng.integers(0, len(EMAIL_VARIANTS), n_dup)
        phone_var = rng.integers(0, len(PHONE_VARIANTS), n_dup)
        typo_pos = rng.random(n_dup)
        dup_first, dup_last, dup_email, dup_phone = [], [], [], []
        for j, i in enumerate(d):
            f, la = first[i], last[i]
            nv = NAME_VARIANTS[name_var[j]]
            if nv == "spelling":
                f = _FIRST_NAMES[f][2][j % len(_FIRST_NAMES[f][2])]
                la = _LAST_NAMES[la][1][j % len(_LAST_NAMES[la][1])]
            elif nv == "persian_script":
                f, la = _FIRST_NAMES[f][1], _LAST_NAMES[la][0]
            elif nv == "upper_case":
                f, la = f.upper(), la.upper()
            elif nv == "initial":
                f = f[0] + "."
            dup_first.append(f)
            dup_last.append(la)
            addr, label = _email_variant(emails[i], EMAIL_VARIANTS[email_var[j]], typo_pos[j])
            dup_email.append(addr)
            email_var[j] = EMAIL_VARIANTS.index(label)
            dup_phone.append(_phone_variant(phones[i], PHONE_VARIANTS[phone_var[j]]))
        # --- opt-ins ---
        email_opt = np.concatenate([self.email_opt, rng.random(n_dup) < 0.65])
        sms_opt = np.concatenate([self.sms_opt, rng.random(n_dup) < 0.55])
        # acquisition channel of primary records: the first order's channel, some referral/social
        acq_ch = self.first_ch.copy()
        online = acq_ch <= 1
        v = rng.random(n)
        acq_ch = np.where(online & (v < 0.12), 4, np.where(online & (v > 0.85), 5, acq_ch))
        acq_ch[self.prospect_responders] = 6
        acq_names = np.array(ACQUISITION_CHANNELS, dtype=object)
        customers = pd.DataFrame({
            "customer_id": np.concatenate([primary_id, dup_id[d]]),
            "first_name": np.concatenate([first, np.array(dup_first, dtype=object)]),
            "last_name": np.concatenate([last, np.array(dup_last, dtype=object)]),
            "email": np.concatenate([emails_primary, np.array(dup_email, dtype=object)]),
            "phone": np.concatenate([phones, np.array(dup_phone, dtype=object)]),
            "region": np.array(REGIONS, dtype=object)[np.concatenate([self.region, self.region[d]])],
            "age_band": np.array(AGE_BANDS, dtype=object)[np.concatenate([self.age, self.age[d]])],
            "gender": np.where(np.concatenate([self.female, self.female[d]]), "female", "male"),
            "acquisition_channel": np.concatenate([acq_names[acq_ch],
                                                   np.array(ORDER_CHANNELS, dtype=object)[self.dup_channel]]),
            "acquisition_date": _to_date(start, np.concatenate([self.acq, self.dup_day])),
            "email_opt_in": email_opt,
            "sms_opt_in": sms_opt,
            "loyalty_member": np.concatenate([self.member, np.zeros(n_dup, bool)]),
            "loyalty_join_date": np.concatenate([
                _to_date_nan(start, self.tj), np.full(n_dup, np.datetime64("NaT"), dtype="datetime64[us]")]),
        }).sort_values("customer_id", kind="stable")
        customers = _coerce("customers", customers)
        records = pd.DataFrame({
            "customer_id": np.concatenate([primary_id, dup_id[d]]),
            "person_id": np.concatenate([np.arange(n), d]) + 1,
            "is_duplicate": rec_is_dup,
            "name_variant": np.concatenate([np.full(n, "same", dtype=object),
                                            np.array(NAME_VARIANTS, dtype=object)[name_var]]),
            "email_variant": np.concatenate([np.full(n, "same", dtype=object),
                                             np.array(EMAIL_VARIANTS, dtype=object)[email_var]]),
            "phone_variant": np.concatenate([np.full(n, "same", dtype=object),
                                             np.array(PHONE_VARIANTS, dtype=object)[phone_var]]),
        }).sort_values("customer_id", kind="stable")
        records = _coerce("truth_records", records)

        # --- transactions, ids in date order ---
        o_cust = np.where(self.x_record == 1, dup_id[self.x_person], primary_id[self.x_person])
        o_order = _lexorder(self.x_t, o_cust, self.x_day)
        n_o = len(o_order)
        order_id = np.empty(n_o, dtype=np.int64)
        order_id[o_order] = 1_000_001 + np.arange(n_o)
        order_date = _to_date(start, self.x_day)
        promised = order_date + self.x_promise.astype("timedelta64[D]")
        actual = order_date + np.maximum(self.x_delta, 0).astype("timedelta64[D]")
        camp_id = np.array([r["campaign_id"] for r in self.campaign_rows] + [0], dtype=np.int64)
        c_of = camp_id[self.x_camp]  # x_camp == -1 picks the trailing 0
        # only treated responders redeem a code; a control's response is an ordinary order
        cell_of = np.full(n_o, -1)
        for k, row in enumerate(self.campaign_rows):
            sel = self.x_camp == k
            cell_of[sel] = row["cell"][row["responded"]]
        redeemed = (self.x_camp >= 0) & (cell_of != 2)
        transactions = pd.DataFrame({
            "order_id": order_id, "customer_id": o_cust, "order_date": order_date,
            "category": pd.Categorical.from_codes(self.x_cat, CATEGORIES),
            "amount": self.x_amount, "promised_delivery_date": promised, "actual_delivery_date": actual,
            "channel": pd.Categorical.from_codes(self.x_ch, ORDER_CHANNELS),
            "campaign_id": pd.array(np.where(redeemed, c_of, 0), dtype="Int64"),
        })
        transactions.loc[~redeemed, "campaign_id"] = pd.NA
        transactions = transactions.iloc[o_order]
        transactions = _coerce("transactions", transactions)
        truth_orders = _coerce("truth_orders", pd.DataFrame({
            "order_id": order_id, "person_id": self.x_person + 1,
            "origin": pd.Categorical.from_codes(self.x_origin, ORIGINS),
            "purchase_number": pd.array(np.where(self.x_num >= 0, self.x_num, 0), dtype="Int64"),
            "days_late": self.x_late,
        }).assign(purchase_number=lambda f: f["purchase_number"].where(self.x_num >= 0)).iloc[o_order])

        # --- campaigns table ---
        camp_frames = []
        won_back = np.zeros(n, dtype=bool)
        for k, row in enumerate(self.campaign_rows):
            m = len(row["person"])
            seg = self.seg[row["person"]]
            resp = row["responded"]
            # response orders were appended in the order of the responders in campaign_rows[k]
            sel = np.flatnonzero(self.x_camp == k)
            oid = np.zeros(m, dtype=np.int64)
            oid[resp] = order_id[sel]
            revenue = np.zeros(m)
            revenue[resp] = self.x_amount[sel]
            reason = self._refusals(seg, (~resp) & (row["cell"] != 2))
            if row["campaign_type"] == "win_back":
                won_back[row["person"][resp]] = True
            camp_frames.append(pd.DataFrame({
                "campaign_id": row["campaign_id"], "campaign_name": row["campaign_name"],
                "campaign_type": row["campaign_type"], "customer_id": primary_id[row["person"]],
                "prospect_id": pd.array([pd.NA] * m, dtype="Int64"), "offer": row["offer"],
                "channel": row["channel"], "cell": np.array(CELLS, dtype=object)[row["cell"]],
                "contact_date": _to_date(start, row["day"]), "responded": resp,
                "response_date": _to_date_nan(start, row["resp_day"]),
                "order_id": pd.array(np.where(resp, oid, 0), dtype="Int64").astype("Int64"),
                "revenue": np.where(resp, revenue, 0.0),
                "refusal_reason": reason,
            }).assign(order_id=lambda f, r=resp: f["order_id"].where(r)))
        pr = self.prospecting_row
        resp_persons = pr["responders"]
        n_resp = len(resp_persons)
        m = n_resp + len(pr["seg_non"])
        seg_all = np.concatenate([self.seg[resp_persons], pr["seg_non"]])
        responded = np.arange(m) < n_resp
        # responders' first (organic) order is the campaign's revenue
        first_idx = np.full(n, -1)
        is_first = self.x_num == 0
        first_idx[self.x_person[is_first]] = np.flatnonzero(is_first)
        fidx = first_idx[resp_persons]
        pro_perm = rng.permutation(m)  # prospects listed in random order, ids follow the list
        reason = self._refusals(seg_all, ~responded)
        pros = pd.DataFrame({
            "campaign_id": pr["campaign_id"], "campaign_name": pr["campaign_name"],
            "campaign_type": "prospecting",
            "customer_id": pd.array(np.concatenate([primary_id[resp_persons], np.zeros(m - n_resp, np.int64)]),
                                    dtype="Int64"),
            "prospect_id": 500001 + np.argsort(pro_perm),
            "offer": pr["offer"], "channel": pr["channel"],
            "cell": np.array(CELLS, dtype=object)[pr["cell"]],
            "contact_date": _to_date(start, pr["day"]),
            "responded": responded,
            "response_date": np.concatenate([order_date[fidx], np.full(m - n_resp, np.datetime64("NaT"),
                                                                          dtype="datetime64[us]")]),
            "order_id": pd.array(np.concatenate([order_id[fidx], np.zeros(m - n_resp, np.int64)]), dtype="Int64"),
            "revenue": np.concatenate([self.x_amount[fidx], np.zeros(m - n_resp)]),
            "refusal_reason": reason,
        })
        pros.loc[~responded, ["customer_id", "order_id"]] = pd.NA
        pros = pros.iloc[pro_perm]
        camp_frames.insert(3, pros)
        campaigns = pd.concat(camp_frames, ignore_index=True)
        campaigns = campaigns.sort_values(["campaign_id", "contact_date", "prospect_id", "customer_id"],
                                          kind="stable")
        campaigns = _coerce("campaigns", campaigns)

        contacts = self._contacts(o_cust, order_id, order_date, actual, primary_id)
        web = self._sessions(o_cust, order_id, order_date, primary_id)

        # --- truth tables ---
        n_orders_person = np.bincount(self.x_person, minlength=n)
        persons = _coerce("truth_persons", pd.DataFrame({
            "person_id": np.arange(n) + 1, "customer_id": primary_id,
            "segment": pd.Categorical.from_codes(self.seg, _SEGMENT_NAMES),
            "purchase_rate": self.lam, "dropout_prob": self.p,
            "acquisition_date": _to_date(start, self.acq),
            "churned": self.churned, "churn_date": _to_date_nan(start, self.churn_t),
            "loyalty_member": self.member, "loyalty_join_date": _to_date_nan(start, self.tj),
            "won_back": won_back, "n_orders": n_orders_person,
        }))
        seg_tab = SEGMENTS.copy()
        for j, c in enumerate(CATEGORIES):
            seg_tab[f"pref_{c}"] = SEGMENT_CATEGORY[:, j]
        for j, c in enumerate(ORDER_CHANNELS):
            seg_tab[f"channel_{c}"] = SEGMENT_ORDER_CHANNEL[:, j]
        k = len(CATEGORIES)
        transition = pd.DataFrame({"first_category": np.repeat(CATEGORIES, k),
                                   "second_category": np.tile(CATEGORIES, k), "prob": TRANSITION.ravel()})
        weeks = np.arange(1, WIN_BACK_WEEKS + 1)
        win_back = pd.DataFrame({"week": weeks, "relative_response": WIN_BACK_WEEK1_TO_WEEK4 ** (-(weeks - 1) / 3)})
        costs = pd.DataFrame([{"channel": ch, "initiated_by": by, "cost": c}
                              for (ch, by), c in CONTACT_COST.items()])
        params = pd.DataFrame([
            ("seed", -1 if self.seed is None else self.seed, "seed of numpy.random.Generator(PCG64); -1 = none"),
            ("n_orders_target", self.n_orders, "orders asked for"),
            ("rate_scale", self.c, "constant c multiplying every Gamma(r, alpha) purchase rate to hit n_orders"),
            ("loyalty_rate_ratio", LOYALTY_RATE_RATIO, "causal effect of membership on the purchase rate"),
            ("loyalty_launch_day", self.launch, "days after start when the loyalty programme opened"),
            ("win_back_week1_to_week4", WIN_BACK_WEEK1_TO_WEEK4, "win-back response, week 1 / week 4"),
            ("complaint_intercept", COMPLAINT_LOGIT[0], "logit P(complaint | order) at 0 days late"),
            ("complaint_per_day_late", COMPLAINT_LOGIT[1], "rise of logit P(complaint) per day late"),
            ("service_per_order", SERVICE_PER_ORDER, "P(service contact | order)"),
            ("enquiry_per_order", ENQUIRY_PER_ORDER, "P(sales enquiry before an order)"),
            ("complaint_cost_factor", COMPLAINT_COST_FACTOR, "cost of a complaint / cost of another contact"),
            ("duplicate_rate", self.duplicate_rate, "share of persons with a second record (asked for)"),
        ], columns=["name", "value", "meaning"])
        truth = {
            "persons": persons, "records": records, "orders": truth_orders,
            "segments": _coerce("truth_segments", seg_tab),
            "transition": _coerce("truth_transition", transition),
            "campaign_effects": _coerce("truth_campaign_effects", pd.DataFrame(self.campaign_effects)
                                        .sort_values(["campaign_id", "segment"], kind="stable")),
            "win_back": _coerce("truth_win_back", win_back),
            "contact_costs": _coerce("truth_contact_costs", costs),
            "params": _coerce("truth_params", params),
        }
        return SampleCompany(customers, transactions, contacts, campaigns, web, truth)

    def _refusals(self, seg: np.ndarray, eligible: np.ndarray) -> pd.Categorical:
        """Reasons given by about 40% of contacted non-responders; price matters more to price-sensitive segments."""
        rng = self.rng
        m = len(seg)
        ps = SEGMENTS["price_sensitivity"].to_numpy()
        probs = np.column_stack([0.1 + 0.5 * ps, 0.9 - 0.5 * ps, np.full(len(ps), 0.35),
                                 np.full(len(ps), 0.15), np.full(len(ps), 0.10)])
        code = _draw(rng, probs, seg)
        asked = eligible & (rng.random(m) < 0.4)
        return pd.Categorical.from_codes(np.where(asked, code, -1), REFUSAL_REASONS)

    def _contacts(self, o_cust, order_id, order_date, actual, primary_id) -> pd.DataFrame:
        rng = self.rng
        n_o = len(order_id)
        seg = self.seg[self.x_person]
        end = np.datetime64(self.end, "us")
        parts = []
        # complaints: delivery delays raise them
        b0, b1 = COMPLAINT_LOGIT
        p_c = 1.0 / (1.0 + np.exp(-(b0 + b1 * self.x_late)))
        comp = rng.random(n_o) < p_c
        c_date = actual + rng.integers(0, 3, n_o).astype("timedelta64[D]")
        parts.append(("complaint", comp, c_date))
        serv = rng.random(n_o) < SERVICE_PER_ORDER
        s_date = order_date + rng.integers(0, 10, n_o).astype("timedelta64[D]")
        parts.append(("service", serv, s_date))
        enq = rng.random(n_o) < ENQUIRY_PER_ORDER
        parts.append(("sales", enq, order_date))
        cols = {k: [] for k in ("customer_id", "date", "channel", "initiated_by", "purpose", "order_id",
                                "campaign_id", "cost")}
        code_of = {c: i for i, c in enumerate(CONTACT_CHANNELS)}
        for purpose, mask, dates in parts:
            mask = mask & (dates <= end)
            idx = np.flatnonzero(mask)
            ch = _draw(rng, SEGMENT_CONTACT_CHANNEL, seg[idx])
            cost_by_code = np.array([CONTACT_COST.get((c, "customer"), np.nan) for c in CONTACT_CHANNELS])
            cost = cost_by_code[ch] * (COMPLAINT_COST_FACTOR if purpose == "complaint" else 1.0)
            cols["customer_id"].append(o_cust[idx])
            cols["date"].append(dates[idx])
            cols["channel"].append(ch)
            cols["initiated_by"].append(np.zeros(len(idx), np.int64))
            cols["purpose"].append(np.full(len(idx), PURPOSES.index(purpose)))
            cols["order_id"].append(order_id[idx])
            cols["campaign_id"].append(np.zeros(len(idx), np.int64))
            cols["cost"].append(cost)
        for row in self.campaign_rows:
            treated = row["cell"] != 2
            persons = row["person"][treated]
            code = code_of[row["channel"]]
            cols["customer_id"].append(primary_id[persons])
            cols["date"].append(_to_date(self.start, row["day"][treated]))
            cols["channel"].append(np.full(len(persons), code))
            cols["initiated_by"].append(np.ones(len(persons), np.int64))
            cols["purpose"].append(np.zeros(len(persons), np.int64))
            cols["order_id"].append(np.zeros(len(persons), np.int64))
            cols["campaign_id"].append(np.full(len(persons), row["campaign_id"]))
            cols["cost"].append(np.full(len(persons), CONTACT_COST[(row["channel"], "firm")]))
        cust = np.concatenate(cols["customer_id"])
        date = np.concatenate(cols["date"]).astype("datetime64[us]")
        oid = np.concatenate(cols["order_id"])
        cid = np.concatenate(cols["campaign_id"])
        purpose = np.concatenate(cols["purpose"])
        order = _lexorder(purpose, oid, cid, cust, _days(date))
        m = len(order)
        frame = pd.DataFrame({
            "contact_id": 1 + np.arange(m),
            "customer_id": cust[order],
            "contact_date": date[order],
            "channel": pd.Categorical.from_codes(np.concatenate(cols["channel"])[order], CONTACT_CHANNELS),
            "initiated_by": pd.Categorical.from_codes(np.concatenate(cols["initiated_by"])[order], INITIATORS),
            "purpose": pd.Categorical.from_codes(purpose[order], PURPOSES),
            "order_id": pd.array(oid[order], dtype="Int64"),
            "campaign_id": pd.array(cid[order], dtype="Int64"),
            "cost": np.concatenate(cols["cost"])[order],
        })
        frame["order_id"] = frame["order_id"].mask(frame["order_id"] == 0)
        frame["campaign_id"] = frame["campaign_id"].mask(frame["campaign_id"] == 0)
        return _coerce("contacts", frame)

    def _sessions(self, o_cust, order_id, order_date, primary_id) -> pd.DataFrame:
        rng = self.rng
        # converting sessions: one per web or app order
        online = np.flatnonzero(self.x_ch <= 1)
        seg_o = self.seg[self.x_person[online]]
        desk_share = np.array([0.3, 0.7, 0.3, 0.2, 0.6])[seg_o]
        dev_conv = np.where(self.x_ch[online] == 1, 2, np.where(rng.random(len(online)) < desk_share, 0, 1))
        # browsing sessions: a Poisson number per person over the time they are active
        stop = np.where(self.churned, self.churn_t, self.D)
        n_orders_person = np.bincount(self.x_person, minlength=self.n)
        rate = SEGMENTS["browse_per_order"].to_numpy()[self.seg] * n_orders_person
        n_browse = rng.poisson(rate)
        who = np.repeat(np.arange(self.n), n_browse)
        t = self.acq[who] + rng.random(len(who)) * (stop[who] - self.acq[who])
        dev_b = _draw(rng, np.array([[0.35, 0.35, 0.30]]), np.zeros(len(who), np.int64))
        n_c, n_b = len(online), len(who)
        converted = np.concatenate([np.ones(n_c, bool), np.zeros(n_b, bool)])
        pages = np.where(converted, 3 + rng.poisson(6.0, n_c + n_b), 1 + rng.poisson(3.0, n_c + n_b))
        duration = np.round(pages * rng.lognormal(np.log(40.0), 0.5, n_c + n_b)).astype(np.int64)
        cust = np.concatenate([o_cust[online], primary_id[who]])
        date = np.concatenate([order_date[online], _to_date(self.start, t)])
        oid = np.concatenate([order_id[online], np.zeros(n_b, np.int64)])
        device = np.concatenate([dev_conv, dev_b])
        order = _lexorder(oid, cust, _days(date))
        frame = pd.DataFrame({
            "session_id": 1 + np.arange(len(order)),
            "customer_id": cust[order], "session_date": date[order],
            "device": pd.Categorical.from_codes(device[order], DEVICES),
            "pages": pages[order], "duration_sec": duration[order], "converted": converted[order],
            "order_id": pd.array(oid[order], dtype="Int64"),
        })
        frame["order_id"] = frame["order_id"].mask(frame["order_id"] == 0)
        return _coerce("web_sessions", frame)


def _to_date_nan(start: np.datetime64, days: np.ndarray) -> np.ndarray:
    days = np.asarray(days, dtype=float)
    out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[us]")
    ok = np.isfinite(days)
    out[ok] = _to_date(start, days[ok])
    return out


def _email_variant(email: str, kind: str, pos: float) -> tuple[str | None, str]:
    """The address typed another way, and the kind of variant actually applied."""
    local, _, domain = email.partition("@")
    if kind == "missing":
        return None, kind
    if kind in ("gmail_dots", "googlemail") and domain != "gmail.com":
        kind = "case"  # dots and googlemail only make sense for gmail addresses
    if kind == "case":
        return local.title() + "@" + domain.capitalize(), kind
    if kind == "gmail_dots":
        return (local.replace(".", "") if "." in local else local[:2] + "." + local[2:]) + "@" + domain, kind
    if kind == "googlemail":
        return local + "@googlemail.com", kind
    if kind == "typo":
        i = 1 + int(pos * (len(local) - 2))  # swap two neighbouring letters of the local part
        chars = list(local)
        chars[i - 1], chars[i] = chars[i], chars[i - 1]
        swapped = "".join(chars)
        if swapped == local:
            swapped = local[:i] + local[i + 1:]
        return swapped + "@" + domain, kind
    return email, kind


def _phone_variant(phone: str, kind: str):
    if kind == "missing":
        return None
    if kind == "plus98":
        return "+98" + phone[1:]
    if kind == "0098":
        return "0098" + phone[1:]
    if kind == "spaces":
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    if kind == "dashes":
        return f"{phone[:4]}-{phone[4:7]}-{phone[7:]}"
    if kind == "persian_digits":
        return phone.translate(_PERSIAN_DIGITS)
    return phone
