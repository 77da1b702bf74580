"""Chapter sections built on the chapter-4 tests, the method-bias checks and the structural assessment.

Each function adds one section to the chapter builder of :mod:`.sections` and,
like the rest of the report, only formats what the toolkit's public functions
return:

* :func:`construct_tests_section` -- construct means against the scale midpoint
  (``crm.one_sample_test``), their Friedman ranking (``crm.friedman_ranking``)
  and the group comparisons the study file asks for (``group_comparisons``,
  ``crm.compare_groups``);
* :func:`method_bias_section` -- Harman's single-factor test, Kock's
  full-collinearity VIFs and the common latent factor (``crm.common_method_bias``);
* :func:`effect_size_section` -- f² and VIF of the latent predictors of a CB-SEM
  model (``crm.sem_effect_sizes``: f² from a refit with the path fixed to zero,
  VIF from the implied latent correlations; both equal lavaan,
  ``tests/reference/report_structural.R``);
* :func:`pls_assessment_section` -- blindfolding Q² (``PLSResult.blindfolding``),
  PLSpredict (``PLSResult.predict``) and GoF with its caveat (``PLSResult.gof``);
  :func:`ipma_section` and :func:`mga_section` (``crm.ipma``, ``crm.micom`` and
  ``crm.pls_mga``) when the study file names an ``ipma`` target or an ``mga``
  grouping column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.plotting import ltr, persian_ticks
from crm_research.report.texts import fmt_int, fmt_num, fmt_p, fmt_pct, tr

__all__ = ["construct_tests_section", "method_bias_section", "effect_size_section", "pls_assessment_section", "ipma_section", "mga_section",
           "moderation_section", "product_name"]


def _sep(lang):
    return "، " if lang == "fa" else ", "


def _df_text(value, lang):
    if value is None or not np.isfinite(value):
        return ""
    return fmt_int(value, lang) if float(value).is_integer() else fmt_num(value, lang, 1)


# -- 4.2: one-sample tests, Friedman ranking, group comparisons ------------------------------------------

def construct_tests_section(b, study, x, data) -> dict:
    """4.2.1-4.2.3: construct means against the midpoint, Friedman ranking, group comparisons."""
    import crm_research as crm

    lang = b.lang
    names = list(study.constructs)
    scores = crm.construct_scores(x, study.constructs)
    low, high = study.scale
    mid = (low + high) / 2
    out = {"scores": scores}
    b.heading("s2a", 2)
    one = crm.one_sample_test(scores, names, mu=mid, scale=study.scale)
    tab = one.table.reset_index()
    b.table("one_sample", "t_one_sample", pd.DataFrame({
        "construct": tab["variable"], "mean": [fmt_num(v, lang, 2) for v in tab["mean"]],
        "sd": [fmt_num(v, lang, 2) for v in tab["sd"]], "t": [fmt_num(v, lang, 2) for v in tab["statistic"]],
        "df": [fmt_int(v, lang) for v in tab["df"]], "p": [fmt_p(v, lang) for v in tab["p"]],
        "mean_diff": [fmt_num(v, lang, 2) for v in tab["mean_diff"]],
        "ci_lower": [fmt_num(v, lang, 2) for v in tab["ci_low"]],
        "ci_upper": [fmt_num(v, lang, 2) for v in tab["ci_high"]],
        "cohen_d": [fmt_num(v, lang, 2) for v in tab["cohen_d"]],
    }), tab, {"en": f"Test value: the scale midpoint {mid:g}; two-sided one-sample t-tests. Difference: M minus "
                    "the test value, with its 95% interval; d = (M − test value) / SD.",
              "fa": f"مقدار آزمون: میانه طیف ({b.d(f'{mid:g}')})؛ آزمون t تک‌نمونه‌ای دوطرفه؛ فاصله اطمینان "
                    "مربوط به اختلاف میانگین و مقدار آزمون است؛ d برابر اختلاف میانگین و مقدار آزمون تقسیم بر "
                    "انحراف معیار است."}[lang])
    above = tab.loc[(tab["p"] < one.level) & (tab["mean"] > mid), "variable"].tolist()
    below = tab.loc[(tab["p"] < one.level) & (tab["mean"] < mid), "variable"].tolist()
    same = [c for c in names if c not in above + below]
    sep = _sep(lang)
    if lang == "fa":
        parts = []
        if above:
            parts.append(f"میانگین سازه‌های {sep.join(above)} به‌طور معناداری بالاتر از میانه طیف است")
        if below:
            parts.append(f"میانگین سازه‌های {sep.join(below)} به‌طور معناداری پایین‌تر از میانه طیف است")
        if same:
            parts.append(f"میانگین سازه‌های {sep.join(same)} تفاوت معناداری با میانه طیف ندارد")
        text = "؛ ".join(parts) + f" (سطح معناداری {fmt_num(one.level, lang, 2)})."
    else:
        parts = []
        if above:
            parts.append(f"the means of {sep.join(above)} lie significantly above the scale midpoint")
        if below:
            parts.append(f"the means of {sep.join(below)} lie significantly below it")
        if same:
            parts.append(f"the means of {sep.join(same)} do not differ significantly from it")
        text = "; ".join(parts) + f" (p < {fmt_num(one.level, lang, 2).lstrip('0')})."
        text = text[0].upper() + text[1:]
    b.para(text)
    out["one_sample"] = one

    b.heading("s2b", 2)
    fr = crm.friedman_ranking(scores, names)
    ranks = fr.ranks.reset_index()
    test = fr.test.iloc[0]
    b.table("friedman", "t_friedman", pd.DataFrame({
        "rank": [fmt_int(v, lang) for v in ranks["rank"]], "construct": ranks["variable"],
        "label": [study.text("construct_labels", c, lang, default="") for c in ranks["variable"]],
        "mean_rank": [fmt_num(v, lang, 2) for v in ranks["mean_rank"]],
        "mean": [fmt_num(v, lang, 2) for v in ranks["mean"]],
    }), ranks, {"en": f"Friedman χ²({int(test['df'])}) = {test['chisq']:.2f}, p {_p_eq(test['p'], lang)}, "
                      f"Kendall's W = {test['kendall_w']:.3f}, n = {int(test['n'])}. Rank 1: the highest mean rank.",
                "fa": "آزمون فریدمن: " + "، ".join(ltr(t) for t in (
                    f"χ²({fmt_int(test['df'], lang)}) = {fmt_num(test['chisq'], lang, 2)}",
                    f"p {_p_eq(test['p'], lang)}", f"W = {fmt_num(test['kendall_w'], lang)}",
                    f"n = {fmt_int(test['n'], lang)}")) + "؛ رتبه ۱: بیشترین میانگین رتبه."}[lang])
    first, last = ranks["variable"].iloc[0], ranks["variable"].iloc[-1]
    sig = test["p"] < 0.05
    if lang == "fa":
        text = ("آزمون فریدمن نشان می‌دهد که رتبه سازه‌ها در نظر پاسخ‌دهندگان یکسان نیست" if sig else
                "آزمون فریدمن تفاوت معناداری میان رتبه سازه‌ها نشان نمی‌دهد")
        text += f"؛ سازه {first} بالاترین و سازه {last} پایین‌ترین میانگین رتبه را دارد."
    else:
        text = ("The Friedman test shows that the respondents do not rank the constructs equally" if sig else
                "The Friedman test finds no significant difference between the constructs' ranks")
        text += f"; {first} has the highest and {last} the lowest mean rank."
    b.para(text)
    out["friedman"] = fr

    if study.group_comparisons:
        out["groups"] = _group_comparisons(b, study, data, x, scores)
    return out


def _p_eq(p, lang):
    text = fmt_p(p, lang)
    return text if text.startswith("<") else "= " + text


#: short effect-size symbols of the group-comparison table (spelled out in its note)
_EFFECT = {"cohen_d": "d", "rank_biserial_r": "r", "eta_squared": "η²", "epsilon_squared": "ε²"}


def _group_comparisons(b, study, data, x, scores) -> dict:
    import crm_research as crm
    from crm_research.report.texts import _label, _variable_label

    lang = b.lang
    b.heading("s2c", 2)
    names = list(study.constructs)
    rows, shown, results, sentences, mean_rows, mean_shown = [], [], {}, [], [], []
    for col in study.group_comparisons:
        labels = data.value_labels.get(col, {})
        group = data.raw[col].loc[x.index]
        frame = scores.copy()
        frame[col] = [None if pd.isna(v) else _label(v, labels, "en") for v in group]
        frame = frame.dropna(subset=[col])
        res = crm.compare_groups(frame, names, col)
        results[col] = res
        gname = _variable_label(col, data, lang)
        # in a sentence: "across the groups of preferred channel ..."
        in_text = (gname[0].lower() + gname[1:] if lang == "en" and gname[:1].isupper() and gname[1:2].islower()
                   else gname)
        to_lang = {_label(v, labels, "en"): _label(v, labels, lang) for v in group.dropna().unique()}
        desc = res.descriptives.reset_index()
        for j, (level, part) in enumerate(desc.groupby("group", sort=False)):
            means = part.set_index("variable")["mean"]
            mean_rows.append({"grouping": col, "group": level, "n": int(part["n"].iloc[0]),
                              **{c: float(means[c]) for c in names}})
            mean_shown.append({"group_var": gname if j == 0 else "", "category": to_lang.get(level, level),
                               "n": fmt_int(part["n"].iloc[0], lang),
                               **{c: fmt_num(means[c], lang, 2) for c in names}})
        for k, var in enumerate(names):
            t = res.tests[(res.tests["variable"] == var)]
            test_name = res.choice.loc[var, "test"]
            r = t[t["chosen"]].iloc[0]
            df = _df_text(r["df1"], lang) + ("" if not np.isfinite(r["df2"]) else
                                             f"{'، ' if lang == 'fa' else ', '}{_df_text(r['df2'], lang)}")
            # no-break spaces: "r = -0.05" stays on one line (a line may otherwise break after the minus)
            effect = (f"{_EFFECT[r['effect']]}\u00a0=\u00a0{fmt_num(r['effect_size'], lang, 2)}"
                      if r["effect"] and np.isfinite(r["effect_size"]) else "")
            rows.append({"grouping": col, "construct": var, "test": test_name, "statistic": r["statistic"],
                         "df1": r["df1"], "df2": r["df2"], "p": r["p"], "effect": r["effect"],
                         "effect_size": r["effect_size"]})
            shown.append({"group_var": gname if k == 0 else "", "construct": var,
                          "test_used": tr(test_name, lang).replace(" ", "\u00a0"), "t_stat": fmt_num(r["statistic"], lang, 2), "df": df,
                          "p": fmt_p(r["p"], lang), "effect_size": ltr(effect) if lang == "fa" and effect else effect})
            if r["p"] < res.level:
                sentences.append((col, in_text, var, test_name, r["p"]))
    b.table("group_means", "t_group_means", pd.DataFrame(mean_shown), pd.DataFrame(mean_rows),
            {"en": "Construct scores: the mean of each construct's items.",
             "fa": "نمره سازه: میانگین گویه‌های هر سازه."}[lang])
    b.table("group_comparisons", "t_groups", pd.DataFrame(shown), pd.DataFrame(rows), {
        "en": "For each construct the test is chosen by crm.compare_groups: the parametric test when Shapiro-Wilk "
              "accepts normality in every group (Student's t or one-way ANOVA when Levene's test accepts equal "
              "variances, Welch's test otherwise), else Mann-Whitney U or Kruskal-Wallis H. Effect sizes: d, "
              "Cohen's d; r, the rank-biserial correlation; η², eta squared; ε², epsilon squared.",
        "fa": "آزمون هر سازه با crm.compare_groups انتخاب شده است: آزمون پارامتری وقتی آزمون شاپیرو-ویلک نرمال "
              "بودن را در همه گروه‌ها رد نکند (آزمون t مستقل یا تحلیل واریانس وقتی آزمون لون برابری واریانس‌ها را رد "
              "نکند و در غیر این صورت آزمون ولچ)، و گرنه آزمون یو من-ویتنی یا H کروسکال-والیس. اندازه اثر: d، "
              "d کوهن؛ r، همبستگی رتبه‌ای دوسری؛ η²، اِتا مجذور؛ ε²، اپسیلون مجذور."}[lang])
    if lang == "fa":
        if sentences:
            text = " ".join(f"نمره سازه {var} در گروه‌های «{gname}» تفاوت معنادار دارد ({tr(test, lang)}، "
                            f"{ltr('p ' + _p_eq(p, lang))})." for _, gname, var, test, p in sentences)
        else:
            text = "هیچ‌یک از سازه‌ها در گروه‌های مقایسه‌شده تفاوت معناداری ندارد (سطح معناداری ۰٫۰۵)."
    else:
        if sentences:
            text = " ".join(f"{var} differs significantly across the groups of {gname} "
                            f"({tr(test, lang)}, p {_p_eq(p, lang)})." for _, gname, var, test, p in sentences)
        else:
            text = "No construct differs significantly across the groups compared (p < .05)."
    b.para(text)
    return results


# -- 4.3.5: common-method bias ----------------------------------------------------------------------------

def method_bias_section(b, study, x, measurement_model: str | None = None):
    """Harman's single-factor test, Kock's full-collinearity VIFs and the common latent factor.

    ``measurement_model``: the study's CFA syntax; the common latent factor is added to it (with its residual
    covariances) when it measures exactly the study's constructs, else to one factor per construct.
    """
    import crm_research as crm

    lang = b.lang
    import warnings

    from crm_research.core.errors import CRMConvergenceWarning

    b.heading("s3e", 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # the method factor is added to the study's own measurement model (its residual covariances too)
        from crm_research.inference.method_bias import measurement_factors, measures_exactly

        model = measurement_model if measurement_model and measures_exactly(
            measurement_factors(measurement_model)[0], study.constructs) else None
        res = crm.common_method_bias(x, study.constructs, method_factor=True, model=model)
    b.fits.setdefault("warnings", []).extend(str(w.message) for w in caught)
    # a common-latent-factor CFA that did not converge gives no loadings to read
    converged = not any(issubclass(w.category, CRMConvergenceWarning) for w in caught)
    h, vif = res.harman, res.vif
    rows = [{"check": k, "value": float(h.loc[k, "share"]), "threshold": 0.5, "flag": bool(h.loc[k, "flag"])}
            for k in h.index]
    rows += [{"check": f"VIF {c}", "value": float(vif.loc[c, "vif"]), "threshold": 3.3,
              "flag": bool(vif.loc[c, "flag"])} for c in vif.index]
    data = pd.DataFrame(rows)
    shown = pd.DataFrame({
        "check": [tr(r, lang) if r in h.index else (f"VIF {r[4:]}" if lang == "en" else f"VIF سازه {r[4:]}")
                  for r in data["check"]],
        "value": [fmt_pct(100 * v, lang) + ("%" if lang == "en" else "٪") if c in h.index else fmt_num(v, lang, 2)
                  for c, v in zip(data["check"], data["value"])],
        "threshold": [("> ۵۰٪" if lang == "fa" else "> 50%") if c in h.index else "> " + fmt_num(3.3, lang, 1)
                      for c in data["check"]],
        "flag": [tr("yes_flag" if f else "no_flag", lang) for f in data["flag"]],
    })
    shown = shown.rename(columns={"flag": "exceeds"})
    b.table("method_bias", "t_harman", shown, data, {
        "en": "Harman: share of the total item variance of the first unrotated principal component and of one "
              "principal-axis factor; 50% is a convention, not a test (Podsakoff et al., 2003). VIF: each "
              "construct score regressed on all the others; above 3.3 Kock (2015) sees possible common-method "
              "contamination.",
        "fa": "هارمن: سهم نخستین مؤلفه اصلی چرخش‌نیافته و یک عامل محور اصلی از کل واریانس گویه‌ها؛ مرز ۵۰ درصد یک "
              "قرارداد است نه آزمون (پادساکف و همکاران، ۲۰۰۳). VIF: رگرسیون نمره هر سازه بر همه سازه‌های دیگر؛ "
              "کاک (۲۰۱۵) مقدار بیشتر از ۳٫۳ را نشانه احتمالی آلودگی روش مشترک می‌داند."}[lang])
    load = res.loadings.reset_index()
    if converged:
        b.table("common_latent_factor", "t_clf", pd.DataFrame({
            "construct": [c if i == 0 or c != prev else "" for i, (c, prev) in
                          enumerate(zip(load["construct"], [None, *load["construct"].tolist()[:-1]]))],
            "item": load["item"], "loading": [fmt_num(v, lang) for v in load["loading"]],
            "loading_clf": [fmt_num(v, lang) for v in load["loading_clf"]],
            "delta": [fmt_num(v, lang) for v in load["delta"]],
        }), load, {"en": "Common latent factor: one extra factor on which every item loads with equal loadings, "
                         "uncorrelated with the constructs (Podsakoff et al., 2003). Change: loading without minus "
                         "with it.",
                   "fa": "عامل پنهان روش مشترک: یک عامل افزوده که همه گویه‌ها با بار برابر بر آن بار می‌شوند و با "
                         "سازه‌ها همبسته نیست (پادساکف و همکاران، ۲۰۰۳). تغییر: بار بدون عامل روش منهای بار با آن."}[lang])
    comp = float(h.loc["component_share", "share"])
    fac = float(h.loc["factor_share", "share"])
    vmax = float(vif["vif"].max())
    dmax = float(load["delta"].abs().max())
    improper = converged and res.method_variance is not None and res.method_variance < 0
    if not converged:
        m = None
    if converged:
        m = res.method_loading
    if lang == "fa":
        text = ("همه متغیرها از پاسخ‌دهندگان یکسان و با یک پرسش‌نامه گردآوری شده‌اند؛ بنابراین واریانس روش مشترک "
                "ممکن است رابطه سازه‌ها را بزرگ‌تر یا کوچک‌تر نشان دهد (پادساکف و همکاران، ۲۰۰۳). در آزمون "
                f"تک‌عاملی هارمن نخستین مؤلفه چرخش‌نیافته {fmt_pct(100 * comp, lang)} درصد و یک عامل محور اصلی "
                f"{fmt_pct(100 * fac, lang)} درصد واریانس گویه‌ها را تبیین می‌کند"
                + ("، کمتر از مرز قراردادی ۵۰ درصد. " if comp <= 0.5 else "، بیشتر از مرز قراردادی ۵۰ درصد. ")
                + "پادساکف و همکاران (۲۰۰۳) نشان می‌دهند که این آزمون حساسیت کمی دارد: یک عامل جز در سوگیری بسیار "
                "شدید بیشتر واریانس را تبیین نمی‌کند، پس سهم کمتر از ۵۰ درصد نبودِ سوگیری را نشان نمی‌دهد و "
                f"آزمون هیچ اثری را کنترل نمی‌کند. بیشترین VIF هم‌خطی کامل {fmt_num(vmax, lang, 2)} است"
                + (" که از آستانه ۳٫۳ کاک (۲۰۱۵) کمتر است. " if vmax <= 3.3 else
                   " که از آستانه ۳٫۳ کاک (۲۰۱۵) بیشتر است. ")
                + ("افزودن عامل پنهان روش مشترک بارهای عاملی استاندارد را حداکثر "
                   f"{fmt_num(dmax, lang)} تغییر می‌دهد. " if converged else
                   "مدل با عامل پنهان روش مشترک همگرا نشد، پس تغییر بارهای آن گزارش نمی‌شود. "))
        if improper:
            text += ("واریانس برآوردشده عامل روش منفی است (جواب نامعتبر)؛ داده‌ها عامل مشترکی فراتر از سازه‌ها "
                     "نشان نمی‌دهند و این تغییرها برآورد سوگیری نیستند. ")
        elif m is not None and np.isfinite(m):
            text += (f"میانگین بار استاندارد عامل روش {fmt_num(m, lang)} است، یعنی حدود "
                     f"{fmt_pct(100 * m * m, lang)} درصد واریانس هر گویه. ")
        text += ("این روش منبع واریانس روش را مشخص نمی‌کند و فرض می‌کند عامل روش با سازه‌ها تعامل ندارد (پادساکف و "
                 "همکاران، ۲۰۰۳)؛ هیچ‌یک از این بررسی‌ها نبودِ سوگیری روش مشترک را اثبات نمی‌کند و بهترین راه "
                 "کاستن از آن طراحی پژوهش است.")
    else:
        text = ("All variables come from the same respondents answering one questionnaire, so common-method "
                "variance may inflate or deflate the relations between the constructs (Podsakoff et al., 2003). "
                f"In Harman's single-factor test the first unrotated component explains {100 * comp:.1f}% of the "
                f"item variance and one principal-axis factor {100 * fac:.1f}%, "
                + ("below the conventional 50%. " if comp <= 0.5 else "above the conventional 50%. ")
                + "Podsakoff et al. (2003) show that this test is insensitive: one factor rarely accounts for most "
                "of the variance unless the bias is extreme, so a share below 50% does not show that the bias is "
                f"absent, and the test controls for nothing. The largest full-collinearity VIF is {vmax:.2f}, "
                + ("below Kock's (2015) threshold of 3.3. " if vmax <= 3.3 else
                   "above Kock's (2015) threshold of 3.3. ")
                + (f"Adding a common latent factor changes the standardized loadings by at most {dmax:.3f}. "
                   if converged else "The model with a common latent factor did not converge, so its loading "
                   "changes are not reported. "))
        if improper:
            text += ("The method factor's estimated variance is negative (an improper solution): the data hold no "
                     "common factor beyond the constructs, and the changes are not an estimate of the bias. ")
        elif m is not None and np.isfinite(m):
            text += (f"The mean standardized method loading is {m:.3f}, about {100 * m * m:.1f}% of an item's "
                     "variance. ")
        text += ("This approach does not identify the source of the method variance and assumes that the method "
                 "factor does not interact with the constructs (Podsakoff et al., 2003); none of these checks "
                 "proves that common-method bias is absent, which the design of the study limits best.")
    b.para(text)
    return res


# -- 4.4: f² and VIF of the latent predictors (CB-SEM) ----------------------------------------------------

def product_name(text: str) -> str:
    """'SAT ← OPR_x_ANL' as 'SAT ← OPR × ANL' (the product factor of crm.interaction_sem).

    Examples
    --------
    >>> product_name("SAT ← OPR_x_ANL")
    'SAT ← OPR × ANL'
    """
    import re

    return re.sub(r"(\w+)_x_(\w+)", r"\1 × \2", text)


def effect_size_section(b, study, fit, model_data, missing: str):
    """Table of f² (re-estimation with the path fixed to zero) and latent VIF for every structural path."""
    import warnings

    import crm_research as crm

    lang = b.lang
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a refit that did not converge is reported below, from the table
        data = crm.sem_effect_sizes(model_data, fit, missing=missing)
    if not len(data):
        return None
    for _, r in data[~data["refit_converged"]].iterrows():
        b.fits.setdefault("warnings", []).append(
            f"f² of {r['outcome']} <- {r['predictor']}: the model with this path fixed to zero did not converge.")
    b.table("f2_vif", "t_f2_vif", pd.DataFrame({
        "path": [product_name(f"{o} ← {p}") for o, p in zip(data["outcome"], data["predictor"])],
        "r2": [fmt_num(v, lang) for v in data["r2_included"]],
        "r2_excl": [fmt_num(v, lang) for v in data["r2_excluded"]],
        "f2": [fmt_num(v, lang) for v in data["f2"]], "f2_effect": [tr(v, lang) if v else "" for v in data["effect"]],
        "vif": [fmt_num(v, lang, 2) for v in data["vif"]],
    }).rename(columns={"r2_excl": "r2_excluded"}), data, {
        "en": "f² = (R²included − R²excluded) / (1 − R²included), where R²excluded is the outcome's R² when the "
              "model is re-estimated with this one path fixed to zero (the other estimates then change too, so a "
              "path near zero can give a slightly negative f²); 0.02, 0.15 and 0.35 are small, medium and "
              "large effects (Cohen, 1988). VIF: from the model-implied correlations of the outcome's latent "
              "predictors; above 5 indicates probable collinearity and 3 to 5 possible collinearity (Hair, "
              "Risher, et al., 2019).",
        "fa": ltr("f² = (R²incl − R²excl) / (۱ − R²incl)") + "؛ " + ltr("R²excl") + " ضریب تعیین سازه درون‌زا "
              "وقتی است که مدل با صفر شدن همین یک مسیر دوباره برآورد شود (برآوردهای دیگر نیز تغییر می‌کنند، پس "
              "مسیری نزدیک صفر ممکن است f² اندکی منفی بدهد)؛ مقادیر ۰٫۰۲، ۰٫۱۵ و ۰٫۳۵ اثر کوچک، متوسط و بزرگ‌اند (کوهن، "
              "۱۹۸۸). VIF از همبستگی‌های برآوردی پیش‌بین‌های پنهان هر سازه محاسبه شده است؛ مقدار بیشتر از ۵ "
              "نشانه هم‌خطی محتمل و ۳ تا ۵ نشانه هم‌خطی ممکن است (هیر، ریشر و همکاران، ۲۰۱۹)."}[lang])
    vmax = float(data["vif"].max())
    big = data[~data["effect"].isin(["none", ""])]
    sep = _sep(lang)
    if lang == "fa":
        text = (f"بیشترین VIF پیش‌بین‌های پنهان {fmt_num(vmax, lang, 2)} است"
                + ("؛ هم‌خطی مسئله‌ای ایجاد نمی‌کند. " if vmax < 3 else
                   "؛ هم‌خطی ممکن است خطای معیار ضرایب را بزرگ کرده باشد. ")
                + ("مسیرهای دارای اثر دست‌کم کوچک: " + sep.join(
                    f"{ltr(product_name(r['outcome'] + ' ← ' + r['predictor']))} ({tr(r['effect'], lang)})"
                    for _, r in big.iterrows()) + "." if len(big) else
                   "هیچ مسیری اندازه اثر دست‌کم کوچک (۰٫۰۲) ندارد."))
    else:
        text = (f"The largest VIF of the latent predictors is {vmax:.2f}"
                + ("; collinearity is not a concern. " if vmax < 3 else
                   "; collinearity may have inflated the standard errors of the paths. ")
                + ("Paths with at least a small effect: " + sep.join(
                    f"{product_name(r['outcome'] + ' ← ' + r['predictor'])} ({r['effect']})"
                    for _, r in big.iterrows()) + "."
                   if len(big) else "No path reaches a small effect size (0.02)."))
    b.para(text)
    return data


# -- 4.4 (PLS-SEM): Q², PLSpredict, GoF, IPMA, MGA --------------------------------------------------------

def _omission_distance(n: int) -> int:
    """The first omission distance from 7 to 12 that does not divide the sample size (Hair et al.'s rule)."""
    return next(d for d in range(7, 13) if n % d)


def pls_assessment_section(b, study, res, x, data) -> dict:
    """Blindfolding Q², PLSpredict (Q²predict, RMSE against the LM benchmark) and GoF with its caveat."""
    lang = b.lang
    out = {}
    b.heading("s4e", 3)
    d = _omission_distance(res.n)
    bf = res.blindfolding(d)
    pred = res.predict(folds=10, repeats=1, seed=study.seed)
    q = bf.merge(pred.constructs, on="construct", how="left")
    b.table("q2", "t_q2", pd.DataFrame({
        "construct": q["construct"], "q2": [fmt_num(v, lang) for v in q["q2"]],
        "reading": [tr(v, lang) for v in q["predictive_relevance"]],
        "q2_predict": [fmt_num(v, lang) for v in q["q2_predict"]],
    }), q, {"en": f"Blindfolding with omission distance D = {d}. Q² above 0 shows predictive relevance for the "
                  "construct; 0.25 and 0.50 mark medium and large predictive relevance (Hair, Risher, et al., 2019). "
                  "Q²predict: 10-fold cross-validation of the construct scores against the training means "
                  "(Shmueli et al., 2019).",
            "fa": f"بلایندفولدینگ با فاصله حذف {ltr('D = ' + fmt_int(d, lang))}. مقدار Q² بیشتر از صفر ربط پیش‌بین "
                  "برای سازه را نشان می‌دهد و ۰٫۲۵ و ۰٫۵۰ مرز ربط پیش‌بین متوسط و بزرگ است (هیر، ریشر و همکاران، "
                  "۲۰۱۹). Q²predict: اعتبارسنجی متقابل ده‌بخشی نمره سازه‌ها در برابر میانگین داده‌های آموزشی "
                  "(شموئلی و همکاران، ۲۰۱۹)."}[lang])
    items = pred.items
    b.table("plspredict", "t_plspredict", pd.DataFrame({
        "construct": [c if i == 0 or c != prev else "" for i, (c, prev) in
                      enumerate(zip(items["construct"], [None, *items["construct"].tolist()[:-1]]))],
        "item": items["item"], "q2_predict": [fmt_num(v, lang) for v in items["q2_predict"]],
        "rmse_pls": [fmt_num(v, lang) for v in items["rmse_pls"]],
        "rmse_lm": [fmt_num(v, lang) for v in items["rmse_lm"]],
        "pls_beats_lm": [tr("yes_flag" if v else "no_flag", lang) for v in items["pls_beats_lm"]],
    }), items, {"en": "Out-of-sample RMSE of the PLS predictions and of the linear-model (LM) benchmark, 10 folds "
                      f"(seed {study.seed}). PLS below LM for all indicators: high predictive power; for the "
                      "majority: medium; for a minority: low; for none: no predictive power (Shmueli et al., 2019).",
                "fa": "RMSE برون‌نمونه‌ای پیش‌بینی PLS و مدل خطی مبنا (LM)، ده بخش (بذر "
                      f"{fmt_int(study.seed, lang)}). PLS کمتر از LM برای همه شاخص‌ها: توان پیش‌بین بالا؛ برای "
                      "بیشتر شاخص‌ها: متوسط؛ برای کمتر آن‌ها: پایین؛ برای هیچ‌کدام: بدون توان پیش‌بین (شموئلی و "
                      "همکاران، ۲۰۱۹)."}[lang])
    fit_text, fit_out = _pls_model_fit(b, study, res)
    k, m = int(items["pls_beats_lm"].sum()), len(items)
    power = "high" if k == m else "medium" if k > m / 2 else "low" if k else "no"
    g = res.gof()
    if lang == "fa":
        power_fa = {"high": "بالا", "medium": "متوسط", "low": "پایین", "no": "ناچیز"}[power]
        text = ("Q² بلایندفولدینگ همه سازه‌های درون‌زا بیشتر از صفر است. " if (q["q2"] > 0).all() else
                "Q² بلایندفولدینگ دست‌کم یک سازه درون‌زا صفر یا منفی است. ")
        text += (f"در PLSpredict خطای PLS برای {fmt_int(k, lang)} از {fmt_int(m, lang)} شاخص کمتر از مدل خطی مبناست؛ "
                 f"توان پیش‌بین مدل {power_fa} است. ")
        text += (f"شاخص GoF برابر {fmt_num(g['gof'], lang)} است (جذر حاصل‌ضرب میانگین اشتراک "
                 f"{fmt_num(g['mean_communality'], lang)} و میانگین R² برابر {fmt_num(g['mean_r2'], lang)}؛ "
                 "تننهاوس و همکاران، ۲۰۰۵). این شاخص برازش مدل نیست: هنسلر و سارستد (۲۰۱۳) نشان می‌دهند که GoF "
                 "مدل درست را از نادرست تشخیص نمی‌دهد؛ پس تنها گزارش می‌شود و شاهدی بر برازش مدل نیست.")
    else:
        text = ("Blindfolding Q² is above zero for every endogenous construct. " if (q["q2"] > 0).all() else
                "Blindfolding Q² is zero or negative for at least one endogenous construct. ")
        text += (f"In PLSpredict the PLS errors are below the linear-model benchmark for {k} of {m} indicators: "
                 f"{power} predictive power. ")
        text += (f"GoF = {g['gof']:.3f}, the square root of the mean communality ({g['mean_communality']:.3f}) times "
                 f"the mean R² ({g['mean_r2']:.3f}) (Tenenhaus et al., 2005). It is not a goodness-of-fit index: "
                 "Henseler and Sarstedt (2013) show that GoF cannot separate valid from invalid models, so it is "
                 "reported for completeness, not as evidence of model fit.")
    b.para(text)
    b.para(fit_text)
    out.update({"blindfolding": bf, "predict": pred, "gof": g, "omission_distance": d, **fit_out})
    return out


def _pls_model_fit(b, study, res) -> tuple[str, dict]:
    """SmartPLS's "Model fit" table (SRMR, d_ULS, d_G, NFI) with the Bollen-Stine HI95/HI99 of the estimated model.

    The exact-fit test needs a bootstrap and a linear first-order model; with interaction terms or higher-order
    constructs (``CRMInputError`` from :func:`crm_research.pls.fit.pls_fit_test`) the table has the measures only.
    """
    lang = b.lang
    mf = res.model_fit()
    exact, skipped = None, ""
    if study.bootstrap >= 20:
        try:
            exact = res.fit_test(bootstrap=study.bootstrap, seed=study.seed, progress=b.progress).table
        except CRMInputError as err:
            skipped = str(err)
    rows = ["SRMR", "d_ULS", "d_G", "NFI"]
    display = {"index": rows,
               "fit_saturated": [fmt_num(mf.loc[r, "saturated"], lang) for r in rows],
               "fit_estimated": [fmt_num(mf.loc[r, "estimated"], lang) for r in rows]}
    est = None
    if exact is not None:
        est = exact[exact["model"] == "estimated"].set_index("measure")
        display["hi95"] = [fmt_num(est.loc[r, "hi95"], lang) if r in est.index else "" for r in rows]
        display["hi99"] = [fmt_num(est.loc[r, "hi99"], lang) if r in est.index else "" for r in rows]
        display["exact_fit"] = [tr("exact_rejected" if est.loc[r, "rejected"] else "exact_kept", lang)
                                if r in est.index else "" for r in rows]
    if lang == "fa":
        note = ("مدل اشباع‌شده: همبستگی سازه‌ها چنان‌که برآورد شده‌اند؛ مدل برآوردشده: چنان‌که مسیرهای ساختاری "
                "ایجاب می‌کنند (تعریف SmartPLS؛ سازه‌های انعکاسی به‌صورت عامل مشترک). ")
        if est is not None:
            note += (f"ستون‌های HI95 و HI99 چندک‌های ۹۵ و ۹۹ درصدی توزیع بوت‌استرپ بولن-استاین فاصله مدل برآوردشده "
                     f"با فرض برازش دقیق‌اند ({fmt_int(study.bootstrap, lang)} نمونه، بذر "
                     f"{fmt_int(study.seed, lang)})؛ اگر "
                     "مقدار از HI95 بیشتر باشد برازش دقیق در سطح ۵٪ رد می‌شود (دیکسترا و هنسلر، ۲۰۱۵؛ بولن و "
                     "استاین، ۱۹۹۲). ")
        note += ("SRMR کمتر از ۰٫۰۸ (هو و بنتلر، ۱۹۹۹) و NFI بیشتر از ۰٫۹۰ قراردادهای SEM کوواریانس‌محورند که برای "
                 "PLS-SEM تثبیت نشده‌اند (هیر و همکاران، ۲۰۲۲).")
    else:
        note = ("Saturated model: construct correlations as estimated; estimated model: as the structural paths "
                "imply them (SmartPLS's definitions; reflective constructs as common factors). ")
        if est is not None:
            note += (f"HI95 and HI99: 95% and 99% quantiles of the Bollen–Stine bootstrap distribution of the "
                     f"estimated model's distance under exact fit ({study.bootstrap} resamples, seed {study.seed}); "
                     "exact fit is rejected at the 5% level when the value exceeds HI95 (Dijkstra & Henseler, 2015; "
                     "Bollen & Stine, 1992). ")
        note += ("SRMR below 0.08 (Hu & Bentler, 1999) and NFI above 0.90 are CB-SEM conventions that are not "
                 "established for PLS-SEM (Hair et al., 2022).")
    data = mf.rename_axis("measure").reset_index()
    if est is not None:  # the CSV keeps the test's full numbers (estimated model)
        data = data.merge(est[["hi95", "hi99", "pvalue", "rejected"]], left_on="measure", right_index=True,
                          how="left")
    b.table("pls_fit", "t_pls_fit", pd.DataFrame(display), data, note)
    srmr = float(mf.loc["SRMR", "estimated"])
    below = srmr < 0.08
    if lang == "fa":
        text = (f"SRMR مدل برآوردشده {fmt_num(srmr, lang)} و " + ("کمتر" if below else "بیشتر") + " از ۰٫۰۸ است"
                + ("؛ نشانه‌ای از خطای جدی در تصریح مدل دیده نمی‌شود. " if below else
                   "؛ همبستگی‌های گویه‌ها با همبستگی‌هایی که مدل ایجاب می‌کند فاصله چشمگیری دارند. "))
        if est is not None:
            r = est.loc["SRMR"]
            text += ("آزمون بوت‌استرپی برازش دقیق " + ("برازش دقیق را در سطح ۵٪ رد می‌کند" if r["rejected"] else
                                                    "برازش دقیق را در سطح ۵٪ رد نمی‌کند")
                     + f" ({ltr('SRMR = ' + fmt_num(srmr, lang) + '، HI95 = ' + fmt_num(r['hi95'], lang))}). "
                     "در نمونه‌های بزرگ و با بارهای PLS که برای عامل مشترک اریب‌اند، این آزمون ناسازگاری‌های کوچک را "
                     "هم رد می‌کند؛ از این رو در کنار ارزیابی اجزای مدل خوانده می‌شود.")
        elif skipped:
            text += "آزمون بوت‌استرپی برازش دقیق برای مدلی با جمله تعاملی یا سازه مرتبه بالاتر تعریف نشده است."
    else:
        text = (f"The SRMR of the estimated model is {srmr:.3f}, " + ("below" if below else "above") + " 0.08"
                + ("; there is no sign of gross misspecification. " if below else
                   "; the item correlations depart markedly from those the model implies. "))
        if est is not None:
            r = est.loc["SRMR"]
            text += ("The bootstrap test " + ("rejects" if r["rejected"] else "does not reject")
                     + f" exact fit at the 5% level (SRMR\u00a0=\u00a0{srmr:.3f}, HI95\u00a0=\u00a0{r['hi95']:.3f}). "
                     "With large samples, "
                     "and with PLS loadings, which are biased for common factors, the test also rejects small "
                     "misfit, so it is read beside the assessment of the model's parts.")
        elif skipped:
            text += "The bootstrap test of exact fit is not defined for models with interaction terms or " \
                    "higher-order constructs."
    return text, {"model_fit": mf, "fit_test": exact}


def _numbered(b, number: str, key: str) -> None:
    """A level-2 heading numbered at run time ('4.4.4 ...'), as the optional sections follow the hypotheses."""
    # Persian headings number as ۴-۴-۵ (a hyphen, which the digit conversion would turn into a minus sign)
    shown = "-".join(b.d(part) for part in number.split(".")) if b.lang == "fa" else number
    b.heading(f"{shown} {tr(key, b.lang)}", 2)


def ipma_section(b, study, res, number: str):
    """Importance-performance map of the study's ``ipma`` target construct (Ringle & Sarstedt, 2016)."""
    import matplotlib.pyplot as plt

    import crm_research as crm

    lang = b.lang
    _numbered(b, number, "s4f")
    ip = crm.ipma(res, study.ipma, scale=study.scale)
    t = ip.constructs
    b.table("ipma", "t_ipma", pd.DataFrame({
        "construct": t["construct"],
        "label": [study.text("construct_labels", c, lang, default="") for c in t["construct"]],
        "importance": [fmt_num(v, lang) for v in t["importance"]],
        "performance": [fmt_num(v, lang, 1) for v in t["performance"]],
    }), t, {"en": f"Target construct {study.ipma} (performance {ip.target_performance:.1f}). Importance: the "
                  "unstandardized total effect on the target; performance: the mean score rescaled to 0-100 "
                  "(Ringle & Sarstedt, 2016).",
            "fa": f"سازه هدف {study.ipma} (عملکرد {fmt_num(ip.target_performance, lang, 1)}). اهمیت: اثر کل "
                  "استانداردنشده بر سازه هدف؛ عملکرد: میانگین نمره بازمقیاس‌شده به ۰ تا ۱۰۰ (رینگل و سارستد، "
                  "۲۰۱۶)."}[lang])
    with _style(lang):
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        ip.plot(ax=ax, lang=lang)
        if lang == "fa":
            persian_ticks(ax)
    b.figure("ipma", "f_ipma", fig)
    mi, mp = float(t["importance"].mean()), float(t["performance"].mean())
    top = t.loc[t["importance"].idxmax(), "construct"]
    priority = t.loc[(t["importance"] > mi) & (t["performance"] < mp), "construct"].tolist()
    sep = _sep(lang)
    if lang == "fa":
        text = f"بیشترین اهمیت را برای {study.ipma} سازه {top} دارد. "
        text += (f"سازه‌های {sep.join(priority)} اهمیتی بیش از میانگین و عملکردی کمتر از میانگین دارند و در "
                 "نقشه اهمیت-عملکرد اولویت بهبودند (رینگل و سارستد، ۲۰۱۶)." if priority else
                 "هیچ سازه‌ای هم‌زمان اهمیت بیش از میانگین و عملکرد کمتر از میانگین ندارد.")
    else:
        text = f"{top} has the largest importance for {study.ipma}. "
        text += (f"{sep.join(priority)} combine above-average importance with below-average performance, the "
                 "priority area of the map (Ringle & Sarstedt, 2016)." if priority else
                 "No construct combines above-average importance with below-average performance.")
    b.para(text)
    return ip


def mga_section(b, study, x, data, number: str):
    """MICOM (steps 1-2) and the permutation MGA of the path coefficients between the two groups of ``mga``."""
    import crm_research as crm
    from crm_research.core.errors import CRMInputError
    from crm_research.report.texts import _label, _variable_label

    lang = b.lang
    _numbered(b, number, "s4g")
    col = study.mga
    labels = data.value_labels.get(col, {})
    frame = x.copy()
    frame[col] = data.raw.loc[x.index, col].to_numpy()
    frame = frame.dropna(subset=[col])
    perms = max(study.bootstrap, 10)
    try:
        mic = crm.micom(frame, study.model, col, permutations=perms, seed=study.seed, progress=False)
        mga = crm.pls_mga(frame, study.model, col, permutations=perms, seed=study.seed, progress=False)
    except CRMInputError as exc:
        raise study.error("mga", str(exc)) from None
    names = [_label(g, labels, lang) for g in mga.groups]
    sizes = list(mga.groups.values())
    p = mga.paths
    b.table("mga", "t_mga", pd.DataFrame({
        "path": p["to"] + " ← " + p["from"],
        "group_a": [fmt_num(v, lang) for v in p["est_1"]], "group_b": [fmt_num(v, lang) for v in p["est_2"]],
        "diff": [fmt_num(v, lang) for v in p["diff"]], "p": [fmt_p(v, lang) for v in p["pvalue"]],
        "ci_lower": [fmt_num(v, lang) for v in p["ci_low"]], "ci_upper": [fmt_num(v, lang) for v in p["ci_high"]],
    }).rename(columns={"group_a": names[0], "group_b": names[1]}), p, {
        "en": f"Group 1: {names[0]} (n = {sizes[0]}); group 2: {names[1]} (n = {sizes[1]}); difference: group 1 "
              f"minus group 2. p: permutation test with {mga.resamples} permutations (Chin & Dibbern, 2010); "
              "the interval holds 95% of the differences under random reassignment of the groups, and a "
              "difference outside it is significant.",
        "fa": f"گروه ۱: {names[0]} ({ltr('n = ' + fmt_int(sizes[0], lang))})؛ گروه ۲: {names[1]} "
              f"({ltr('n = ' + fmt_int(sizes[1], lang))})؛ اختلاف: گروه ۱ منهای گروه ۲. p: آزمون جایگشتی با "
              f"{fmt_int(mga.resamples, lang)} جایگشت (چین و دیبرن، ۲۰۱۰)؛ فاصله ۹۵ درصد اختلاف‌ها را با جابه‌جایی تصادفی "
              "گروه‌ها در بر دارد و اختلافی بیرون از آن معنادار است."}[lang])
    inv = mic.invariance
    partial = inv.loc[inv["partial"].astype(bool), "construct"].tolist()
    not_inv = [c for c in inv["construct"] if c not in partial]
    sig = p[p["significant"].astype(bool)]
    gname = _variable_label(col, data, lang)
    sep = _sep(lang)
    if lang == "fa":
        text = ("آزمون میکام (هنسلر، رینگل و سارستد، ۲۰۱۶) ناوردایی جزئی همه سازه‌ها را تأیید می‌کند؛ پس مقایسه "
                "ضرایب مسیر گروه‌ها معتبر است. " if not not_inv else
                f"آزمون میکام (هنسلر، رینگل و سارستد، ۲۰۱۶) ناوردایی جزئی سازه‌های {sep.join(not_inv)} را تأیید "
                "نمی‌کند؛ مقایسه مسیرهای این سازه‌ها با احتیاط خوانده شود. ")
        text += (f"ضریب مسیرهای {sep.join(ltr(a) for a in sig['to'] + ' ← ' + sig['from'])} در گروه‌های «{gname}» "
                 "تفاوت معنادار دارد." if len(sig) else
                 f"هیچ ضریب مسیری در گروه‌های «{gname}» تفاوت معنادار ندارد.")
    else:
        text = ("MICOM (Henseler, Ringle, & Sarstedt, 2016) establishes partial measurement invariance for every "
                "construct, so the path coefficients of the groups can be compared. " if not not_inv else
                f"MICOM (Henseler, Ringle, & Sarstedt, 2016) does not establish partial invariance for "
                f"{sep.join(not_inv)}; the comparison of their paths is to be read with caution. ")
        text += (f"{'The path' if len(sig) == 1 else 'The paths'} {sep.join(sig['to'] + ' ← ' + sig['from'])} "
                 f"{'differs' if len(sig) == 1 else 'differ'} significantly between the groups of {gname}."
                 if len(sig) else f"No path coefficient differs significantly between the groups "
                 f"of {gname}.")
    b.para(text)
    return mic, mga


def _style(lang):
    from crm_research.core.plotting import style

    return style(lang)


# -- 4.4.4 (CB-SEM): moderation -----------------------------------------------------------------------------

def moderation_section(b, study, ires, hyp, number: str) -> dict:
    """Simple slopes at -1 SD, the mean and +1 SD of the moderator and the Johnson-Neyman bounds."""
    import matplotlib.pyplot as plt

    lang = b.lang
    _numbered(b, number, "s4m")
    est = ires.fit.estimates
    out = {}
    sentences = []
    for y, x, z, xz in ires.interactions:
        slopes = ires.probe(outcome=y, focal=x, moderator=z)
        jn = ires.johnson_neyman(outcome=y, focal=x, moderator=z)
        row = est[(est["lhs"] == y) & (est["op"] == "~") & (est["rhs"] == xz)].iloc[0]
        where = ["−1 SD", "M", "+1 SD"] if lang == "en" else ["۱− انحراف معیار", "میانگین", "۱+ انحراف معیار"]
        b.table(f"simple_slopes_{xz}", "t_probe", pd.DataFrame({
            # no-break spaces keep "ANL = -0.672" on one line
            "moderator_value": [f"{z}\u00a0=\u00a0{fmt_num(w, lang)} ({lab})"
                                for w, lab in zip(slopes["moderator"], where)],
            "slope": [fmt_num(v, lang) for v in slopes["est"]], "se": [fmt_num(v, lang) for v in slopes["se"]],
            "z": [fmt_num(v, lang, 2) for v in slopes["z"]], "p": [fmt_p(v, lang) for v in slopes["pvalue"]],
            "ci_lower": [fmt_num(v, lang) for v in slopes["ci_low"]],
            "ci_upper": [fmt_num(v, lang) for v in slopes["ci_high"]],
        }), slopes.assign(outcome=y, focal=x, moderator_name=z), {
            "en": f"Simple slopes of {x} on {y} at values of {z} in its latent metric (mean 0), with delta-method "
                  "standard errors, as semTools::probe2WayMC.",
            "fa": f"شیب‌های ساده اثر {x} بر {y} در مقادیر {z} در مقیاس پنهان آن (میانگین صفر) با خطای معیار روش "
                  "دلتا، همانند semTools::probe2WayMC."}[lang])
        with _style(lang):
            fig, ax = plt.subplots(figsize=(6, 4))
            ires.plot(ax=ax, outcome=y, focal=x, moderator=z)
            if lang == "fa":
                # the figure in the chapter's language: Persian labels and digits (codes stay Latin)
                ax.set_title(f"تعدیل اثر {ltr(x + ' → ' + y)} به‌وسیله {z}")
                ax.set_xlabel(f"{z} (مقیاس پنهان، میانگین صفر؛ خط‌چین: مرزهای جانسون-نیمن)")
                ax.set_ylabel(f"اثر {x} بر {y}")
                handles, _ = ax.get_legend_handles_labels()
                ax.legend(handles, [f"شیب {x}", "فاصله ۹۵٪"], fontsize="small")
                persian_ticks(ax)
        b.figure(f"moderation_{xz}", "f_moderation", fig)
        h = hyp[hyp["path"].str.replace(" ", "") == f"{y}~{xz}"]
        label = f" ({h['hypothesis'].iloc[0]})" if len(h) else ""
        lo, hi, outside = jn["lower"], jn["upper"], bool(jn["significant_outside"])
        p = _p_eq(row["pvalue"], lang)
        if lang == "fa":
            text = (f"اثر تعاملی {ltr(x + ' × ' + z)} بر {y}{b.d(label)}: "
                    + "، ".join(ltr(t) for t in (f"B = {fmt_num(row['est'], lang)}", f"β = {fmt_num(row['std_all'], lang)}",
                                                 f"p {p}")) + ". ")
            if np.isfinite(lo) and np.isfinite(hi):
                text += (f"بر پایه روش جانسون-نیمن (جانسون و نیمن، ۱۹۳۶) اثر {x} بر {y} "
                         + (f"بیرون از بازه {ltr('[' + fmt_num(lo, lang) + '، ' + fmt_num(hi, lang) + ']')} از {z} "
                            if outside else
                            f"درون بازه {ltr('[' + fmt_num(lo, lang) + '، ' + fmt_num(hi, lang) + ']')} از {z} ")
                         + "معنادار است (سطح ۰٫۰۵).")
            else:
                text += (f"روش جانسون-نیمن (جانسون و نیمن، ۱۹۳۶) مرز معناداری برای اثر {x} در دامنه {z} "
                         "نمی‌یابد.")
        else:
            text = (f"The interaction {x} × {z} on {y}{label} is B = {fmt_num(row['est'])}, "
                    f"β = {fmt_num(row['std_all'])}, p {p}. ")
            if np.isfinite(lo) and np.isfinite(hi):
                text += (f"By the Johnson-Neyman technique (Johnson & Neyman, 1936) the effect of {x} on {y} is "
                         f"significant (p < .05) where {z} is "
                         + (f"below {fmt_num(lo)} or above {fmt_num(hi)}" if outside else
                            f"between {fmt_num(lo)} and {fmt_num(hi)}") + " (latent metric, mean 0).")
            else:
                text += (f"The Johnson-Neyman technique (Johnson & Neyman, 1936) finds no bound of significance "
                         f"for the effect of {x} along {z}.")
        sentences.append(text)
        out[xz] = {"slopes": slopes, "johnson_neyman": jn}
    b.para(" ".join(sentences))
    return out
