"""Bilingual wording of the thesis report (English and Persian) and number formatting.

Every label, heading and sentence of the report is looked up here by key, so
the two languages always carry the same content.  Persian terms follow the
usage of Iranian management and marketing theses (e.g. «پایایی ترکیبی» for
composite reliability, «میانگین واریانس استخراج‌شده» for AVE).
"""

from __future__ import annotations

import math

from crm_research.core.persian import to_persian_digits

__all__ = ["T", "tr", "fmt_num", "fmt_int", "fmt_p", "fmt_pct", "digits"]

T: dict[str, tuple[str, str]] = {
    # chapter and sections
    "chapter": ("Chapter 4: Data analysis", "فصل چهارم: تجزیه و تحلیل داده‌ها"),
    "s1": ("4.1 Sample and data preparation", "۴-۱ نمونه و آماده‌سازی داده‌ها"),
    "s2": ("4.2 Item descriptives and normality", "۴-۲ آمار توصیفی گویه‌ها و نرمال بودن"),
    "s3": ("4.3 Measurement model", "۴-۳ مدل اندازه‌گیری"),
    "s3a": ("4.3.1 Fit of the measurement model", "۴-۳-۱ برازش مدل اندازه‌گیری"),
    "s3b": ("4.3.2 Factor loadings", "۴-۳-۲ بارهای عاملی"),
    "s3c": ("4.3.3 Reliability and convergent validity", "۴-۳-۳ پایایی و روایی همگرا"),
    "s3d": ("4.3.4 Discriminant validity", "۴-۳-۴ روایی واگرا (تشخیصی)"),
    "s4": ("4.4 Structural model", "۴-۴ مدل ساختاری"),
    "s4a": ("4.4.1 Path coefficients and explained variance", "۴-۴-۱ ضرایب مسیر و واریانس تبیین‌شده"),
    "s4b": ("4.4.2 Indirect (mediated) effects", "۴-۴-۲ اثرهای غیرمستقیم (میانجی)"),
    "s4c": ("4.4.3 Hypothesis tests", "۴-۴-۳ آزمون فرضیه‌ها"),
    "s5": ("4.6 Method notes", "۴-۶ یادداشت‌های روش‌شناختی"),
    "s6": ("4.5 Summary", "۴-۵ جمع‌بندی"),
    "s2a": ("4.2.1 Construct means against the scale midpoint", "۴-۲-۱ مقایسه میانگین سازه‌ها با میانه طیف"),
    "s2b": ("4.2.2 Ranking of the constructs (Friedman test)", "۴-۲-۲ رتبه‌بندی سازه‌ها (آزمون فریدمن)"),
    "s2c": ("4.2.3 Group comparisons", "۴-۲-۳ مقایسه گروه‌ها"),
    "s3e": ("4.3.5 Common-method bias", "۴-۳-۵ سوگیری روش مشترک"),
    "s4d": ("Effect sizes (f²) and collinearity (VIF)", "اندازه اثر (f²) و هم‌خطی (VIF)"),
    "s4e": ("Predictive relevance (Q²), model fit and GoF", "ربط پیش‌بین (Q²)، برازش مدل و شاخص GoF"),
    "s4f": ("Importance-performance map analysis (IPMA)", "تحلیل نقشه اهمیت-عملکرد (IPMA)"),
    "s4g": ("Multi-group analysis (MGA)", "تحلیل چندگروهی (MGA)"),
    "s4m": ("Moderation (latent interaction)", "تعدیل‌گری (تعامل پنهان)"),
    "intro": ("Introduction", "مقدمه"),
    "t_constructs": ("Constructs of the model and their items", "سازه‌های مدل و گویه‌های آن‌ها"),
    "t_construct_desc": ("Descriptive statistics of the constructs", "آمار توصیفی سازه‌ها"),
    "label": ("Name", "نام"),
    "wording": ("Wording", "متن گویه"),
    "t_wording": ("Items of the questionnaire", "گویه‌های پرسش‌نامه"),
    "refs": ("References", "منابع"),
    "table": ("Table", "جدول"),
    "figure": ("Figure", "شکل"),
    "note": ("Note.", "یادداشت."),
    # table titles
    "t_missing": ("Missing answers per item", "پاسخ‌های گمشده به تفکیک گویه"),
    "t_demo": ("Demographic profile of the respondents", "ویژگی‌های جمعیت‌شناختی پاسخ‌دهندگان"),
    "t_items": ("Descriptive statistics of the items", "آمار توصیفی گویه‌ها"),
    "t_mardia": ("Mardia's tests of multivariate normality", "آزمون‌های ماردیا برای نرمال بودن چندمتغیره"),
    "t_cfa_fit": ("Fit indices of the measurement model (CFA)", "شاخص‌های برازش مدل اندازه‌گیری (تحلیل عاملی تأییدی)"),
    "t_loadings": ("Factor loadings of the measurement model", "بارهای عاملی مدل اندازه‌گیری"),
    "t_reliability": ("Reliability and convergent validity", "پایایی و روایی همگرا"),
    "t_fl": ("Fornell-Larcker criterion", "معیار فورنل و لارکر"),
    "t_htmt": ("Heterotrait-monotrait ratios (HTMT)", "نسبت‌های هتروتریت-مونوتریت (HTMT)"),
    "t_sem_fit": ("Fit indices of the structural model", "شاخص‌های برازش مدل ساختاری"),
    "t_paths": ("Structural path coefficients", "ضرایب مسیر مدل ساختاری"),
    "t_r2": ("Explained variance (R²) of the endogenous constructs", "واریانس تبیین‌شده (R²) سازه‌های درون‌زا"),
    "t_indirect": ("Indirect and total effects with bootstrap intervals",
                   "اثرهای غیرمستقیم و کل با فاصله‌های اطمینان بوت‌استرپ"),
    "t_hyp": ("Results of the hypothesis tests", "نتایج آزمون فرضیه‌ها"),
    "t_one_sample": ("One-sample t-tests of the construct means against the scale midpoint",
                     "آزمون t تک‌نمونه‌ای میانگین سازه‌ها در مقایسه با میانه طیف"),
    "t_friedman": ("Friedman test: mean ranks of the constructs", "آزمون فریدمن: میانگین رتبه سازه‌ها"),
    "t_group_means": ("Construct means by group", "میانگین سازه‌ها به تفکیک گروه"),
    "t_groups": ("Comparison of the construct scores across groups", "مقایسه نمره سازه‌ها در گروه‌ها"),
    "t_harman": ("Common-method bias: Harman's single-factor test and full-collinearity VIFs",
                 "سوگیری روش مشترک: آزمون تک‌عاملی هارمن و VIF هم‌خطی کامل"),
    "t_clf": ("Standardized loadings with and without a common latent factor",
              "بارهای عاملی استاندارد با و بدون عامل پنهان روش مشترک"),
    "t_f2_vif": ("Effect sizes (f²) and collinearity (VIF) of the latent predictors",
                 "اندازه اثر (f²) و هم‌خطی (VIF) پیش‌بین‌های پنهان"),
    "t_q2": ("Predictive relevance: blindfolding Q² and PLSpredict Q²predict",
             "ربط پیش‌بین: Q² بلایندفولدینگ و Q²predict"),
    "t_plspredict": ("PLSpredict: out-of-sample prediction errors of the indicators",
                     "PLSpredict: خطای پیش‌بینی برون‌نمونه‌ای شاخص‌ها"),
    "t_pls_fit": ("Model fit of the PLS path model: SRMR, d_ULS, d_G and NFI",
                  "برازش مدل مسیر PLS به روش SmartPLS"),
    "t_ipma": ("Importance-performance map", "نقشه اهمیت-عملکرد"),
    "t_mga": ("Multi-group analysis of the path coefficients", "تحلیل چندگروهی ضرایب مسیر"),
    "t_probe": ("Simple slopes of the moderated path", "شیب‌های ساده مسیر تعدیل‌شده"),
    "f_demo": ("Demographic profile of the respondents", "ویژگی‌های جمعیت‌شناختی پاسخ‌دهندگان"),
    "f_qq": ("Chi-square Q-Q plot of squared Mahalanobis distances",
             "نمودار چندک-چندک خی‌دو برای مجذور فاصله‌های ماهالانوبیس"),
    "f_path": ("Path diagram of the structural model (standardized estimates)",
               "نمودار مسیر مدل ساختاری (برآوردهای استانداردشده)"),
    "f_ipma": ("Importance-performance map of the target construct", "نقشه اهمیت-عملکرد سازه هدف"),
    "f_moderation": ("Simple slopes and Johnson-Neyman region", "شیب‌های ساده و ناحیه جانسون-نیمن"),
    # column labels
    "item": ("Item", "گویه"),
    "construct": ("Construct", "سازه"),
    "variable": ("Variable", "متغیر"),
    "category": ("Category", "طبقه"),
    "n": ("n", "فراوانی"),
    "n_items": ("Number of items", "تعداد گویه‌ها"),
    "items": ("Items", "گویه‌ها"),
    "pct": ("%", "درصد"),
    "missing_n": ("Missing", "گمشده"),
    "mean": ("M", "میانگین"),
    "sd": ("SD", "انحراف معیار"),
    "skewness": ("Skewness", "چولگی"),
    "kurtosis": ("Kurtosis", "کشیدگی"),
    "statistic": ("Statistic", "آماره"),
    "test": ("Test value", "مقدار آزمون"),
    "df": ("df", "درجه آزادی"),
    "p": ("p", "p"),
    "index": ("Index", "شاخص"),
    "value": ("Value", "مقدار"),
    "threshold": ("Criterion", "معیار"),
    "verdict": ("Verdict", "ارزیابی"),
    "est": ("B", "ضریب (B)"),
    "se": ("SE", "خطای معیار"),
    "z": ("z", "z"),
    "beta": ("β", "β"),
    "loading": ("Std. loading", "بار عاملی استاندارد"),
    "ci_lower": ("95% CI lower", "حد پایین فاصله ۹۵٪"),
    "ci_upper": ("95% CI upper", "حد بالای فاصله ۹۵٪"),
    "alpha": ("Cronbach's α", "آلفای کرونباخ"),
    "omega": ("ω", "امگا"),
    "cr": ("CR", "پایایی ترکیبی (CR)"),
    "ave": ("AVE", "میانگین واریانس استخراج‌شده (AVE)"),
    "path": ("Path", "مسیر"),
    "effect": ("Effect", "اثر"),
    "definition": ("Definition", "تعریف"),
    "hypothesis": ("Hypothesis", "فرضیه"),
    "result": ("Result", "نتیجه"),
    "r2": ("R²", "R²"),
    "r2_adj": ("Adjusted R²", "R² تعدیل‌شده"),
    "t": ("t", "t"),
    "f2": ("f²", "f²"),
    "vif": ("VIF", "VIF"),
    "rho_a": ("ρA", "ρA"),
    "rho_c": ("ρC (CR)", "پایایی ترکیبی ρC"),
    "indicator_rel": ("Indicator reliability", "پایایی شاخص"),
    "loading_pls": ("Loading", "بار بیرونی"),
    "t_pls_loadings": ("Outer loadings of the measurement model (PLS-SEM)",
                       "بارهای بیرونی مدل اندازه‌گیری (PLS-SEM)"),
    "t_pls_paths": ("Structural path coefficients (PLS-SEM)", "ضرایب مسیر مدل ساختاری (PLS-SEM)"),
    "f_pls_path": ("PLS path model (path coefficients and R²)", "مدل مسیر PLS (ضرایب مسیر و R²)"),
    "interval": ("Interval", "نوع فاصله"),
    "midpoint": ("Test value", "مقدار آزمون"),
    "mean_diff": ("Difference", "اختلاف میانگین"),
    "cohen_d": ("Cohen's d", "d کوهن"),
    "reading": ("Reading", "تفسیر"),
    "mean_rank": ("Mean rank", "میانگین رتبه"),
    "rank": ("Rank", "رتبه"),
    "group_var": ("Grouping", "متغیر گروه‌بندی"),
    "groups_m": ("Group means", "میانگین گروه‌ها"),
    "test_used": ("Test", "آزمون"),
    "effect_size": ("Effect size", "اندازه اثر"),
    "share": ("Variance share", "سهم واریانس"),
    "check": ("Check", "بررسی"),
    "loading_clf": ("With CLF", "با عامل روش"),
    "delta": ("Change", "تغییر"),
    "r2_excluded": ("R² excluded", "R² بدون مسیر"),
    "exceeds": ("Above criterion", "بیشتر از معیار"),
    "f2_effect": ("f² effect", "اندازه اثر f²"),
    "predictor": ("Predictor", "پیش‌بین"),
    "outcome": ("Outcome", "سازه درون‌زا"),
    "q2": ("Q² (blindfolding)", "Q² بلایندفولدینگ"),
    "fit_saturated": ("Saturated model", "مدل اشباع‌شده"),
    "fit_estimated": ("Estimated model", "مدل برآوردشده"),
    "hi95": ("HI95", "HI95"),
    "hi99": ("HI99", "HI99"),
    "exact_fit": ("Exact fit (5%)", "برازش دقیق (۵٪)"),
    "exact_kept": ("not rejected", "رد نمی‌شود"),
    "exact_rejected": ("rejected", "رد می‌شود"),
    "q2_predict": ("Q²predict", "Q²predict"),
    "rmse_pls": ("RMSE PLS", "RMSE PLS"),
    "rmse_lm": ("RMSE LM", "RMSE LM"),
    "pls_beats_lm": ("PLS < LM", "PLS < LM"),
    "importance": ("Importance", "اهمیت"),
    "performance": ("Performance", "عملکرد"),
    "diff": ("Difference", "اختلاف"),
    "group_a": ("Group 1", "گروه ۱"),
    "group_b": ("Group 2", "گروه ۲"),
    "moderator_value": ("Moderator", "مقدار تعدیل‌گر"),
    "slope": ("Simple slope", "شیب ساده"),
    "t_stat": ("Statistic", "آماره"),
    "small": ("small", "کوچک"),
    "medium": ("medium", "متوسط"),
    "large": ("large", "بزرگ"),
    "none": ("none", "ناچیز"),
    "above": ("above", "بالاتر"),
    "below": ("below", "پایین‌تر"),
    "not_different": ("not different", "بدون تفاوت"),
    "yes_flag": ("yes", "بله"),
    "no_flag": ("no", "خیر"),
    "mediation": ("Mediation type", "نوع میانجی‌گری"),
    "eff_indirect": ("indirect", "غیرمستقیم"),
    "eff_direct": ("direct", "مستقیم"),
    "eff_total": ("total", "کل"),
    "skewness_m": ("Multivariate skewness", "چولگی چندمتغیره"),
    "kurtosis_m": ("Multivariate kurtosis", "کشیدگی چندمتغیره"),
    "missing_cat": ("(missing)", "(گمشده)"),
    # verdicts
    "good": ("good", "خوب"),
    "acceptable": ("acceptable", "قابل قبول"),
    "poor": ("poor", "ضعیف"),
    "yes": ("supported", "تأیید"),
    "no": ("not supported", "رد"),
    "ok": ("met", "برقرار"),
    "not_ok": ("not met", "برقرار نیست"),
    "bootstrap BC": ("bootstrap BC", "بوت‌استرپ با اصلاح سوگیری"),
    "bootstrap percentile": ("bootstrap percentile", "بوت‌استرپ صدکی"),
    "normal": ("normal theory", "نظریه نرمال"),
    # fit index names
    "chisq": ("χ²", "خی‌دو (χ²)"),
    "pvalue": ("p (χ²)", "p (خی‌دو)"),
    "chisq_df": ("χ²/df", "خی‌دو بر درجه آزادی"),
    "cfi": ("CFI", "CFI"),
    "tli": ("TLI", "TLI"),
    "rmsea": ("RMSEA", "RMSEA"),
    "srmr": ("SRMR", "SRMR"),
    "chisq_ml": ("χ² (ML)", "خی‌دو (ML)"),
    "chisq_scaled": ("Scaled χ² (Yuan-Bentler)", "خی‌دوی مقیاس‌شده (یوان-بنتلر)"),
    "pvalue_scaled": ("p (scaled χ²)", "p (خی‌دوی مقیاس‌شده)"),
    "chisq_scaling_factor": ("Scaling factor", "ضریب مقیاس"),
    "chisq_df_scaled": ("Scaled χ²/df", "خی‌دوی مقیاس‌شده بر درجه آزادی"),
    "cfi_robust": ("Robust CFI", "CFI مقاوم"),
    "tli_robust": ("Robust TLI", "TLI مقاوم"),
    "rmsea_robust": ("Robust RMSEA", "RMSEA مقاوم"),
    "cfi_scaled": ("Scaled CFI", "CFI مقیاس‌شده"),
    "tli_scaled": ("Scaled TLI", "TLI مقیاس‌شده"),
    "rmsea_scaled": ("Scaled RMSEA", "RMSEA مقیاس‌شده"),
    # tests chosen by crm.compare_groups
    "student_t": ("Student's t", "t مستقل"),
    "welch_t": ("Welch's t", "t ولچ"),
    "mann_whitney": ("Mann-Whitney U", "یو من‌ویتنی"),
    "anova": ("ANOVA F", "F تحلیل واریانس"),
    "welch_anova": ("Welch's F", "F ولچ"),
    "kruskal": ("Kruskal-Wallis H", "H کروسکال‌والیس"),
    "eta_squared": ("η²", "η²"),
    "epsilon_squared": ("ε²", "ε²"),
    "rank_biserial_r": ("rank-biserial r", "r رتبه‌ای دوسری"),
    "component_share": ("First unrotated component (Harman)", "نخستین مؤلفه چرخش‌نیافته (هارمن)"),
    "factor_share": ("One principal-axis factor (Harman)", "یک عامل محور اصلی (هارمن)"),
}


def tr(key: str, lang: str) -> str:
    """The English or Persian text of ``key`` (the key itself when it has no entry)."""
    en, fa = T.get(key, (key, key))
    return fa if lang == "fa" else en


def digits(text: str, lang: str) -> str:
    """Persian digits in ``text`` when ``lang == "fa"``."""
    return to_persian_digits(text) if lang == "fa" else text


def _bad(value) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def fmt_num(value, lang: str = "en", decimals: int = 3) -> str:
    """A number rounded to ``decimals`` places (an empty cell for NaN), in the report's digits."""
    if _bad(value):
        return ""
    text = f"{float(value):.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]  # no "-0.000"
    if lang == "fa" and text.startswith("-"):
        # a minus sign is a neutral character: in a right-to-left cell it would settle on the number's right
        # ("۰٫۰۸۲−"); a left-to-right mark before it keeps it on the left in Word, LibreOffice and browsers
        return "\u200e" + digits(text, lang)
    return digits(text, lang)


def fmt_int(value, lang: str = "en") -> str:
    """A whole number."""
    if _bad(value):
        return ""
    return digits(f"{int(round(float(value)))}", lang)


def fmt_pct(value, lang: str = "en") -> str:
    """A percentage with one decimal."""
    return fmt_num(value, lang, 1)


def fmt_p(value, lang: str = "en") -> str:
    """A p-value: APA style in English (no leading zero, '< .001'); Persian keeps the zero ('۰٫۰۳۰').

    In Persian a bare '٫۰۳' reads as a letter followed by digits, so Persian theses write the zero.
    """
    if _bad(value):
        return ""
    value = float(value)
    # a no-break space keeps "<" on the line of its number
    if lang == "fa":
        return digits("<\u00a00.001" if value < 0.001 else f"{value:.3f}", lang)
    return "<\u00a0.001" if value < 0.001 else f"{value:.3f}".lstrip("0")


def _label(value, labels: dict, lang: str) -> str:
    """Category text: the SPSS value label (its English or Persian half, 'en | fa'), else the value."""
    if isinstance(value, float) and value.is_integer():
        key = value
        shown = str(int(value))
    else:
        key, shown = value, str(value)
    text = labels.get(key, labels.get(float(key)) if _is_number(key) else None)
    if text is None:
        return digits(shown, lang)
    parts = [p.strip() for p in str(text).split("|")]
    if len(parts) == 2:
        return parts[1] if lang == "fa" else parts[0]
    return digits(str(text), lang) if lang == "fa" else str(text)


def _variable_label(col: str, data, lang: str) -> str:
    """A demographic variable's label (its English or Persian half), else the column name."""
    text = data.variable_labels.get(col)
    if not text:
        return col
    parts = [p.strip() for p in str(text).split("|")]
    if len(parts) == 2:
        return parts[1] if lang == "fa" else parts[0]
    return str(text)


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False
