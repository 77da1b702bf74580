"""IDIC (Peppers & Rogers): Identify, Differentiate, Interact, Customize — on a customer database.

Each of the four tasks becomes an analysis whose answer the sample company knows:

- **Identify** (شناسایی): :func:`resolve_duplicates` links the records of one person
  that were created in different channels (normalised e-mail and phone, fuzzy
  names) and :meth:`DuplicateResult.evaluate` scores the links with precision and
  recall against the true person of each record.
- **Differentiate** (تمایز): by value with :func:`value_tiers` (revenue or CLV tiers
  and the Pareto curve), by need with :func:`need_features` (each customer's
  category mix, ready for ``crm.segment``).
- **Interact** (تعامل): :func:`channel_report` — contacts, cost per contact and
  campaign response by channel.
- **Customize** (سفارشی‌سازی): :func:`next_best_offer` — one offer per segment,
  learned on one set of orders and checked on held-out campaign responses
  against a random offer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.persian import normalize_digits
from crm_research.core.results import Result
from crm_research.core.transactions import check_transactions
from crm_research.core.validation import (
    check_columns,
    check_dataframe,
    check_int,
    check_number,
    examples_of,
    param_error,
)

__all__ = [
    "normalize_email",
    "normalize_phone",
    "normalize_name",
    "resolve_duplicates",
    "DuplicateResult",
    "value_tiers",
    "ValueTiersResult",
    "need_features",
    "channel_report",
    "next_best_offer",
    "NextBestOfferResult",
]

_PERSIAN_SCRIPT = re.compile(r"[\u0600-\u06FF]")
_DIGITS = re.compile(r"\D")  # removes everything but digits


# ----------------------------------------------------------------------------- Identify
def normalize_email(email) -> str | None:
    """Canonical form of an e-mail address for matching (``None`` if missing or not an address).

    Lower case, surrounding spaces removed; for Gmail, dots and ``+tags`` in the
    local part are dropped and ``googlemail.com`` becomes ``gmail.com`` (Gmail
    delivers all of these to the same mailbox).

    Examples
    --------
    >>> normalize_email(" Ali.Rezaei+shop@GoogleMail.com ")
    'alirezaei@gmail.com'
    """
    if email is None or (not isinstance(email, str) and pd.isna(email)):
        return None
    text = str(email).strip().lower()
    if text.count("@") != 1:
        return None
    local, domain = text.split("@")
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain == "gmail.com":
        local = local.split("+", 1)[0].replace(".", "")
    if not local or not domain:
        return None
    return f"{local}@{domain}"


def normalize_phone(phone) -> str | None:
    """Canonical Iranian mobile number ``09xxxxxxxxx`` (``None`` if missing or too short).

    Persian and Arabic-Indic digits are read, spaces, dashes and brackets dropped,
    and the international prefixes ``+98`` / ``0098`` / ``98`` replaced by ``0``.

    Examples
    --------
    >>> normalize_phone("+98 912-345 6789"), normalize_phone("۰۹۱۲۳۴۵۶۷۸۹")
    ('09123456789', '09123456789')
    """
    if phone is None or (not isinstance(phone, str) and pd.isna(phone)):
        return None
    if isinstance(phone, (float, np.floating)) and float(phone).is_integer():
        # a phone column with a gap is read as float: 9123456789.0 must not become "91234567890"
        phone = int(phone)
    digits = re.sub(r"\D", "", normalize_digits(str(phone)))
    if digits.startswith("0098"):
        digits = "0" + digits[4:]
    elif digits.startswith("98") and len(digits) == 12:
        digits = "0" + digits[2:]
    elif len(digits) == 10 and digits.startswith("9"):
        digits = "0" + digits
    return digits if len(digits) >= 8 else None


def normalize_name(name) -> str:
    """Lower-case name without dots, extra spaces or zero-width non-joiners ('' if missing)."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    text = str(name).replace("\u200c", " ").replace(".", " ").lower()
    return " ".join(text.split())


def _name_similarity(f1: str, l1: str, f2: str, l2: str) -> float:
    """0..1 similarity of two (first, last) names; NaN when the scripts differ."""
    from rapidfuzz import fuzz

    a, b = f"{f1} {l1}", f"{f2} {l2}"
    if bool(_PERSIAN_SCRIPT.search(a)) != bool(_PERSIAN_SCRIPT.search(b)):
        return np.nan  # Latin vs Persian script: not comparable character by character
    last = fuzz.ratio(l1, l2) / 100.0
    if (len(f1) == 1 or len(f2) == 1) and f1 and f2:
        first = 1.0 if f1[0] == f2[0] else 0.0  # "P." matches "Pouya"
    else:
        first = fuzz.ratio(f1, f2) / 100.0
    return 0.5 * (first + last)


@dataclass(repr=False, eq=False)
class DuplicateResult(Result):
    """Record linkage of a customer table: candidate pairs, decisions and entities."""

    title: ClassVar[str] = "IDIC Identify: duplicate customer records"
    pairs: pd.DataFrame
    entities: pd.DataFrame
    id_col: str

    @property
    def matches(self) -> pd.DataFrame:
        """The candidate pairs judged to be the same person."""
        return self.pairs[self.pairs["match"]].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        return self.entities.copy()

    def _summary_tables(self):
        n = len(self.entities)
        ents = self.entities["entity_id"].nunique()
        overview = pd.DataFrame([{"records": n, "candidate_pairs": len(self.pairs),
                                  "matched_pairs": int(self.pairs["match"].sum()), "persons": ents,
                                  "duplicate_records": n - ents}])
        by_rule = self.pairs.groupby("rule").agg(pairs=("match", "size"), matched=("match", "sum"))
        return [("Overview", overview), ("Candidate pairs by blocking key", by_rule)]

    def evaluate(self, truth: pd.DataFrame, person_col: str = "person_id") -> pd.DataFrame:
        """Precision and recall of the links over record pairs, against the true person of each record.

        Parameters
        ----------
        truth : pandas.DataFrame
            One row per record with the id column and the true person
            (the sample company's ``truth["records"]``).
        person_col : str, default "person_id"

        Returns
        -------
        pandas.DataFrame
            One row: ``true_pairs``, ``predicted_pairs``, ``true_positives``,
            ``precision``, ``recall``, ``f1``.

        Notes
        -----
        A pair of records is *true* when both belong to the same person and
        *predicted* when both are in the same resolved entity.  precision = TP /
        predicted pairs, recall = TP / true pairs, F1 their harmonic mean
        (Christen, 2012, ch. 7).
        """
        func = "DuplicateResult.evaluate"
        truth = check_dataframe(truth, "truth", func)
        check_columns(truth, [self.id_col, person_col], name="truth", func=func)
        true_pairs = _pairs_within(truth[self.id_col].to_numpy(), truth[person_col].to_numpy())
        pred_pairs = _pairs_within(self.entities[self.id_col].to_numpy(), self.entities["entity_id"].to_numpy())
        tp = len(true_pairs & pred_pairs)
        precision = tp / len(pred_pairs) if pred_pairs else np.nan
        recall = tp / len(true_pairs) if true_pairs else np.nan
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        return pd.DataFrame([{"true_pairs": len(true_pairs), "predicted_pairs": len(pred_pairs),
                              "true_positives": tp, "precision": precision, "recall": recall, "f1": f1}])

    def plot(self, ax=None):
        """Name similarity of candidate pairs, matched versus rejected."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3.5))
        for flag, color, label in ((True, "#55A868", "linked"), (False, "#C44E52", "not linked")):
            s = self.pairs.loc[self.pairs["match"] == flag, "name_similarity"].dropna()
            if len(s):
                ax.hist(s, bins=20, range=(0, 1), alpha=0.7, color=color, label=label)
        ax.set_xlabel("name similarity of the candidate pair")
        ax.set_ylabel("pairs")
        ax.set_title("Identify: candidate record pairs")
        ax.legend()
        return ax


def _pairs_within(ids: np.ndarray, groups: np.ndarray) -> set[tuple]:
    frame = pd.DataFrame({"id": ids, "g": groups})
    sizes = frame.groupby("g")["id"].transform("size")
    out: set[tuple] = set()
    for _, members in frame[sizes > 1].groupby("g")["id"]:
        vals = sorted(members.tolist())
        out.update((vals[i], vals[j]) for i in range(len(vals)) for j in range(i + 1, len(vals)))
    return out


def _block_pairs(keys: pd.Series, max_block: int) -> set[tuple[int, int]]:
    """Index pairs of rows that share a (non-missing) key, in blocks of at most ``max_block`` rows."""
    valid = keys.dropna()
    valid = valid[valid != ""]
    counts = valid.map(valid.value_counts())
    valid = valid[(counts >= 2) & (counts <= max_block)]
    out: set[tuple[int, int]] = set()
    for _, idx in valid.groupby(valid, sort=False).groups.items():
        idx = sorted(idx)
        out.update((idx[i], idx[j]) for i in range(len(idx)) for j in range(i + 1, len(idx)))
    return out


@positional_options
def resolve_duplicates(
    customers: pd.DataFrame,
    id_col: str = "customer_id",
    email_col: str = "email",
    phone_col: str = "phone",
    first_name_col: str = "first_name",
    last_name_col: str = "last_name",
    *,
    name_threshold: float = 0.75,
    max_email_edits: int = 1,
    max_block: int = 20,
) -> DuplicateResult:
    """Link customer records that belong to the same person (IDIC's *Identify*).

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer record. Not modified.
    id_col, email_col, phone_col, first_name_col, last_name_col : str
        Column names.
    name_threshold : float, default 0.75
        Minimum name similarity (0..1) for linking two records that share a contact
        key, and for the name-blocked pass.
    max_email_edits : int, default 1
        In the name-blocked pass, the most edits (insertions, deletions,
        substitutions or swaps of neighbouring characters) allowed between two
        normalised e-mails that carry the same digits: one catches a typo.
    max_block : int, default 20
        Blocks (records sharing a key) larger than this are skipped: a key shared by
        many records (a shop's phone number, a shared dummy address) is not evidence.

    Returns
    -------
    DuplicateResult
        ``pairs`` (one row per candidate pair: ``id_a``, ``id_b``, ``rule`` (blocking
        key: email, phone or email_letters), ``email_match``, ``phone_match``,
        ``name_similarity`` (NaN when the names are in different scripts),
        ``email_edits`` (optimal-string-alignment distance of the normalised
        e-mails), ``match``), ``entities`` (every record with its
        ``entity_id``, the smallest record id of its linked group), ``matches``, and
        :meth:`~DuplicateResult.evaluate` for precision and recall.

    Notes
    -----
    Blocking (Christen, 2012) keeps the comparison fast: only records that share
    the normalised e-mail (:func:`normalize_email`), the normalised phone
    (:func:`normalize_phone`), the letters and digits of the e-mail in any order
    (so that two swapped letters still meet) are compared.  A pair sharing both e-mail and phone is linked;
    a pair sharing one of them is linked unless the names, when written in the
    same script, are clearly different (similarity below ``name_threshold``;
    similarity is the mean of the rapidfuzz ratios of first and last name, an
    initial matching its first letter).  Any other candidate pair is linked when
    the names are similar (or in different scripts), the e-mails carry the same
    digits and differ by at most ``max_email_edits`` edits (a typo), and the two
    records do not carry two different phone numbers.  Linked pairs are merged
    transitively (connected components); evaluation counts pairs within the
    resulting entities.

    References
    ----------
    Christen, P. (2012). *Data Matching*. Springer.

    Peppers, D., & Rogers, M. (2004). *Managing Customer Relationships: A Strategic
    Framework*. Wiley. (The *Identify* task.)

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> links = crm.resolve_duplicates(company.customers)
    >>> links.evaluate(company.truth["records"])[["precision", "recall"]].round(2)
       precision  recall
    0        1.0    0.97
    """
    from rapidfuzz.distance import OSA

    func = "resolve_duplicates"
    customers = check_dataframe(customers, "customers", func)
    cols = [id_col, email_col, phone_col, first_name_col, last_name_col]
    check_columns(customers, cols, name="columns", func=func,
                  params=["id_col", "email_col", "phone_col", "first_name_col", "last_name_col"])
    name_threshold = check_number(name_threshold, "name_threshold", func, 0.0, 1.0)
    max_email_edits = check_int(max_email_edits, "max_email_edits", func, min_value=0)
    if isinstance(max_block, bool) or not isinstance(max_block, (int, np.integer)) or max_block < 2:
        raise param_error("max_block", "an int in the range [2, inf)", max_block, func)
    ids = customers[id_col]
    if ids.isna().any() or ids.duplicated().any():
        bad = ids[ids.isna() | ids.duplicated(keep=False)]
        raise CRMInputError(f"Column {id_col!r} of 'customers' must hold unique, non-missing ids; found "
                            f"{examples_of(pd.unique(bad.astype(str)))}.")
    frame = pd.DataFrame({
        "id": ids.to_numpy(),
        "email": [normalize_email(v) for v in customers[email_col].astype(object)],
        "phone": [normalize_phone(v) for v in customers[phone_col].astype(object)],
        "first": [normalize_name(v) for v in customers[first_name_col].astype(object)],
        "last": [normalize_name(v) for v in customers[last_name_col].astype(object)],
    })
    ids_list = frame["id"].tolist()
    # letters of the e-mail in sorted order + its digits + domain: a swap of two letters (the
    # usual typo) leaves this key unchanged, so such pairs meet even if the names are spelt apart
    frame["email_key"] = [None if not isinstance(e, str) else
                          "".join(sorted(ch for ch in e.split("@")[0] if ch.isalpha())) + "|"
                          + _DIGITS.sub("", e) + "|" + e.split("@")[1] for e in frame["email"]]
    # (blocking on the name as well was tried: with a few hundred common Iranian names it
    # makes tens of thousands of pairs, none of which the other keys miss)
    keys = {"email_letters": "email_key", "phone": "phone", "email": "email"}
    rules: dict[tuple[int, int], str] = {}
    for rule, col in keys.items():  # later rules overwrite: the strongest key is reported
        for pair in _block_pairs(frame[col], max_block):
            rules[pair] = rule
    rows = []
    # plain lists of str / None: pandas may turn None into NaN in a string column
    rec = {c: [v if isinstance(v, str) and v else None for v in frame[c].astype(object)]
           for c in ("email", "phone", "first", "last")}
    for (i, j), rule in sorted(rules.items()):
        e1, e2, p1, p2 = rec["email"][i], rec["email"][j], rec["phone"][i], rec["phone"][j]
        email_match = e1 is not None and e1 == e2
        phone_match = p1 is not None and p1 == p2
        sim = _name_similarity(rec["first"][i] or "", rec["last"][i] or "", rec["first"][j] or "",
                               rec["last"][j] or "")
        edits = (OSA.distance(e1, e2) if e1 is not None and e2 is not None
                 and _DIGITS.sub("", e1) == _DIGITS.sub("", e2) else np.nan)
        a, b = {"id": ids_list[i]}, {"id": ids_list[j]}
        if email_match and phone_match:
            match = True  # two independent contact keys agree: spelling of the name does not matter
        elif email_match or phone_match:
            match = bool(np.isnan(sim) or sim >= name_threshold)
        else:
            phones_conflict = p1 is not None and p2 is not None  # both present and (here) different
            match = bool(not phones_conflict and (np.isnan(sim) or sim >= name_threshold)
                         and not np.isnan(edits) and edits <= max_email_edits)
        rows.append({"id_a": a["id"], "id_b": b["id"], "rule": rule, "email_match": email_match,
                     "phone_match": phone_match, "name_similarity": sim, "email_edits": edits,
                     "match": match})
    pairs = pd.DataFrame(rows, columns=["id_a", "id_b", "rule", "email_match", "phone_match",
                                        "name_similarity", "email_edits", "match"])
    # union-find over linked pairs: entity = smallest record id in the component
    parent = {v: v for v in frame["id"]}

    def root(v):
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for a, b in pairs.loc[pairs["match"], ["id_a", "id_b"]].itertuples(index=False):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    entities = pd.DataFrame({id_col: frame["id"].to_numpy(), "entity_id": [root(v) for v in frame["id"]]})
    return DuplicateResult(pairs, entities, id_col)


# ----------------------------------------------------------------------------- Differentiate
@dataclass(repr=False, eq=False)
class ValueTiersResult(Result):
    """Customers ranked by value, their tiers and the Pareto (cumulative value) curve."""

    title: ClassVar[str] = "IDIC Differentiate: customer value tiers"
    customers: pd.DataFrame
    tiers: pd.DataFrame
    pareto: pd.DataFrame

    def share_of_value(self, top: float) -> float:
        """Share of total value held by the top ``top`` share of customers (e.g. 0.2)."""
        top = check_number(top, "top", "ValueTiersResult.share_of_value", 0.0, 1.0)
        n = len(self.customers)
        k = int(np.ceil(top * n))
        total = self.customers["value"].sum()
        return float(self.customers["value"].iloc[:k].sum() / total) if total else np.nan

    def to_frame(self) -> pd.DataFrame:
        return self.tiers.copy()

    def _summary_tables(self):
        marks = pd.DataFrame({"top_share_of_customers": [0.01, 0.05, 0.1, 0.2, 0.5]})
        marks["share_of_value"] = [self.share_of_value(t) for t in marks["top_share_of_customers"]]
        return [("Tiers", self.tiers), ("Pareto curve", marks)]

    def plot(self, ax=None):
        """The Pareto curve: cumulative share of value against share of customers."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 4))
        ax.plot(self.pareto["share_of_customers"], self.pareto["share_of_value"], color="#4C72B0",
                label="customers ranked by value")
        ax.plot([0, 1], [0, 1], color="grey", ls=":", label="equal value")
        s20 = self.share_of_value(0.2)
        ax.plot([0.2, 0.2], [0, s20], color="#C44E52", ls="--")
        ax.annotate(f"top 20% hold {s20:.0%}", (0.2, s20), xytext=(0.3, s20 - 0.15),
                    arrowprops={"arrowstyle": "->"})
        ax.set_xlabel("share of customers (most valuable first)")
        ax.set_ylabel("share of value")
        ax.set_title("Pareto curve of customer value")
        ax.legend(loc="lower right")
        return ax


@positional_options
def value_tiers(data: pd.DataFrame, value_col: str, customer_col: str = "customer_id", *,
                tiers: Mapping[str, float] | None = None) -> ValueTiersResult:
    """Rank customers by value and cut them into tiers (IDIC's *Differentiate by value*).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer with a value column (revenue, margin or CLV). Not modified.
    value_col : str
        Value column (numeric, no missing values).
    customer_col : str, default "customer_id"
    tiers : dict, optional
        Tier name -> share of customers, from the most valuable down; shares sum to 1.
        Default ``{"gold": 0.2, "silver": 0.3, "bronze": 0.5}``.

    Returns
    -------
    ValueTiersResult
        ``customers`` (``customer_col``, ``value``, ``rank`` (1 = most valuable),
        ``cum_share_of_value``, ``tier``), ``tiers`` (``tier``, ``customers``,
        ``share_of_customers``, ``value``, ``share_of_value``, ``mean_value``,
        ``min_value``), ``pareto`` (``share_of_customers``, ``share_of_value``), and
        :meth:`~ValueTiersResult.share_of_value`.

    Notes
    -----
    With customers sorted by value :math:`v_{(1)} \\ge v_{(2)} \\ge \\dots`, the Pareto
    curve is :math:`(i/n, \\sum_{j\\le i} v_{(j)} / \\sum_j v_j)`.  The "80/20 rule"
    says the top 20% hold about 80%; customer bases differ, and the curve shows
    how concentrated this one is.  Ties are broken by the order of ``data``.

    References
    ----------
    Peppers, D., & Rogers, M. (2004). *Managing Customer Relationships: A Strategic
    Framework*. Wiley.

    Examples
    --------
    >>> import crm_research as crm
    >>> db = crm.CustomerDatabase.from_sample_company()
    >>> result = crm.value_tiers(db.customer_overview(), "revenue")
    >>> 0 < result.share_of_value(0.2) < 1
    True
    """
    func = "value_tiers"
    data = check_dataframe(data, "data", func)
    check_columns(data, [customer_col], name="customer_col", func=func)
    ids = data[customer_col]
    if ids.isna().any() or ids.duplicated().any():
        # a transaction log passed by mistake would otherwise be tiered order by order
        bad = ids[ids.isna() | ids.duplicated(keep=False)]
        raise CRMInputError(f"Column {customer_col!r} of 'data' must hold one row per customer (unique, non-missing "
                            f"ids); found {len(bad)} repeated or missing id(s), e.g. "
                            f"{examples_of(pd.unique(bad.astype(str)))}. Aggregate the value per customer first.")
    value = _nonneg_values(data, value_col, func)
    tiers = dict(tiers) if tiers is not None else {"gold": 0.2, "silver": 0.3, "bronze": 0.5}
    if not tiers or any(not isinstance(v, (int, float)) or v <= 0 for v in tiers.values()):
        raise param_error("tiers", "a dict of tier name -> positive share of customers", tiers, func)
    if abs(sum(tiers.values()) - 1.0) > 1e-9:
        raise param_error("tiers", "shares that sum to 1", tiers, func)
    order = np.argsort(-value.to_numpy(), kind="stable")
    v = value.to_numpy()[order]
    n = len(v)
    total = v.sum()
    cum = np.cumsum(v) / total if total else np.full(n, np.nan)
    bounds = np.ceil(np.cumsum(list(tiers.values())) * n - 1e-9).astype(int)
    tier_idx = np.searchsorted(bounds, np.arange(1, n + 1), side="left")
    names = list(tiers)
    customers = pd.DataFrame({customer_col: data[customer_col].to_numpy()[order], "value": v,
                              "rank": np.arange(1, n + 1), "cum_share_of_value": cum,
                              "tier": pd.Categorical([names[min(i, len(names) - 1)] for i in tier_idx],
                                                     categories=names)})
    t = customers.groupby("tier", observed=False)["value"].agg(["size", "sum", "mean", "min"])
    tiers_t = pd.DataFrame({"tier": names, "customers": t["size"].to_numpy(),
                            "share_of_customers": t["size"].to_numpy() / n, "value": t["sum"].to_numpy(),
                            "share_of_value": t["sum"].to_numpy() / total if total else np.nan,
                            "mean_value": t["mean"].to_numpy(), "min_value": t["min"].to_numpy()})
    pareto = pd.DataFrame({"share_of_customers": np.concatenate([[0.0], np.arange(1, n + 1) / n]),
                           "share_of_value": np.concatenate([[0.0], cum])})
    return ValueTiersResult(customers, tiers_t, pareto)


def _nonneg_values(data: pd.DataFrame, col: str, func: str) -> pd.Series:
    from crm_research.core.validation import check_numeric_columns

    values = check_numeric_columns(data, [col], func=func, allow_missing=False)[col]
    if (values < 0).any():
        raise CRMInputError(f"Column {col!r} must hold values >= 0 (a value measure); found "
                            f"{examples_of(values[values < 0].unique())}.")
    return values


def need_features(transactions: pd.DataFrame, customer_col: str = "customer_id",
                  category_col: str = "category", amount_col: str | None = None) -> pd.DataFrame:
    """Each customer's needs as the share of their orders (or spend) in every category.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order. Not modified.
    customer_col, category_col : str
    amount_col : str, optional
        Weight the shares by amount spent instead of counting orders.

    Returns
    -------
    pandas.DataFrame
        One row per customer: ``customer_col``, ``orders``, and ``share_<category>``
        for every category (each row's shares sum to 1).  Feed the share columns to
        ``crm.segment`` for needs-based segments (IDIC's *Differentiate by need*).

    Notes
    -----
    Shares, not counts, so that heavy and light buyers with the same needs look
    alike; value is differentiated separately (:func:`value_tiers`).

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> needs = crm.need_features(company.transactions)
    >>> bool(abs(needs.filter(like="share_").sum(axis=1) - 1).max() < 1e-9)
    True
    """
    func = "need_features"
    check_columns(check_dataframe(transactions, "transactions", func), [category_col], name="columns", func=func,
                  params=["category_col"])
    # ids and amounts by the rules of every transaction log (a missing id would drop out of the pivot unseen)
    transactions = check_transactions(transactions, customer_col=customer_col, date_col=None, amount_col=amount_col,
                                      func=func)
    cat = transactions[category_col]
    if cat.isna().any():
        raise CRMInputError(f"Column {category_col!r} has {int(cat.isna().sum())} missing value(s).")
    weight = transactions[amount_col] if amount_col else pd.Series(1.0, index=transactions.index)
    frame = pd.DataFrame({"c": transactions[customer_col].to_numpy(), "k": cat.astype(str).to_numpy(),
                          "w": weight.to_numpy()})
    table = frame.pivot_table(index="c", columns="k", values="w", aggfunc="sum", fill_value=0.0)
    cats = list(cat.cat.categories) if isinstance(cat.dtype, pd.CategoricalDtype) else sorted(table.columns)
    table = table.reindex(columns=cats, fill_value=0.0)
    shares = table.div(table.sum(axis=1), axis=0)
    out = pd.DataFrame({customer_col: shares.index.to_numpy(),
                        "orders": frame.groupby("c").size().reindex(shares.index).to_numpy()})
    for c in cats:
        out[f"share_{c}"] = shares[c].to_numpy()
    return out


# ----------------------------------------------------------------------------- Interact
def channel_report(contacts: pd.DataFrame, campaigns: pd.DataFrame | None = None,
                   channel_col: str = "channel", cost_col: str = "cost",
                   initiator_col: str | None = "initiated_by") -> pd.DataFrame:
    """Contacts, cost per contact and campaign response by channel (IDIC's *Interact*).

    Parameters
    ----------
    contacts : pandas.DataFrame
        One row per contact with its channel and cost. Not modified.
    campaigns : pandas.DataFrame, optional
        Campaign rows (``channel``, ``cell``, ``responded``): adds the response rate of
        contacted (non-control) targets per channel.
    channel_col, cost_col : str
    initiator_col : str or None, default "initiated_by"
        Split by who started the contact (customer or firm); None to pool.

    Returns
    -------
    pandas.DataFrame
        One row per channel (and initiator): ``contacts``, ``share_of_contacts``,
        ``total_cost``, ``cost_per_contact``, ``median_cost``; with ``campaigns`` also
        ``campaign_contacts``, ``responses``, ``response_rate``, ``cost_per_response``.

    Notes
    -----
    cost per contact = total cost / contacts; cost per response = cost per contact /
    response rate.  The primer's benchmark is that a contact-centre contact costs
    about a tenth of a face-to-face one and web self-service about a twentieth of a
    contact-centre contact.

    Examples
    --------
    >>> import crm_research as crm
    >>> company = crm.load_dataset("sample_company")
    >>> crm.channel_report(company.contacts, company.campaigns).columns[:3].tolist()
    ['channel', 'initiated_by', 'contacts']
    """
    func = "channel_report"
    contacts = check_dataframe(contacts, "contacts", func)
    keys = [channel_col] + ([initiator_col] if initiator_col else [])
    check_columns(contacts, keys + [cost_col], name="columns", func=func,
                  params=["channel_col"] + (["initiator_col"] if initiator_col else []) + ["cost_col"])
    cost = _nonneg_values(contacts, cost_col, func)
    for key in keys:
        missing = contacts[key].isna()
        if missing.any():  # groupby would leave these contacts out of the counts and shares silently
            raise CRMInputError(f"Column {key!r} of 'contacts' has {int(missing.sum())} missing value(s) "
                                f"(rows {examples_of(contacts.index[missing])}); fill or remove them first.")
    frame = contacts[keys].astype(str).assign(cost=cost.to_numpy())
    g = frame.groupby(keys)["cost"].agg(contacts="size", total_cost="sum", median_cost="median").reset_index()
    g.insert(len(keys) + 1, "share_of_contacts", g["contacts"] / g["contacts"].sum())
    g["cost_per_contact"] = g["total_cost"] / g["contacts"]
    g = g[keys + ["contacts", "share_of_contacts", "total_cost", "cost_per_contact", "median_cost"]]
    if campaigns is not None:
        campaigns = check_dataframe(campaigns, "campaigns", func)
        check_columns(campaigns, ["channel", "cell", "responded"], name="campaigns", func=func)
        sent = campaigns[campaigns["cell"].astype(str) != "control"]
        if not sent["responded"].isin([0, 1, True, False]).all():
            bad = sent["responded"][~sent["responded"].isin([0, 1, True, False])]
            raise CRMInputError(f"Column 'responded' of 'campaigns' must be True/False (or 1/0); found "
                                f"{examples_of(pd.unique(bad.astype(str)))} (rows {examples_of(bad.index)}).")
        r = (sent.assign(channel=sent["channel"].astype(str), y=sent["responded"].astype(float))
             .groupby("channel")["y"].agg(campaign_contacts="size", responses="sum").reset_index())
        r["response_rate"] = r["responses"] / r["campaign_contacts"]
        r = r.rename(columns={"channel": channel_col})
        if initiator_col:
            r[initiator_col] = "firm"
        g = g.merge(r, on=keys, how="left")
        g["cost_per_response"] = g["cost_per_contact"] / g["response_rate"].where(g["response_rate"] > 0)
    return g.sort_values(keys).reset_index(drop=True)


# ----------------------------------------------------------------------------- Customize
@dataclass(repr=False, eq=False)
class NextBestOfferResult(Result):
    """One offer per segment and its hit rate on held-out responses against random offers."""

    title: ClassVar[str] = "IDIC Customize: next-best offer per segment"
    offers: pd.DataFrame
    evaluation: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.offers.merge(self.evaluation, on="segment", how="left")

    def _summary_tables(self):
        return [("Offer per segment (learned on the training orders)", self.offers),
                ("Held-out evaluation", self.evaluation)]

    def plot(self, ax=None):
        """Hit rate of the segment offer against the random baseline, per segment."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ev = self.evaluation[self.evaluation["segment"] != "all"]
        x = np.arange(len(ev))
        ax.bar(x - 0.2, ev["hit_rate"], 0.4, label="next-best offer", color="#4C72B0")
        ax.bar(x + 0.2, ev["random_rate"], 0.4, label="random offer", color="#BBBBBB")
        ax.set_xticks(x, ev["segment"].astype(str), rotation=20, ha="right")
        ax.set_ylabel("share of held-out responses that took the offer")
        ax.set_title("Customize: next-best offer vs random")
        ax.legend()
        return ax


def next_best_offer(train: pd.DataFrame, test: pd.DataFrame, segments: pd.DataFrame,
                    customer_col: str = "customer_id", segment_col: str = "segment",
                    offer_col: str = "category") -> NextBestOfferResult:
    """A next-best offer for every segment, checked on held-out responses (IDIC's *Customize*).

    Parameters
    ----------
    train : pandas.DataFrame
        Orders to learn from (one row per order: customer and ``offer_col``).
    test : pandas.DataFrame
        Held-out orders, e.g. the orders placed in response to campaigns that did
        not suggest a category; the offer is a *hit* when the order is in the
        segment's offer.
    segments : pandas.DataFrame
        ``customer_col`` and ``segment_col``: the segment of every customer.
    customer_col, segment_col, offer_col : str

    Returns
    -------
    NextBestOfferResult
        ``offers`` (``segment``, ``offer``, ``train_orders``, ``train_share``) and
        ``evaluation`` (``segment``, ``test_orders``, ``hits``, ``hit_rate``,
        ``random_rate`` = 1 / number of offers, ``popular_rate`` (hit rate of the
        overall most popular offer), ``lift`` = hit_rate / random_rate, ``ci_low``,
        ``ci_high`` (Wilson 95% interval of the hit rate)); a last row ``all``
        pools the segments.

    Notes
    -----
    The offer of segment *s* is :math:`\\arg\\max_c \\hat P(c \\mid s)` on ``train``.
    On ``test``, the hit rate estimates the probability that a customer of the
    segment wants the offered category; a random offer hits with probability
    :math:`1/C` and one offer for everybody with :math:`\\hat P(c^*)`.  Customising
    pays when the segment offer beats both.

    References
    ----------
    Peppers, D., & Rogers, M. (2004). *Managing Customer Relationships: A Strategic
    Framework*. Wiley.
    """
    from statsmodels.stats.proportion import proportion_confint

    func = "next_best_offer"
    train = check_dataframe(train, "train", func)
    test = check_dataframe(test, "test", func)
    segments = check_dataframe(segments, "segments", func)
    check_columns(train, [customer_col, offer_col], name="train", func=func, params=["customer_col", "offer_col"])
    check_columns(test, [customer_col, offer_col], name="test", func=func, params=["customer_col", "offer_col"])
    check_columns(segments, [customer_col, segment_col], name="segments", func=func,
                  params=["customer_col", "segment_col"])
    if segments[customer_col].duplicated().any():
        raise CRMInputError(f"Column {customer_col!r} of 'segments' must list each customer once.")
    seg = segments.set_index(customer_col)[segment_col].astype(str)

    def with_segment(frame, name):
        s = frame[customer_col].map(seg)
        if s.isna().all():
            raise CRMInputError(f"No customer of {name!r} has a segment in 'segments'; check {customer_col!r}.")
        return pd.DataFrame({"segment": s, "offer": frame[offer_col].astype(str)}).dropna()

    tr, te = with_segment(train, "train"), with_segment(test, "test")
    all_offers = sorted(set(train[offer_col].dropna().astype(str)))
    counts = tr.groupby(["segment", "offer"]).size().unstack(fill_value=0)
    best = counts.idxmax(axis=1)
    offers = pd.DataFrame({"segment": counts.index, "offer": best.to_numpy(),
                           "train_orders": counts.sum(axis=1).to_numpy(),
                           "train_share": (counts.max(axis=1) / counts.sum(axis=1)).to_numpy()})
    popular = tr["offer"].value_counts().idxmax()
    te = te[te["segment"].isin(best.index)]
    te = te.assign(hit=(te["offer"] == te["segment"].map(best)).astype(int), pop=(te["offer"] == popular).astype(int))
    rows = []
    for s, grp in [*te.groupby("segment"), ("all", te)]:
        n, h = len(grp), int(grp["hit"].sum())
        lo, hi = proportion_confint(h, n, alpha=0.05, method="wilson") if n else (np.nan, np.nan)
        rows.append({"segment": s, "test_orders": n, "hits": h, "hit_rate": h / n if n else np.nan,
                     "random_rate": 1 / len(all_offers), "popular_rate": grp["pop"].mean() if n else np.nan,
                     "ci_low": lo, "ci_high": hi})
    ev = pd.DataFrame(rows)
    ev["lift"] = ev["hit_rate"] / ev["random_rate"]
    return NextBestOfferResult(offers, ev)
