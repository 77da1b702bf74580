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
    "f_demo": ("Demographic profile of the respondents", "ویژگی‌های جمعیت‌شناختی پاسخ‌دهندگان"),
    "f_qq": ("Chi-square Q-Q plot of squared Mahalanobis distances",
             "نمودار چندک-چندک خی‌دو برای مجذور فاصله‌های ماهالانوبیس"),
    "f_path": ("Path diagram of the structural model (standardized estimates)",
               "نمودار مسیر مدل ساختاری (برآوردهای استانداردشده)"),
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
