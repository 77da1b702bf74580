"""The answer key of the notebook series: one entry per exercise id ``"NN.k"``.

An entry computes the expected answer from the objects the notebook passes to
:func:`crm_research.course.check.check` (``solve``), so the same check is right
on the lesson's data and on a student's personal dataset; or it judges the
answer itself (``accept``) where more than one form is right.  Every exercise
cell of a notebook has an entry here, and every entry is used by a notebook
(``tests/test_course.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["EXERCISES", "Exercise"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: how its answer is judged and what to say when it is wrong.

    ``solve(**context)`` returns the expected answer (compared with
    :func:`same_answer`); ``accept(answer, **context)`` instead judges the answer
    itself (for answers with more than one right form).  ``rel_tol``/``abs_tol``
    are the tolerances for numbers.
    """

    id: str
    hint: str
    solve: Callable[..., Any] | None = None
    accept: Callable[..., bool] | None = None
    rel_tol: float = 1e-3
    abs_tol: float = 5e-4
    needs: tuple[str, ...] = field(default=())

EXERCISES: dict[str, Exercise] = {}


def _add(id: str, hint: str, *, solve=None, accept=None, needs: tuple[str, ...] = (), **tol: float) -> None:
    EXERCISES[id] = Exercise(id, hint, solve=solve, accept=accept, needs=needs, **tol)


def _crm():
    """The package namespace (imported late: the answer key is read only when a check runs)."""
    import crm_research

    return crm_research


def _const(value: Any):
    return lambda **_: value


# ----------------------------------------------------------------------------- 00 start here
_add("00.1", "Count the rows of company.customers and of company.transactions; answer (customers, orders).",
     solve=lambda company: (len(company.customers), len(company.transactions)), needs=("company",))
_add("00.2", "Sort crm.list_datasets() by the rows column; answer the dataset's name.",
     solve=lambda datasets: str(datasets.sort_values("rows", ascending=False).iloc[0]["name"]), needs=("datasets",))
_add("00.3", "crm.data_dictionary('cdnow_summary') gives the unit of T: one word.", solve=_const("weeks"))

# ----------------------------------------------------------------------------- 01 foundations
_add("01.1", "Look for 'crm.rfm' in the toolkit list of each stage of fw.IDIC.stages; answer a list of names.",
     solve=_const(["Differentiate"]))


def _service_ratio(contacts: pd.DataFrame) -> float:
    service = contacts[(contacts["initiated_by"] == "customer") & (contacts["purpose"] == "service")]
    by_channel = service.groupby("channel", observed=True)["cost"].mean()
    return float(by_channel["store"] / by_channel["web"])


_add("01.2", "Keep customer-initiated service contacts, average the cost by channel, divide store by web.",
     solve=lambda contacts: _service_ratio(contacts), needs=("contacts",))
_add("01.3", "Growth over n years at rate g multiplies by (1 + g) ** n; 1999 to 2003 is four years. "
     "Answer as a fraction (0.05 for 5%).",
     solve=_const((38 / 8) ** 0.25 - 1))
_add("01.4", "fw.SIX_ES.stage('empowerment').constructs; answer the tuple of construct names.",
     solve=_const(("EMP",)))
_add("01.5", "Which table records how customers answered the firm's offers? Answer the table name.",
     solve=_const("campaigns"))
_add("01.6", "crm.plotting.save_figure(fig, path) returns the path of the PNG it wrote; answer that path.",
     accept=lambda answer: Path(str(answer)).suffix.lower() == ".png" and Path(str(answer)).is_file()
     and Path(str(answer)).stat().st_size > 1000)

# ----------------------------------------------------------------------------- 02 Kalakota
def _acquired_in_90_days(company, at: str = "2023-12-31") -> int:
    acq = company.customers["acquisition_date"]
    at = pd.Timestamp(at)
    return int(((acq <= at) & (acq >= at - pd.Timedelta(days=90))).sum())


def _retention_2024(company) -> float:
    tx = company.transactions
    b23 = set(tx.loc[tx["order_date"].dt.year == 2023, "customer_id"])
    b24 = set(tx.loc[tx["order_date"].dt.year == 2024, "customer_id"])
    return len(b23 & b24) / len(b23)


_add("02.1", "Count the customers whose phase is 'acquire' in crm.lifecycle_phases(..., at='2023-12-31').",
     solve=lambda company: _acquired_in_90_days(company), needs=("company",))
_add("02.2", "The last row of crm.lifecycle_kpis(..., freq='Y').kpis; the share of 2023's buyers who bought in 2024.",
     solve=lambda company: _retention_2024(company), needs=("company",))
_add("02.3", "In life.kpis, the period 2024-04-01; which of revenue_acquire/enhance/retain is largest? "
     "Answer the phase name.",
     solve=lambda life: life.kpis.set_index("period").loc[pd.Timestamp("2024-04-01"),
                                                          ["revenue_acquire", "revenue_enhance", "revenue_retain"]]
     .astype(float).idxmax().removeprefix("revenue_"), needs=("life",))
_add("02.4", "Lowering the cost to serve shows in the cost per contact, and in the share of contacts "
     "that move to the web. Answer a column name of crm.channel_report.",
     accept=lambda answer: isinstance(answer, str) and answer.strip() in {"cost_per_contact", "share_of_contacts"})

# ----------------------------------------------------------------------------- 03 IDIC
_add("03.1", "Records minus distinct entity_id in links.entities; the truth: records['is_duplicate'].sum(). "
     "Answer (found, true).",
     solve=lambda links, records: (len(links.entities) - links.entities["entity_id"].nunique(),
                                   int(records["is_duplicate"].sum())), needs=("links", "records"))
_add("03.2", "tiers.share_of_value(0.1), to 3 decimals.", solve=lambda tiers: round(tiers.share_of_value(0.1), 3),
     needs=("tiers",))
_add("03.3", "cust holds the cost per customer-initiated contact by channel: (cheapest channel, "
     "contact_centre / cheapest), the ratio to one decimal.",
     solve=lambda cust: (str(cust.idxmin()), round(float(cust["contact_centre"] / cust.min()), 1)),
     needs=("cust",), abs_tol=0.05)


def _true_segment_hit_rate(train_orders, test_orders, truth) -> float:
    next_best_offer = _crm().next_best_offer
    nbo = next_best_offer(train_orders, test_orders, truth["persons"][["customer_id", "segment"]])
    return round(float(nbo.evaluation.set_index("segment").loc["all", "hit_rate"]), 3)


_add("03.4", "crm.next_best_offer(train_orders, test_orders, truth['persons'][['customer_id', 'segment']]); "
     "the 'all' row of .evaluation, column hit_rate, to 3 decimals.",
     solve=_true_segment_hit_rate, needs=("train_orders", "test_orders", "truth"))

# ----------------------------------------------------------------------------- 04 Payne
_add("04.1", "Customers opted in to e-mail AND with an e-mail address, as a share of all customers (3 decimals).",
     solve=lambda company: round(float((company.customers["email_opt_in"] & company.customers["email"].notna())
                                       .mean()), 3), needs=("company",))
_add("04.2", "crm.payne_scorecard(db).strategy, the gold row, column share_of_revenue (3 decimals).",
     solve=lambda db: round(float(_crm().payne_scorecard(db).strategy.set_index("segment")
                                  .loc["gold", "share_of_revenue"]), 3), needs=("db",))


def _on_time(company) -> float:
    orders = company.transactions.merge(company.truth["orders"], on="order_id")
    shipped = orders[orders["channel"] != "store"]
    return round(float((shipped["days_late"] == 0).mean()), 3)


_add("04.3", "Merge transactions with truth['orders'], keep channel != 'store', share with days_late == 0.",
     solve=lambda company: _on_time(company), needs=("company",))
_add("04.4", "Which process is about the value the *customer* perceives, which no database records? "
     "Answer its name as in the notebook.", solve=_const("value creation"))

# ----------------------------------------------------------------------------- 05 Winer
_add("05.1", "segs.k, and lda.chance: compare hit_ratio with hair_threshold. Answer (k, True/False).",
     solve=lambda segs, lda: (int(segs.k), bool(lda.chance.iloc[0]["hit_ratio"] > lda.chance.iloc[0]["hair_threshold"])),
     needs=("segs", "lda"))


def _no_consent(selection, company) -> int:
    filter_consent = _crm().filter_consent
    targets = selection.loc[selection["selected"], "customer_id"]
    allowed = filter_consent(company.customers, "email")["customer_id"]
    return int((~targets.isin(allowed)).sum())


_add("05.2", "Selected customers who are not in crm.filter_consent(company.customers, 'email').",
     solve=_no_consent, needs=("selection", "company"))
_add("05.3", "metrics row of campaign 2: (uplift to 3 decimals, uplift_ci_low > 0).",
     solve=lambda metrics: (round(float(metrics.set_index("campaign_id").loc[2, "uplift"]), 3),
                            bool(metrics.set_index("campaign_id").loc[2, "uplift_ci_low"] > 0)),
     needs=("metrics",))


def _loyalty_90(company) -> bool:
    loyalty_effect = _crm().loyalty_effect
    short = loyalty_effect(company.customers, company.transactions, window=90, bootstrap=0).estimates["rate_ratio"]
    return bool(abs(short.iloc[1] - 1.25) < abs(short.iloc[0] - 1.25))


_add("05.4", "crm.loyalty_effect(..., window=90, bootstrap=0).estimates['rate_ratio']: row 0 naive, row 1 "
     "before/after. Answer True if before/after is closer to 1.25.", solve=_loyalty_90, needs=("company",))
_add("05.5", "Choose (a) the salt makes the file larger, (b) anyone holding the salt can hash every possible "
     "customer id and re-identify the file, (c) the salt changes every day. Answer the letter.", solve=_const("b"))

# ----------------------------------------------------------------------------- 06 reliability and validity
def _loy_alpha(survey, data, all_items) -> tuple[float, float]:
    cronbach_alpha = _crm().cronbach_alpha
    same = data.dropna(subset=all_items).index
    before = cronbach_alpha(survey.loc[same, ["LOY1", "LOY2", "LOY3", "LOY4r"]]).alpha
    after = cronbach_alpha(data.loc[same, ["LOY1", "LOY2", "LOY3", "LOY4"]]).alpha
    return (before, after)


_add("06.1", "On data.dropna(subset=all_items) (the respondents of rel): alpha of LOY1-LOY3 with LOY4r as "
     "answered, then with LOY4 reversed. Answer (before, after).",
     solve=_loy_alpha, needs=("survey", "data", "all_items"))
_add("06.2", "On the respondents who answered all three DEL items: (alpha of DEL1 + DEL2, alpha_if_deleted "
     "of DEL3). The two must be equal.",
     accept=lambda answer: isinstance(answer, tuple) and len(answer) == 2 and abs(answer[0] - answer[1]) < 1e-9,
     )
_add("06.3", "Constructs of rel with cr >= 0.70 and ave < 0.50; answer a set of names.",
     solve=lambda rel: set(rel.index[(rel["cr"] >= 0.70) & (rel["ave"] < 0.50)]), needs=("rel",))


def _highest_pair(data, constructs, h_boot) -> tuple[str, str, bool]:
    htmt = _crm().htmt
    h = htmt(data, constructs, htmt2=False)
    values = h.where(np.tril(np.ones(h.shape, dtype=bool), -1)).stack()
    a, b = values.idxmax()
    row = h_boot.intervals[((h_boot.intervals["construct_1"] == b) & (h_boot.intervals["construct_2"] == a))
                           | ((h_boot.intervals["construct_1"] == a) & (h_boot.intervals["construct_2"] == b))]
    return ({a, b}, bool(row["ci_high"].iloc[0] < 0.90))


_add("06.4", "Find the largest value below the diagonal of crm.htmt(data, constructs, htmt2=False); its "
     "upper bound is ci_high in h_boot.intervals. Answer ({pair}, True/False).",
     solve=_highest_pair, needs=("data", "constructs", "h_boot"))
_add("06.5", "crm.cronbach_alpha(bfi[all 25 items]).alpha, after reverse coding (bfi is reversed already).",
     solve=lambda bfi, big5: _crm().cronbach_alpha(
         bfi[[i for its in big5.values() for i in its]]).alpha, needs=("bfi", "big5"))

# ----------------------------------------------------------------------------- 06b describing and testing
_add("06b.1", "crm.normality(scores, names, method='shapiro').table['normal']: count the True values.",
     solve=lambda scores, names: int(_crm().normality(scores, names, method="shapiro").table["normal"].sum()),
     needs=("scores", "names"))


def _del_above(scores) -> tuple[float, bool]:
    row = _crm().one_sample_test(scores, ["DEL"], mu=3.5, scale=(1, 5), alternative="greater").table.loc["DEL"]
    return (round(float(row["mean"]), 3), bool(row["p"] < 0.05))


_add("06b.2", "crm.one_sample_test(scores, ['DEL'], mu=3.5, scale=(1, 5), alternative='greater'); answer "
     "(the mean to 3 decimals, p < 0.05?).", solve=_del_above, needs=("scores",))
_add("06b.3", "crm.friedman_ranking(scores, names): the first row of .ranks, and whether .test's p is below 0.05. "
     "Answer (construct, True/False).",
     solve=lambda scores, names: (str(_crm().friedman_ranking(scores, names).ranks.index[0]),
                                  bool(_crm().friedman_ranking(scores, names).test["p"].iloc[0] < 0.05)),
     needs=("scores", "names"))
_add("06b.4", "crm.compare_groups(scores, 'SAT', 'preferred_channel').choice: the test column of the SAT row.",
     solve=lambda scores: str(_crm().compare_groups(scores, "SAT", "preferred_channel").choice.loc["SAT", "test"]),
     needs=("scores",))
_add("06b.5", "crm.sample_size(1000)['n'] and crm.krejcie_morgan(1000). Answer (Cochran, Krejcie & Morgan).",
     solve=lambda **_: (int(_crm().sample_size(1000)["n"]), int(_crm().krejcie_morgan(1000))))

# ----------------------------------------------------------------------------- 06c driver analysis
def _ols(formula: str, data):
    import statsmodels.formula.api as smf

    return smf.ols(formula, data=data).fit(cov_type="HC3", use_t=True)


def _drop_delivery(z) -> tuple[float, bool]:
    full, reduced = _ols("SAT ~ OPR + ANL + EMP + DEL", z), _ols("SAT ~ OPR + ANL + EMP", z)
    moved = (reduced.params[["OPR", "ANL", "EMP"]] - full.params[["OPR", "ANL", "EMP"]]).abs()
    return (round(float(full.rsquared - reduced.rsquared), 4), bool((moved >= 0.01).any()))


def _with_loyalty(z) -> tuple[float, float]:
    fit = _ols("SAT ~ OPR + ANL + EMP + DEL + LOY", z)
    return (float(fit.rsquared), float(fit.params["EMP"]))


def _opr_share(importance) -> tuple[float, bool]:
    order = list(importance["beta"].sort_values(ascending=False).index)
    return (float(importance.loc["OPR", "dominance"] / importance["dominance"].sum()),
            order == list(importance["dominance"].sort_values(ascending=False).index))


def _large_sample() -> tuple[float, bool, bool]:
    crm = _crm()
    scores = crm.construct_scores(crm.recode_ecrm_survey(crm.generate_ecrm_survey(5000, seed=7)),
                                  crm.ecrm_survey_constructs())
    fit = _ols("SAT ~ OPR + ANL + EMP + DEL", (scores - scores.mean()) / scores.std())
    ci = fit.conf_int()
    return (float(fit.params["OPR"]), bool(ci.loc["OPR", 0] <= 0.35 <= ci.loc["OPR", 1]),
            bool(fit.pvalues["DEL"] < 0.05))


_add("06c.1", "Fit SAT ~ OPR + ANL + EMP on z (HC3, use_t=True); R2 of the full model minus R2 of this one (4 decimals), "
     "and whether any of the three betas moves by 0.01 or more. Answer (loss, True/False).",
     solve=_drop_delivery, needs=("z",), abs_tol=5e-5)
_add("06c.2", "Fit SAT ~ OPR + ANL + EMP + DEL + LOY on z; answer (rsquared, params['EMP']).",
     solve=_with_loyalty, needs=("z",))
_add("06c.3", "importance['share of R2'] of OPR, and whether sorting importance by beta and by dominance gives the same "
     "order. Answer (share, True/False).", solve=_opr_share, needs=("importance",))
_add("06c.4", "crm.construct_scores on crm.recode_ecrm_survey(crm.generate_ecrm_survey(5000, seed=7)), z-scores, the "
     "formula of section 2 with HC3 and use_t=True. Answer (beta of OPR, 0.35 inside its conf_int()?, p of DEL < 0.05?).",
     solve=_large_sample)

# ----------------------------------------------------------------------------- 07 exploratory factor analysis
_BFI_REVERSED = {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}


def _lowest_msa(bfi, items) -> tuple[str, bool]:
    item = str(_crm().kmo(bfi, items)["msa"].drop("overall", errors="ignore").idxmin())
    return (item, item in _BFI_REVERSED)


_add("07.1", "crm.kmo(bfi, items)['msa'].idxmin(); is it one of A1, C4, C5, E1, E2, O2, O5? Answer (item, True/False).",
     solve=_lowest_msa, needs=("bfi", "items"))


def _sixth_factor(bfi, items) -> tuple[set[str], bool]:
    fa6 = _crm().efa(bfi, n_factors=6, rotation="oblimin", items=items, n_iter=5, seed=1403)
    ss = fa6.variance.loc["ss_loadings"]
    weakest = ss.idxmin()
    members = set(fa6.loadings.index[fa6.loadings[weakest].abs() >= 0.3])
    # keep a factor only if it is more than a wording artefact: here it is weaker than half the next one
    return (members, bool(ss[weakest] >= 0.5 * ss.drop(weakest).min()))


_add("07.2", "The factor of the 6-factor oblimin solution with the smallest ss_loadings: the items with "
     "|loading| >= 0.3 on it, and whether its ss_loadings reach half of the weakest other factor's. "
     "Answer ({items}, keep?).", solve=_sixth_factor, needs=("bfi", "items"))


def _groups(loadings) -> set[frozenset]:
    main = loadings.abs().idxmax(axis=1)
    return {frozenset(main.index[main == f]) for f in main.unique()}


def _promax(bfi, items, fa5) -> tuple[bool, float]:
    pro = _crm().efa(bfi, n_factors=5, rotation="promax", items=items, n_iter=5, seed=1403)
    phi = pro.factor_correlations.abs().to_numpy(copy=True)
    np.fill_diagonal(phi, 0.0)
    return (_groups(pro.loadings) == _groups(fa5.loadings), round(float(phi.max()), 3))


_add("07.3", "Group each item by the factor of its largest |loading| in both solutions (the factors may come in a "
     "different order). Answer (same groups?, the largest |factor correlation| of promax, 3 decimals).",
     solve=_promax, needs=("bfi", "items", "fa5"), abs_tol=0.002)
_add("07.4", "Reversing an item multiplies its loadings by -1; h2 is a sum of squares. Answer (the largest "
     "absolute change of a communality, do the reversed items now load in the same direction as the other "
     "items of their factor? True/False).", solve=_const((0.0, True)))


def _weak_own_loadings(ecrm_fa) -> set[str]:
    loadings = ecrm_fa.loadings
    main = loadings.abs().idxmax(axis=1)
    weak = set()
    for construct in {item[:3] for item in loadings.index}:
        own = [i for i in loadings.index if i[:3] == construct]
        factor = main[own].mode().iloc[0]  # the factor most of the construct's items load on
        weak |= {i for i in own if abs(loadings.loc[i, factor]) < 0.5}
    return weak


_add("07.5", "For each construct, the factor most of its items load on (largest |loading|); list the items whose "
     "|loading| on that factor is below 0.5. Answer a set of item names.",
     solve=_weak_own_loadings, needs=("ecrm_fa",))
_add("07.6", "methods['pc'].communalities['A1'] and methods['pa'].communalities['A1']. Answer (the method with "
     "the larger one, pc minus pa).",
     solve=lambda methods: ("pc", float(methods["pc"].communalities["A1"] - methods["pa"].communalities["A1"]))
     if methods["pc"].communalities["A1"] > methods["pa"].communalities["A1"]
     else ("pa", float(methods["pa"].communalities["A1"] - methods["pc"].communalities["A1"])),
     needs=("methods",))


def _ecrm_omega(survey, om) -> tuple[float, bool]:
    ecrm = _crm().recode_ecrm_survey(survey)
    cols = [c for c in ecrm.columns if c[:3] in {"OPR", "ANL", "EMP", "SAT", "LOY", "DEL"}]
    omega_h = float(_crm().omega(ecrm, 3, items=cols).omega_h)
    return (omega_h, omega_h > om.omega_h)


_add("07.7", "crm.omega(crm.recode_ecrm_survey(survey), 3, items=<the 22 items>).omega_h; compare it with om.omega_h "
     "of the bfi. Answer (omega_h, larger than the bfi's?).", solve=_ecrm_omega, needs=("survey", "om"))

# ----------------------------------------------------------------------------- 09 reproducing a published SEM
def _delta_chisq(full, restricted) -> float:
    return float(restricted.fit_measures["chisq"] - full.fit_measures["chisq"])


_add("09.1", "Refit without the line 'y1 ~~ y5' and subtract the chi-squares (restricted minus full).",
     solve=lambda pol, bollen, fit: _delta_chisq(fit, _crm().sem(
         pol, bollen.replace("  y1 ~~ y5\n", ""))), needs=("pol", "bollen", "fit"))
_add("09.2", "Multiply the estimates labelled p1 and p3 in fit_eq.estimates.",
     solve=lambda fit_eq: float(fit_eq.estimates.query("label == 'p1'")["est"].iloc[0]
                                * fit_eq.estimates.query("label == 'p3'")["est"].iloc[0]),
     needs=("fit_eq",))
_add("09.3", "Variances shrink by (n - 1)/n for N = 100 against N = 932: (99/100) / (931/932). Answer the "
     "factor by which a variance estimate is multiplied.", solve=_const((99 / 100) / (931 / 932)), abs_tol=5e-5)
_add("09.4", "Fit the model with the label b on both powerlessness loadings; delta chi-square against the "
     "free model (lavaan: 0.883).",
     solve=lambda wheaton, wheaton_cov, wheaton_model: _delta_chisq(wheaton, _crm().sem(
         model=wheaton_model.replace("anomia67 + powerless67", "anomia67 + b*powerless67").replace(
             "anomia71 + powerless71", "anomia71 + b*powerless71"), sample_cov=wheaton_cov, sample_nobs=932)),
     needs=("wheaton", "wheaton_cov", "wheaton_model"))

# ----------------------------------------------------------------------------- 11 segmentation
_add("11.1", "C_pro = sum of squared shares, C_max = largest share. Answer (C_pro, C_max).",
     solve=lambda lda: (float(lda.chance["proportional_chance"].iloc[0]),
                        float(lda.chance["maximum_chance"].iloc[0])), needs=("lda",))
def _gmm(features, rfm_seg) -> tuple[int, float]:
    from sklearn.metrics import adjusted_rand_score

    gmm = _crm().segment(features, ["recency", "frequency", "monetary"], k=range(2, 9), method="gmm", seed=2001,
                         bootstrap=0)
    return (int(gmm.k), round(float(adjusted_rand_score(gmm.labels, rfm_seg.labels)), 3))


def _strict(needs) -> tuple[set, int]:
    strict = _crm().segment(needs, list(needs.columns), k=range(2, 8), seed=2001, min_share=0.15, bootstrap=0)
    return ({int(k) for k in strict.selection.loc[~strict.selection["admissible"], "k"]}, int(strict.k))


_add("11.2", "crm.segment(features, [...], k=range(2, 9), method='gmm', seed=2001); answer (its k, ARI between "
     "its labels and rfm_seg.labels to 3 decimals).", solve=_gmm, needs=("features", "rfm_seg"))
_add("11.3", "crm.segment(needs, ..., k=range(2, 8), seed=2001, min_share=0.15): the k whose admissible is False "
     "in .selection, then the chosen k. Answer ({inadmissible k}, k).", solve=_strict, needs=("needs",))
_add("11.4", "Multiply 1 / (1 + eigenvalue) over the rows of lda.functions.",
     solve=lambda lda: float(lda.wilks_lambda), needs=("lda",))
_add("11.5", "pd.crosstab(rfm_seg.segment_names, needs_seg.labels) over the customers in both; the needs "
     "segment (a label number) with the most 'frequent high spenders'.",
     solve=lambda rfm_seg, needs_seg: int(_frequent_high_spenders(rfm_seg, needs_seg)),
     needs=("rfm_seg", "needs_seg"))


def _frequent_high_spenders(rfm_seg, needs_seg) -> int:
    both = needs_seg.labels.index.intersection(rfm_seg.segment_names.index)
    names = rfm_seg.segment_names[both].astype(str)
    top = names[names.str.contains("frequent") & ~names.str.contains("infrequent") & names.str.contains("high")]
    return int(needs_seg.labels[top.index].value_counts().idxmax())


# ----------------------------------------------------------------------------- 14 thesis report
_add("14.1", "rep.hypotheses where supported is True; answer the list of hypothesis labels.",
     solve=lambda rep: list(rep.hypotheses.loc[rep.hypotheses["supported"], "hypothesis"]), needs=("rep",))
_add("14.2", "rep.reliability['ave'].idxmin(), and whether that AVE is at least 0.50. Answer (construct, True/False).",
     solve=lambda rep: (str(rep.reliability["ave"].idxmin()), bool(rep.reliability["ave"].min() >= 0.50)),
     needs=("rep",))
_add("14.3", "Compare the bytes of every CSV file of the two reports; answer True or False.",
     accept=lambda answer: answer is True)
_add("14.4", "Your study file with SAT and LOY only; answer the report object crm.report returned.",
     accept=lambda answer: hasattr(answer, "hypotheses") and list(answer.hypotheses["hypothesis"]) == ["H1"])

# ----------------------------------------------------------------------------- 13 churn and campaigns
def _sms_break_even(camp) -> float:
    c = camp[camp["campaign_id"] == 5]
    margin = 0.30 * c.loc[c["responded"], "revenue"].mean()
    return float(_crm().break_even_rate(0.5, margin))


def _interval_width(result) -> float:
    return float(result.table["ci_high"].iloc[0] - result.table["ci_low"].iloc[0])


_add("13.1", "r* = cost per contact / margin per response, with margin = 0.30 x the mean revenue of the "
     "responders of campaign 5.", solve=_sms_break_even, needs=("camp",))
def _beta_test(wb, wb_test, cost, margin) -> tuple[bool, bool]:
    wb_beta = _crm().campaign_test(int(wb_test["responded"].sum()), len(wb_test), cost, margin, method="beta")
    return (_interval_width(wb_beta) > _interval_width(wb), wb_beta.decision == wb.decision)


_add("13.2", "crm.campaign_test(..., method='beta') on the same test cell; compare ci_high - ci_low with wb's, and "
     "the two decisions. Answer (beta interval wider?, same decision?).",
     solve=_beta_test, needs=("wb", "wb_test", "cost", "margin"))


def _missed(rule, data) -> int:
    row = rule.table[np.isclose(rule.table["threshold"], rule.threshold)].iloc[0]
    return int(round((1 - row["recall"]) * data["churned"].sum()))


_add("13.3", "The row of rule.table at rule.threshold: (1 - recall) x the number of churners, as a whole number.",
     solve=_missed, needs=("rule", "data"), abs_tol=0.5)
_add("13.4", "The gbm rows of model.gains; the first decile's event_rate / data['churned'].mean().",
     solve=lambda model: float(model.gains[model.gains["model"] == "gbm"].iloc[0]["lift"]), needs=("model",))
_add("13.5", "crm.define_churn(tx, window=90, cutoff=<90 days before 2024-12-31>, at='2024-12-31', "
     "date_col='order_date'); the mean of churned.",
     solve=lambda tx: float(_crm().define_churn(tx, window=90, cutoff=pd.Timestamp("2024-12-31") - pd.Timedelta(days=90),
                                                at="2024-12-31", date_col="order_date")["churned"].mean()),
     needs=("tx",))


def _price_chi2(refusals) -> float:
    from scipy.stats import chi2_contingency

    answered = refusals.dropna(subset=["refusal_reason"])
    table = pd.crosstab(answered["segment"] == "value_seekers", answered["refusal_reason"] == "price")
    return float(chi2_contingency(table)[0])


_add("13.6", "Among refusals with a reason: value_seekers vs other segments, price vs other reasons; "
     "scipy.stats.chi2_contingency(table)[0] (with its default continuity correction).",
     solve=_price_chi2, needs=("refusals",))
_add("13.7", "crm.winback_timing(contacted, 'week', 'responded', first=1, compare=2).ratio: is ci_low above 1? "
     "Answer True or False.",
     solve=lambda contacted: bool(_crm().winback_timing(contacted, "week", "responded", first=1, compare=2)
                                  .ratio["ci_low"].iloc[0] > 1), needs=("contacted",))


# ----------------------------------------------------------------------------- 10 PLS-SEM
def _path(fit, frm: str, to: str, col: str = "est") -> float:
    return float(fit.paths.set_index(["from", "to"]).loc[(frm, to), col])


def _pls_factorial_change(survey, model) -> float:
    crm = _crm()
    return abs(_path(crm.pls_sem(survey, model, progress=False), "OPR", "SAT")
               - _path(crm.pls_sem(survey, model, scheme="factorial", progress=False), "OPR", "SAT"))


def _pls_f2_by_hand(survey, model) -> float:
    crm = _crm()
    full = crm.pls_sem(survey, model, progress=False)
    no_defs = "\n".join(line for line in model.splitlines() if ":=" not in line)
    without = crm.pls_sem(survey, no_defs.replace("LOY ~ b1*SAT + ", "LOY ~ "), progress=False)
    r2_in = float(full.r2.set_index("construct").loc["LOY", "r2"])
    r2_out = float(without.r2.set_index("construct").loc["LOY", "r2"])
    return (r2_in - r2_out) / (1 - r2_in)


def _htmt_top_pair(ecsi_fit) -> set:
    h = ecsi_fit.htmt.where(lambda d: d < 1).stack().idxmax()
    return set(h)


def _hoc_embedded_shift(survey, hoc_model) -> float:
    crm = _crm()
    emb = crm.pls_sem(survey, hoc_model, hoc="embedded_two_stage", progress=False)
    dis = crm.pls_sem(survey, hoc_model, hoc="disjoint_two_stage", progress=False)
    return abs(_path(emb, "ECRM", "SAT") - _path(dis, "ECRM", "SAT"))


def _plsc_exact_fit_pvalue(survey, model) -> float:
    test = _crm().pls_sem(survey, model, consistent=True, progress=False).fit_test(bootstrap=200, seed=1,
                                                                                    progress=False)
    t = test.table
    return float(t.loc[(t["model"] == "estimated") & (t["measure"] == "d_ULS"), "pvalue"].iloc[0])


_add("10.1", "Refit with scheme='factorial'; the absolute difference of the SAT ~ OPR path (from OPR to SAT) between "
     "the two fits.", solve=_pls_factorial_change, needs=("survey", "model"))
_add("10.2", "f2 = (R2 with the path - R2 without it) / (1 - R2 with it), R2 of LOY; drop the ':=' lines and "
     "'b1*SAT + ' from the LOY line for the model without the path.", solve=_pls_f2_by_hand,
     needs=("survey", "model"))
_add("10.3", "The rows of check with pvalue >= 0.05, each written 'From -> To' (e.g. 'Image -> Loyalty'); answer a "
     "set of three strings.",
     solve=lambda check: {f"{a} -> {b}" for a, b in check.loc[check["pvalue"] >= 0.05, ["from", "to"]]
                          .itertuples(index=False)}, needs=("check",))
_add("10.4", "crm.pls_sem(survey, model, missing='listwise').n: the respondents with no missing answer.",
     solve=lambda survey, model: int(_crm().pls_sem(survey, model, missing="listwise", progress=False).n),
     needs=("survey", "model"), abs_tol=0.5)
_add("10.5", "ecsi_fit.htmt without its diagonal: the two construct names of the largest value, as a set.",
     solve=_htmt_top_pair, needs=("ecsi_fit",))
_add("10.6", "crm.pls_sem(corp_rep, moderation_model, interaction='orthogonal'); the path from 'CUSA*SC' to CUSL.",
     solve=lambda corp_rep, moderation_model: _path(_crm().pls_sem(corp_rep, moderation_model,
                                                                   interaction="orthogonal", progress=False),
                                                    "CUSA*SC", "CUSL"),
     needs=("corp_rep", "moderation_model"))
_add("10.7", "hoc.outer rows of construct ECRM: the item (a lower-order construct) with the largest loading.",
     solve=lambda hoc: str(hoc.outer.query("construct == 'ECRM'").set_index("item")["loading"].idxmax()),
     needs=("hoc",))
_add("10.8", "Answer (every construct partially invariant?, the smallest permutation p value of mga.paths): "
     "mic.invariance['partial'].all() and mga.paths['pvalue'].min().",
     solve=lambda mic, mga: (bool(mic.invariance["partial"].all()), float(mga.paths["pvalue"].min())),
     needs=("mic", "mga"))
_add("10.9", "Answer (construct of ip with the largest importance, construct of ip_ecrm with the lowest performance).",
     solve=lambda ip, ip_ecrm: (str(ip.constructs.loc[ip.constructs["importance"].idxmax(), "construct"]),
                                str(ip_ecrm.constructs.loc[ip_ecrm.constructs["performance"].idxmin(), "construct"])),
     needs=("ip", "ip_ecrm"))
_add("10.10", "drivers.formative() rows of QUAL with weight_pvalue >= 0.05: the set of their item names.",
     solve=lambda drivers: set(drivers.formative().query("construct == 'QUAL' and weight_pvalue >= 0.05")["item"]),
     needs=("drivers",))
_add("10.11", "fit.model_fit().loc['SRMR', 'estimated'] (the same number as fit.srmr).",
     solve=lambda fit: float(fit.srmr), needs=("fit",))
_add("10.12", "Fit hoc_model with hoc='embedded_two_stage' and with hoc='disjoint_two_stage'; the absolute "
     "difference of the path from ECRM to SAT.", solve=_hoc_embedded_shift, needs=("survey", "hoc_model"))
_add("10.13", "crm.pls_sem(survey, model, consistent=True).fit_test(bootstrap=200, seed=1); the pvalue of the row "
     "model == 'estimated', measure == 'd_ULS'.", solve=_plsc_exact_fit_pvalue, needs=("survey", "model"))
# ----------------------------------------------------------------------------- 08 SEM of e-CRM
def _full_mediation_model(model: str) -> str:
    restricted = model.replace("LOY ~ b1*SAT + c1*OPR + c2*ANL + c3*EMP", "LOY ~ b1*SAT")
    return "\n".join(line for line in restricted.splitlines() if not line.startswith("total_"))


def _full_mediation_dchisq(data, model, fit) -> float:
    return _delta_chisq(fit, _crm().sem(data, _full_mediation_model(model)))


def _interval_gap(fit) -> str:
    ind = fit.estimates[fit.estimates["lhs"].str.startswith("ind_")].set_index("lhs")
    gap = pd.concat([(ind["ci_lower"] - ind["bc_lower"]).abs(), (ind["ci_upper"] - ind["bc_upper"]).abs()],
                    axis=1).max(axis=1)
    return str(gap.idxmax())


def _smallest_true(truth, table) -> tuple[str, bool]:
    true_rows = truth[truth["hypothesis_true"].fillna(False).astype(bool)]
    smallest = true_rows.loc[true_rows["std_all"].abs().idxmin()]
    return (str(smallest["hypothesis"]), bool(table.set_index("hypothesis").loc[smallest["hypothesis"], "supported"]))


def _residual_interaction_p(data, moderation_model) -> float:
    est = _crm().interaction_sem(data, moderation_model, method="residual").fit.estimates
    return float(est.query("op == '~' and rhs == 'OPR_x_ANL'")["pvalue"].iloc[0])


def _robust_full_mediation(data, model) -> float:
    crm = _crm()
    cmp = crm.compare_models(crm.sem(data, model, estimator="MLR"),
                             crm.sem(data, _full_mediation_model(model), estimator="MLR"))
    return float(cmp.table["chisq_diff"].iloc[1])


_add("08.1", "Fit the model without the direct paths of LOY (and the total_* lines); chi-square of that model "
     "minus the chi-square of fit.", solve=_full_mediation_dchisq, needs=("data", "model", "fit"))
_add("08.2", "The marker and the unit-variance identifications are the same model: compare chisq and std_all; "
     "answer two booleans.", solve=_const((True, True)))
_add("08.3", "For each ind_* row take |ci_lower - bc_lower| and |ci_upper - bc_upper|; answer the lhs with the "
     "largest gap.", solve=_interval_gap, needs=("fit",))
_add("08.4", "Among the rows of truth with hypothesis_true, take the smallest |std_all|; look its hypothesis up "
     "in table['supported'].", solve=_smallest_true, needs=("truth", "table"))
_add("08.5", "crm.interaction_sem(data, moderation_model, method='residual'); the pvalue of the '~' row whose rhs "
     "is OPR_x_ANL.", solve=_residual_interaction_p, needs=("data", "moderation_model"))
_add("08.6", "crm.compare_models of the two MLR fits; answer table['chisq_diff'] of the second row (the "
     "Satorra-Bentler scaled difference).", solve=_robust_full_mediation, needs=("data", "model"))

# ----------------------------------------------------------------------------- 12 customer lifetime value
_add("12.1", "bgnbd.p_alive(2, 30.43, 38.86), rounded to 3 decimals.",
     solve=lambda bgnbd: float(bgnbd.p_alive(2, 30.43, 38.86)), needs=("bgnbd",))
_add("12.2", "bgnbd.expected_purchases(52): E[X(t)] of a customer who has just made a first purchase.",
     solve=lambda bgnbd: float(bgnbd.expected_purchases(52)), needs=("bgnbd",))


def _clv_is_product(bgnbd, gg, summary) -> bool:
    v0 = _crm().clv(bgnbd, gg, summary, horizon=12, discount_rate=0.0)
    product = (bgnbd.conditional_expected_purchases(365.25 / 7, summary)
               * gg.conditional_expected_average_profit(summary))
    return bool(np.allclose(v0["clv"], product))


_add("12.3", "Undiscounted, the monthly sums add up to E[Y(12 months) | x, t_x, T] x E[spend]: compare "
     "crm.clv(..., discount_rate=0.0)['clv'] with that product (np.allclose). Answer True or False.",
     solve=_clv_is_product, needs=("bgnbd", "gg", "summary"))
_add("12.4", "crm.rfm(orders, 'customer_id', 'order_date', 'amount', bins=4); count the rows whose segment is "
     "'champions'.",
     solve=lambda orders: int((_crm().rfm(orders, "customer_id", "order_date", "amount", bins=4)["segment"]
                               == "champions").sum()), needs=("orders",))
_add("12.5", "comparison['bic'].idxmin() and comparison['holdout_mae'].idxmin(); answer the pair of model names.",
     solve=lambda comparison: (str(comparison["bic"].idxmin()), str(comparison["holdout_mae"].idxmin())),
     needs=("comparison",))
_add("12.6", "crm.fit_sbg(retention.loc[retention['year'] <= 4, 'high_end']).projection(12): the expected "
     "column at period 12, rounded to a whole number.",
     solve=lambda retention: round(float(_crm().fit_sbg(retention.loc[retention["year"] <= 4, "high_end"])
                                         .projection(12)["expected"].iloc[12])),
     needs=("retention",), abs_tol=0.5)
