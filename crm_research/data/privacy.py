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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.validation import check_columns, check_dataframe, check_int, examples_of, param_error

__all__ = [
    "DIRECT_IDENTIFIERS",
    "filter_consent",
    "pseudonymise",
    "k_anonymity",
    "check_export",
    "KAnonymityResult",
]

# Columns that identify a person on their own (GDPR "directly identifying" data).
# Matched case-insensitively and as name parts, so "customer_email" is caught too.
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


def _digest(value: str, salt: str, length: int) -> str:
    return hashlib.sha256((salt + "\x1f" + value).encode("utf-8")).hexdigest()[:length]


@positional_options
def pseudonymise(data: pd.DataFrame, columns: str | Sequence[str], salt: str, *, length: int = 16,
                 drop_direct: bool = True) -> pd.DataFrame:
    """Replace identifier columns with salted SHA-256 pseudonyms.

    Parameters
    ----------
    data : pandas.DataFrame
        Not modified.
    columns : str or list of str
        Identifier columns to replace (e.g. ``customer_id``).
    salt : str
        Secret salt, at least 8 characters.  Keep it out of the exported data (it is
        never written into the result): anyone holding it can re-identify customers by
        hashing candidate ids.
    length : int, default 16
        Hex characters kept of each digest (64 bits at 16; at least 8).
    drop_direct : bool, default True
        Drop direct-identifier columns (:data:`DIRECT_IDENTIFIERS`) that are not in
        ``columns``.

    Returns
    -------
    pandas.DataFrame
        A copy with each listed column replaced by its pseudonym (string); missing
        values stay missing.

    Notes
    -----
    pseudonym = first ``length`` hex digits of SHA-256(salt + U+001F + str(value)), with a
    whole-number float written as an integer (``100001.0`` as ``100001``).
    The same value gives the same pseudonym under the same salt, so tables can
    still be joined; without the salt the mapping cannot be rebuilt by hashing
    all possible ids (a plain, unsalted hash of a 6-digit id is reversed in a
    second).  Pseudonymised data are still personal data under the GDPR (Recital 26).

    References
    ----------
    European Parliament and Council (2016). Regulation (EU) 2016/679 (General Data
    Protection Regulation), Art. 4(5) and Recital 26.

    Examples
    --------
    >>> import pandas as pd, crm_research as crm
    >>> out = crm.pseudonymise(pd.DataFrame({"customer_id": [1, 2]}), "customer_id", salt="s3cret-salt")
    >>> len(out["customer_id"].iloc[0])
    16
    """
    func = "pseudonymise"
    data = check_dataframe(data, "data", func, min_rows=0)
    columns = check_columns(data, columns, name="columns", func=func)
    if not isinstance(salt, str) or len(salt) < 8:
        raise CRMInputError(
            f"The 'salt' parameter of {func} must be a secret string of at least 8 characters. "
            f"Got {'a ' + type(salt).__name__ if not isinstance(salt, str) else f'{len(salt)} characters'} "
            "instead. Without a salt a hashed id can be reversed by hashing every possible id."
        )
    length = check_int(length, "length", func, min_value=8, max_value=64)
    out = data.copy()
    for col in columns:
        values = out[col]
        hashed = [None if pd.isna(v) else _digest(_id_text(v), salt, length) for v in values.astype(object)]
        out[col] = pd.array(hashed, dtype="string")
    if drop_direct:
        direct = [c for c in _direct_columns(out.columns) if c not in columns]
        out = out.drop(columns=direct)
    return out


def _direct_columns(columns) -> list[str]:
    found = []
    for col in columns:
        name = str(col).lower()
        parts = set(name.replace("-", "_").split("_"))
        if name in DIRECT_IDENTIFIERS or parts & {"email", "phone", "mobile", "address"} \
                or name.endswith(("first_name", "last_name", "full_name")) or name == "national_id":
            found.append(col)
    return found


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
        When a column is a direct identifier (name, e-mail, phone, address ...; see
        :data:`DIRECT_IDENTIFIERS`): drop it or :func:`pseudonymise` it first.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> crm.check_export(company.customers, ["region"])
    Traceback (most recent call last):
    ...
    crm_research.core.errors.CRMInputError: The export holds direct identifier column(s) 'first_name', ...
    """
    func = "check_export"
    data = check_dataframe(data, "data", func)
    direct = _direct_columns(data.columns)
    if direct:
        raise CRMInputError(
            f"The export holds direct identifier column(s) {examples_of(direct, 10)}, which name a person on "
            "their own. Drop them, or replace ids with crm.pseudonymise(..., salt=...) before sharing."
        )
    return k_anonymity(data, quasi_identifiers, k=k)
