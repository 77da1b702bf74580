"""Privacy (Winer's sixth step): consent filtering, salted pseudonymisation, k-anonymity.

Winer (2001) lists privacy as a step of its own: customers object to unwanted
e-mail and to being watched.  Three tools make that concrete for a customer
database:

- :func:`filter_consent` keeps only the customers who agreed to be contacted on
  a channel (opt-in), so a campaign list never includes an opted-out customer;
- :func:`pseudonymise` replaces identifiers with salted SHA-256 digests, so a
  data set can be shared for analysis without the customer ids, while the same
  id always maps to the same code under the same salt;
- :func:`k_anonymity` measures how identifiable the rows of an export are from
  their quasi-identifiers (region, age band, gender ...) and :func:`check_export`
  refuses an export that still holds direct identifiers (name, e-mail, phone).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.persian import has_eastern_digits, normalize_digits
from crm_research.core.results import Result
from crm_research.core.validation import (
    check_bool,
    check_columns,
    check_dataframe,
    check_int,
    examples_of,
    param_error,
)

__all__ = [
    "DIRECT_IDENTIFIERS",
    "filter_consent",
    "pseudonymise",
    "k_anonymity",
    "check_export",
    "KAnonymityResult",
]

# Columns that identify a person on their own (GDPR "directly identifying" data): the schema's names.
# check_export and pseudonymise recognise many more spellings, in English and Persian (see
# _IDENTIFIER_STEMS below), raw customer ids and e-mails or phone numbers inside free text.
DIRECT_IDENTIFIERS = ("first_name", "last_name", "name", "full_name", "email", "phone", "mobile",
                      "address", "national_id")

_CONSENT_COLUMNS = {"email": ("email", "email_opt_in"), "sms": ("phone", "sms_opt_in")}


def filter_consent(customers: pd.DataFrame, channel: str) -> pd.DataFrame:
    """Customers who may be contacted on ``channel`` (opted in and reachable).

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer with the address column and the opt-in flag of the
        channel (``email``/``email_opt_in`` or ``phone``/``sms_opt_in``). Not modified.
    channel : {"email", "sms"}
        Marketing channel.

    Returns
    -------
    pandas.DataFrame
        The rows of ``customers`` whose opt-in flag is true and whose address is
        present (a new DataFrame, original index kept).

    Notes
    -----
    Missing consent counts as *no* consent: under opt-in rules (e.g. the EU GDPR,
    Art. 6-7, and Iran's e-commerce law on unsolicited messages) silence is not
    agreement.

    References
    ----------
    Winer, R. S. (2001). A framework for customer relationship management. *California
    Management Review*, 43(4), 89-105.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> emailable = crm.filter_consent(company.customers, "email")
    >>> bool(emailable["email_opt_in"].all())
    True
    """
    func = "filter_consent"
    customers = check_dataframe(customers, "customers", func, min_rows=0)
    if channel not in _CONSENT_COLUMNS:
        raise param_error("channel", f"one of {list(_CONSENT_COLUMNS)}", channel, func)
    address, flag = _CONSENT_COLUMNS[channel]
    check_columns(customers, [address, flag], name="customers", func=func)
    consent = customers[flag]
    if not (pd.api.types.is_bool_dtype(consent) or consent.dropna().isin([0, 1, True, False]).all()):
        raise CRMInputError(f"Column {flag!r} of 'customers' must be True/False (opt-in); found "
                            f"{examples_of(pd.unique(consent.dropna().astype(str)))}.")
    keep = consent.fillna(False).astype(bool) & customers[address].notna()
    return customers.loc[keep.to_numpy()].copy()


def _id_text(value) -> str:
    """The id as text; a whole-number float (an integer id column that held a gap) is written as an int,
    so 100001.0 and 100001 get the same pseudonym and the tables still join."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


# -- identifier normalisation -------------------------------------------------------------------------
# The same person's phone number is typed "09121234567", "+98 912 123 4567", "0098-912-123-4567" or with
# Persian digits; e-mail addresses differ in case.  Pseudonyms are computed from one canonical form,
# so all spellings of one identifier give one pseudonym (and one customer stays one customer).
_PHONE_CHARS = re.compile(r"[\s\-().\u200c\u200f\u200e]")
_IRAN_MOBILE = re.compile(r"^(?:\+98|0098|98|0)?(9\d{9})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _normalise_phone(text: str) -> str:
    text = _PHONE_CHARS.sub("", normalize_digits(text.strip()))
    mobile = _IRAN_MOBILE.match(text)
    return "+98" + mobile.group(1) if mobile else text


def _normalise_email(text: str) -> str:
    return text.strip().casefold()


def _normalise_id(text: str) -> str:
    text = text.strip()
    return normalize_digits(text) if has_eastern_digits(text) else text


def _column_kind(name, values: pd.Series) -> str:
    """'phone', 'email' or 'id': by the column's name first, else by its content."""
    kind = _identifier_kind(name)
    if kind in ("phone", "email"):
        return kind
    text = values.dropna().astype(str)
    if len(text) and text.map(lambda v: bool(_EMAIL.match(v.strip()))).all():
        return "email"
    if len(text) and text.map(lambda v: bool(_IRAN_MOBILE.match(_PHONE_CHARS.sub("", normalize_digits(v))))).all():
        return "phone"
    return "id"


_NORMALISE = {"phone": _normalise_phone, "email": _normalise_email, "id": _normalise_id}

# A key shorter than this, or with less estimated entropy, is refused (see pseudonymise's Notes).
_MIN_KEY_CHARS = 16
_MIN_KEY_BITS = 48.0


def _key_bits(key: str) -> float:
    """Upper estimate of a key's entropy: its length times the empirical entropy per character.

    'aaaaaaaaaaaaaaaa' scores 0 bits, 'abababababababab' 16; 64 random hex digits score about 250.
    A typed phrase scores far more than its real entropy, so this only catches the plainly weak.
    """
    counts = np.array(list(Counter(key).values()), dtype=float)
    p = counts / counts.sum()
    return float(len(key) * -(p * np.log2(p)).sum())


def _check_key(salt, func: str) -> bytes:
    advice = ("Generate one with Python's secrets.token_hex(32) and keep it apart from the data "
              "(anyone holding it can re-identify customers by pseudonymising every possible id).")
    if isinstance(salt, bytes):
        key = salt
        weak = len(key) < _MIN_KEY_CHARS or _key_bits(key.decode("latin-1")) < _MIN_KEY_BITS
        shown = f"{len(key)} bytes"
    elif isinstance(salt, str):
        key = salt.encode("utf-8")
        weak = len(salt) < _MIN_KEY_CHARS or _key_bits(salt) < _MIN_KEY_BITS or len(set(salt)) < 6
        shown = f"{len(salt)} characters, about {_key_bits(salt):.0f} bits of estimated entropy"
    else:
        raise CRMInputError(f"The 'salt' parameter of {func} must be a secret key (str or bytes). "
                            f"Got {type(salt).__name__} instead. {advice}")
    if weak:
        raise CRMInputError(
            f"The 'salt' parameter of {func} is too weak a secret key ({shown}); it needs at least "
            f"{_MIN_KEY_CHARS} characters and {_MIN_KEY_BITS:.0f} bits of estimated entropy. {advice}")
    return key


def _digest(value: str, key: bytes, length: int) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


@positional_options
def pseudonymise(data: pd.DataFrame, columns: str | Sequence[str], salt: str | bytes, *, length: int = 32,
                 drop_direct: bool = True, normalise: bool = True) -> pd.DataFrame:
    """Replace identifier columns with keyed (HMAC-SHA256) pseudonyms.

    Parameters
    ----------
    data : pandas.DataFrame
        Not modified.
    columns : str or list of str
        Identifier columns to replace (e.g. ``customer_id``, ``phone``, ``email``).
    salt : str or bytes
        The secret key: at least 16 characters and not trivially guessable (a weak key such
        as ``"aaaaaaaaaaaaaaaa"`` is refused).  Generate one with ``secrets.token_hex(32)`` and
        keep it out of the exported data (it is never written into the result).
    length : int, default 32
        Hex characters kept of each HMAC (128 bits at 32; at least 16).
    drop_direct : bool, default True
        Drop direct-identifier columns (see :func:`check_export`) that are not in ``columns``.
    normalise : bool, default True
        Pseudonymise the canonical form of each identifier: phone numbers without spaces,
        dashes or brackets, with ASCII digits and Iranian mobiles as ``+989xxxxxxxxx``
        (so ``0912 123 4567``, ``+98-912-123-4567``, ``00989121234567`` and the same in
        Persian digits give one pseudonym); e-mail addresses in lower case; other ids
        with ASCII digits and no surrounding spaces.  A column is a phone or e-mail
        column by its name, or when every value looks like one.

    Returns
    -------
    pandas.DataFrame
        A copy with each listed column replaced by its pseudonym (string); missing
        values stay missing.

    Raises
    ------
    CRMInputError
        A weak key, or two different identifiers that got the same pseudonym (a
        collision would silently merge two customers; use a larger ``length``).

    Notes
    -----
    pseudonym = first ``length`` hex digits of HMAC-SHA256(key, canonical id), with a
    whole-number float written as an integer (``100001.0`` as ``100001``).  The same id
    gives the same pseudonym under the same key, so tables can still be joined.

    *Threat model.*  The pseudonyms protect identities against someone who has the
    exported data but not the key.  Identifier spaces are small: Iran has about 10^9
    possible mobile numbers and a customer number often has six digits, so anyone
    holding the key (or an unkeyed or weakly salted hash) recovers every identifier by
    trying them all, in minutes on a laptop.  No hashing cost can prevent that for 10^9
    candidates; what prevents it is a key the attacker cannot guess: with a random key
    of 128 bits or more (``secrets.token_hex(32)`` gives 256) HMAC pseudonyms cannot be
    reversed or linked without it.  The key must therefore be generated at random,
    stored apart from the data and given only to whoever may re-identify customers.
    With 128-bit pseudonyms the chance that any two of 10^9 customers collide is about
    10^-21; every call checks for collisions anyway and refuses rather than merge two
    customers.  Pseudonymised data are still personal data under the GDPR (Recital 26):
    quasi-identifiers can single people out (see :func:`k_anonymity`).

    References
    ----------
    European Parliament and Council (2016). Regulation (EU) 2016/679 (General Data
    Protection Regulation), Art. 4(5) and Recital 26.

    Krawczyk, H., Bellare, M., & Canetti, R. (1997). *HMAC: Keyed-hashing for message
    authentication* (RFC 2104). IETF.

    Examples
    --------
    >>> import pandas as pd, crm_research as crm
    >>> phones = pd.DataFrame({"phone": ["0912 123 4567", "+98-912-123-4567", "۰۹۱۲۱۲۳۴۵۶۷"]})
    >>> out = crm.pseudonymise(phones, "phone", salt="3f9c1e7a5b2d8c4e6a0f")
    >>> out["phone"].nunique(), len(out["phone"].iloc[0])
    (1, 32)
    """
    func = "pseudonymise"
    data = check_dataframe(data, "data", func, min_rows=0)
    columns = check_columns(data, columns, name="columns", func=func)
    key = _check_key(salt, func)
    length = check_int(length, "length", func, min_value=16, max_value=64)
    normalise = check_bool(normalise, "normalise", func)
    out = data.copy()
    for col in columns:
        values = out[col].astype(object)
        kind = _column_kind(col, values) if normalise else "id"
        clean = _NORMALISE[kind] if normalise else (lambda v: v)
        canonical = [None if pd.isna(v) else clean(_id_text(v)) for v in values]
        hashed = [None if c is None else _digest(c, key, length) for c in canonical]
        distinct = {c: h for c, h in zip(canonical, hashed) if c is not None}
        if len(set(distinct.values())) < len(distinct):
            by_code: dict[str, list] = {}
            for c, h in distinct.items():
                by_code.setdefault(h, []).append(c)
            n = sum(len(v) - 1 for v in by_code.values() if len(v) > 1)
            raise CRMInputError(
                f"Column {col!r}: {n} pair(s) of different identifiers got the same pseudonym at length={length}, "
                f"which would silently merge customers. Use a larger 'length' (up to 64).")
        out[col] = pd.array(hashed, dtype="string")
    if drop_direct:
        direct = [c for c in _direct_columns(out) if c not in columns]
        out = out.drop(columns=direct)
    return out


# -- direct identifiers -------------------------------------------------------------------------------
# Column names are compared after normalisation: lower case, Arabic letter forms as Persian ones, and
# every space, dash, underscore, dot and zero-width non-joiner removed ("E-Mail", "Email Address",
# "PhoneNumber", "شماره موبایل" -> "email", "emailaddress", "phonenumber", "شمارهموبایل").
_NAME_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا"})
_NAME_DROP = re.compile(r"[\s\-_.\u200c\u200f\u200e/\\:#()]+")
# stem -> kind; a column whose normalised name contains the stem is a direct identifier
_IDENTIFIER_STEMS = {
    "email": "email", "mail": "email", "ایمیل": "email", "رایانامه": "email", "پستالکترونیک": "email",
    "phone": "phone", "mobile": "phone", "cellphone": "phone", "cellular": "phone", "telephone": "phone",
    "تلفن": "phone", "موبایل": "phone", "شمارههمراه": "phone", "تلفنهمراه": "phone", "شمارهتماس": "phone",
    "address": "address", "street": "address", "postcode": "address", "zipcode": "address", "postalcode": "address",
    "آدرس": "address", "نشانی": "address", "کدپستی": "address",
    "nationalid": "national_id", "nationalcode": "national_id", "nationalnumber": "national_id",
    "ssn": "national_id", "passport": "national_id", "کدملی": "national_id", "شمارهملی": "national_id",
    "firstname": "name", "lastname": "name", "fullname": "name", "surname": "name", "familyname": "name",
    "givenname": "name", "customername": "name", "contactname": "name", "نامخانوادگی": "name",
    "ناممشتری": "name", "نامکامل": "name", "نامونام": "name",
}
# short names that are identifiers only as the whole name (a stem match would catch "hotel", "rename")
_IDENTIFIER_NAMES = {"tel": "phone", "telno": "phone", "cell": "phone", "name": "name", "نام": "name",
                     "نامونامخانوادگی": "name", "فامیلی": "name", "fname": "name", "lname": "name"}
# ids of a customer: refused unless pseudonymised (see _looks_pseudonymised)
_RAW_ID_NAMES = {"customerid", "customerno", "customernumber", "customercode", "clientid", "userid", "memberid",
                 "personid", "accountid", "accountnumber", "cardnumber", "شناسهمشتری", "کدمشتری", "شمارهمشتری",
                 "شمارهحساب", "شمارهکارت"}
_PSEUDONYM = re.compile(r"^[0-9a-f]{16,64}$")
# e-mails and Iranian phone numbers (mobile 09xx..., +98/0098 forms, landlines 0xx-xxxxxxxx) inside free text
_EMAIL_IN_TEXT = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_PHONE_IN_TEXT = re.compile(r"(?<![\d])(?:(?:\+|00)98[\s\-]?|0)9\d{2}[\s\-]?\d{3}[\s\-]?\d{4}(?!\d)"
                            r"|(?<![\d])0\d{2}[\s\-]?\d{8}(?!\d)")


def _normalised_name(name) -> str:
    return _NAME_DROP.sub("", str(name).casefold().translate(_NAME_FOLD))


def _identifier_kind(name) -> str | None:
    """What kind of direct identifier a column name announces (``None``: none)."""
    norm = _normalised_name(name)
    if norm in _IDENTIFIER_NAMES:
        return _IDENTIFIER_NAMES[norm]
    for stem, kind in _IDENTIFIER_STEMS.items():
        if stem in norm:
            return kind
    if norm in _RAW_ID_NAMES:
        return "customer_id"
    return None


def _looks_pseudonymised(values: pd.Series) -> bool:
    text = values.dropna()
    return bool(len(text)) and text.map(lambda v: isinstance(v, str) and bool(_PSEUDONYM.match(v))).all() \
        and text.str.len().nunique() == 1


def _is_flag(values: pd.Series) -> bool:
    """A yes/no column (such as ``email_opt_in``) cannot identify anyone, whatever its name."""
    return pd.api.types.is_bool_dtype(values) or values.dropna().isin([0, 1, True, False]).all()


def _direct_columns(data: pd.DataFrame) -> list:
    """Columns that identify a person: by name (EN/FA), a raw customer id, or content (e-mails, phones)."""
    found = []
    for col in data.columns:
        values = data[col]
        if isinstance(values, pd.DataFrame):  # a repeated column name: judge each copy's name only
            values = values.iloc[:, 0]
        kind = _identifier_kind(col)
        if kind is not None and not _is_flag(values) and not _looks_pseudonymised(values):
            found.append(col)
        elif kind is None and (values.dtype == object or pd.api.types.is_string_dtype(values)):
            if _text_holds_identifiers(values):
                found.append(col)
    return found


def _text_holds_identifiers(values: pd.Series) -> bool:
    text = values.dropna()
    text = text[text.map(lambda v: isinstance(v, str))]
    if not len(text):
        return False
    text = text.map(lambda v: normalize_digits(v) if has_eastern_digits(v) else v)
    return bool(text.str.contains(_EMAIL_IN_TEXT).any() or text.str.contains(_PHONE_IN_TEXT).any())


@dataclass(repr=False, eq=False)
class KAnonymityResult(Result):
    """Equivalence classes of an export's quasi-identifiers and its k-anonymity.

    ``k`` (smallest class size), ``n_rows``, ``rows_at_risk`` and
    ``is_k_anonymous`` are derived from ``classes`` and ``k_required``.
    """

    title: ClassVar[str] = "k-anonymity of an export"
    classes: pd.DataFrame
    quasi_identifiers: list[str]
    k_required: int
    k: int = field(init=False)
    n_rows: int = field(init=False)
    rows_at_risk: int = field(init=False)
    is_k_anonymous: bool = field(init=False)

    def __post_init__(self):
        sizes = self.classes["size"]
        self.k = int(sizes.min()) if len(sizes) else 0
        self.n_rows = int(sizes.sum())
        small = self.classes[sizes < self.k_required]
        self.rows_at_risk = int(small["size"].sum())
        self.is_k_anonymous = self.k >= self.k_required
        if not self.is_k_anonymous:
            self.warnings.append(
                f"{len(small)} combination(s) of {', '.join(self.quasi_identifiers)} hold fewer than "
                f"{self.k_required} rows ({self.rows_at_risk} rows at risk): generalise or suppress them.")

    def to_frame(self) -> pd.DataFrame:
        return self.classes.copy()

    def _summary_tables(self):
        overview = pd.DataFrame([{"rows": self.n_rows, "classes": len(self.classes), "k": self.k,
                                  "k_required": self.k_required, "k_anonymous": self.is_k_anonymous,
                                  "rows_at_risk": self.rows_at_risk}])
        return [("Overview", overview), ("Smallest equivalence classes", self.classes.head(10))]

    def plot(self, ax=None):
        """Histogram of equivalence-class sizes with the required k marked."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3.5))
        sizes = self.classes["size"].to_numpy()
        ax.hist(sizes, bins=min(40, max(5, len(np.unique(sizes)))), color="#4C72B0")
        ax.axvline(self.k_required, color="#C44E52", ls="--", label=f"k required = {self.k_required}")
        ax.set_xlabel("rows sharing the same quasi-identifiers (class size)")
        ax.set_ylabel("classes")
        ax.set_title(f"k-anonymity: k = {self.k}")
        ax.legend()
        return ax


@positional_options
def k_anonymity(data: pd.DataFrame, quasi_identifiers: str | Sequence[str], *, k: int = 5) -> KAnonymityResult:
    """How many rows share each combination of quasi-identifiers (Sweeney's k-anonymity).

    Parameters
    ----------
    data : pandas.DataFrame
        The export. Not modified.
    quasi_identifiers : str or list of str
        Columns that are not identifying alone but can be in combination
        (region, age band, gender, acquisition month ...).
    k : int, default 5
        Required minimum class size.

    Returns
    -------
    KAnonymityResult
        ``classes`` (one row per combination: the quasi-identifiers and ``size``,
        smallest first), ``k`` (the smallest class size, the export's k),
        ``is_k_anonymous`` (``k >= k_required``), ``rows_at_risk`` (rows in classes
        smaller than the required k).

    Notes
    -----
    A table is k-anonymous when every combination of quasi-identifier values that
    occurs is shared by at least k rows, so no row can be narrowed down to fewer
    than k people by linking it with outside data on those attributes.  Missing
    values are treated as a value of their own.

    References
    ----------
    Sweeney, L. (2002). k-anonymity: A model for protecting privacy. *International
    Journal of Uncertainty, Fuzziness and Knowledge-Based Systems*, 10(5), 557-570.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> crm.k_anonymity(company.customers, ["region", "gender"], k=5).is_k_anonymous
    True
    """
    func = "k_anonymity"
    data = check_dataframe(data, "data", func)
    qi = check_columns(data, quasi_identifiers, name="quasi_identifiers", func=func)
    k = check_int(k, "k", func, min_value=2)
    keys = data[qi].astype(object).where(data[qi].notna(), "<missing>").astype(str)
    classes = (keys.groupby(qi, sort=False).size().rename("size").reset_index()
               .sort_values(["size", *qi], kind="stable").reset_index(drop=True))
    return KAnonymityResult(classes, qi, k)


@positional_options
def check_export(data: pd.DataFrame, quasi_identifiers: str | Sequence[str], *, k: int = 5) -> KAnonymityResult:
    """Refuse an export with direct identifiers; otherwise return its k-anonymity.

    Parameters
    ----------
    data : pandas.DataFrame
        The table about to leave the firm. Not modified.
    quasi_identifiers : str or list of str
        Its quasi-identifier columns (see :func:`k_anonymity`).
    k : int, default 5
        Required minimum class size.

    Returns
    -------
    KAnonymityResult
        As :func:`k_anonymity`; check ``is_k_anonymous`` before sharing.

    Raises
    ------
    CRMInputError
        When a column is a direct identifier: its name, compared without case, spaces,
        dashes or underscores and in English or Persian, says name, e-mail, phone, address
        or national code (``E-Mail``, ``PhoneNumber``, ``tel``, ``national_code``,
        ``ایمیل``, ``شماره موبایل`` ...; see :data:`DIRECT_IDENTIFIERS`); it is a customer id
        (``customer_id``, ``کد مشتری`` ...) that is not pseudonymised; or its free text holds
        an e-mail address or an Iranian phone number (also in Persian digits).  Yes/no
        columns such as ``email_opt_in`` are not identifiers.  Drop the column or
        :func:`pseudonymise` it first.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> crm.check_export(company.customers, ["region"])
    Traceback (most recent call last):
    ...
    crm_research.core.errors.CRMInputError: The export holds direct identifier column(s) 'customer_id', 'first_name', ...
    """
    func = "check_export"
    data = check_dataframe(data, "data", func)
    direct = _direct_columns(data)
    if direct:
        raise CRMInputError(
            f"The export holds direct identifier column(s) {examples_of(direct, 10)}, which name a person on "
            "their own (by the column's name, a raw customer id, or e-mail addresses or phone numbers in its "
            "text). Drop them, or replace ids with crm.pseudonymise(..., salt=...) before sharing."
        )
    return k_anonymity(data, quasi_identifiers, k=k)
