"""The CRM frameworks as data: stages, bilingual definitions, sources and diagrams.

Each classic model of Customer Relationship Management is a :class:`Framework`
object holding its stages (:class:`Stage`) with English and Persian names, a
short definition in each language, the academic source, and the toolkit
functions that serve each stage.  ``framework.diagram(lang="en" | "fa")`` draws
a publication-quality figure; the Persian figure is mirrored so that it reads
right to left.

========================  ======================================================
``IDIC``                  Peppers & Rogers: Identify, Differentiate, Interact, Customize
``PAYNE``                 Payne & Frow (2005): the five cross-functional CRM processes
``KALAKOTA``              Kalakota & Robinson: acquire, enhance, retain
``WINER``                 Winer (2001): seven steps ("Russel 2001" in Persian theses)
``SIX_ES``                the six e's of e-CRM, linked to the ``ecrm_survey`` constructs
``ECRM_TYPES``            operational vs analytical e-CRM
``DESAI``                 Desai, Sahu & Sinha (2007): the dynamic-capability view
========================  ======================================================

:func:`comparison_table` compares mass marketing, CRM and e-CRM;
:func:`glossary` is a bilingual glossary of key terms; :func:`references`
lists every work cited; :func:`toolkit_map` lists which toolkit function serves
which stage (and whether it exists yet in this version).

The Persian names follow the terms used in Persian CRM theses and textbooks,
so that students find the words they already know.  All texts are our own
summaries; cite the original works listed in :func:`references`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.persian import to_persian_digits
from crm_research.core.plotting import PALETTE, check_lang
from crm_research.core.results import Summary
from crm_research.core.validation import check_choice

__all__ = [
    "Stage",
    "Framework",
    "IDIC",
    "PAYNE",
    "KALAKOTA",
    "WINER",
    "SIX_ES",
    "ECRM_TYPES",
    "DESAI",
    "FRAMEWORKS",
    "list_frameworks",
    "get_framework",
    "comparison_table",
    "glossary",
    "references",
    "toolkit_map",
]

# ---------------------------------------------------------------------------
# References: every work cited by the frameworks, the glossary and notebook 01
# ---------------------------------------------------------------------------

REFERENCES: dict[str, str] = {
    "peppers_rogers_2004": (
        "Peppers, D., & Rogers, M. (2004). Managing customer relationships: A strategic framework. "
        "Hoboken, NJ: Wiley (2nd ed. 2011)."
    ),
    "peppers_rogers_dorf_1999": (
        "Peppers, D., Rogers, M., & Dorf, B. (1999). Is your company ready for one-to-one marketing? "
        "Harvard Business Review, 77(1), 151-160."
    ),
    "payne_frow_2005": (
        "Payne, A., & Frow, P. (2005). A strategic framework for customer relationship management. "
        "Journal of Marketing, 69(4), 167-176."
    ),
    "payne_frow_2013": (
        "Payne, A., & Frow, P. (2013). Strategic customer management: Integrating relationship marketing "
        "and CRM. Cambridge: Cambridge University Press."
    ),
    "kalakota_robinson_2001": (
        "Kalakota, R., & Robinson, M. (2001). e-Business 2.0: Roadmap for success. Boston: Addison-Wesley "
        "(first edition 1999, e-Business: Roadmap for success)."
    ),
    "winer_2001": (
        "Winer, R. S. (2001). A framework for customer relationship management. "
        "California Management Review, 43(4), 89-105."
    ),
    "desai_2007": (
        "Desai, D., Sahu, S., & Sinha, P. K. (2007). Role of dynamic capability and information technology "
        "in customer relationship management: A study of Indian companies. Vikalpa, 32(4), 45-62."
    ),
    "teece_1997": (
        "Teece, D. J., Pisano, G., & Shuen, A. (1997). Dynamic capabilities and strategic management. "
        "Strategic Management Journal, 18(7), 509-533."
    ),
    "buttle_maklan_2019": (
        "Buttle, F., & Maklan, S. (2019). Customer relationship management: Concepts and technologies "
        "(4th ed.). London: Routledge."
    ),
    "pan_lee_2003": (
        "Pan, S. L., & Lee, J.-N. (2003). Using e-CRM for a unified view of the customer. "
        "Communications of the ACM, 46(4), 95-99."
    ),
    "chen_popovich_2003": (
        "Chen, I. J., & Popovich, K. (2003). Understanding customer relationship management (CRM): People, "
        "process and technology. Business Process Management Journal, 9(5), 672-688."
    ),
    "reinartz_2004": (
        "Reinartz, W., Krafft, M., & Hoyer, W. D. (2004). The customer relationship management process: Its "
        "measurement and impact on performance. Journal of Marketing Research, 41(3), 293-305."
    ),
    "berry_1983": (
        "Berry, L. L. (1983). Relationship marketing. In L. L. Berry, G. L. Shostack, & G. D. Upah (Eds.), "
        "Emerging perspectives on services marketing (pp. 25-28). Chicago: American Marketing Association."
    ),
    "morgan_hunt_1994": (
        "Morgan, R. M., & Hunt, S. D. (1994). The commitment-trust theory of relationship marketing. "
        "Journal of Marketing, 58(3), 20-38."
    ),
    "blau_1964": "Blau, P. M. (1964). Exchange and power in social life. New York: Wiley.",
    "barney_1991": (
        "Barney, J. (1991). Firm resources and sustained competitive advantage. "
        "Journal of Management, 17(1), 99-120."
    ),
    "zeithaml_1988": (
        "Zeithaml, V. A. (1988). Consumer perceptions of price, quality, and value: A means-end model and "
        "synthesis of evidence. Journal of Marketing, 52(3), 2-22."
    ),
    "gupta_2006": (
        "Gupta, S., Hanssens, D., Hardie, B., Kahn, W., Kumar, V., Lin, N., Ravishanker, N., & Sriram, S. "
        "(2006). Modeling customer lifetime value. Journal of Service Research, 9(2), 139-155."
    ),
    "davis_1989": (
        "Davis, F. D. (1989). Perceived usefulness, perceived ease of use, and user acceptance of "
        "information technology. MIS Quarterly, 13(3), 319-340."
    ),
    "vargo_lusch_2004": (
        "Vargo, S. L., & Lusch, R. F. (2004). Evolving to a new dominant logic for marketing. "
        "Journal of Marketing, 68(1), 1-17."
    ),
    "delone_mclean_2003": (
        "DeLone, W. H., & McLean, E. R. (2003). The DeLone and McLean model of information systems "
        "success: A ten-year update. Journal of Management Information Systems, 19(4), 9-30."
    ),
    "smith_1956": (
        "Smith, W. R. (1956). Product differentiation and market segmentation as alternative marketing "
        "strategies. Journal of Marketing, 21(1), 3-8."
    ),
    "meyer_schwager_2007": (
        "Meyer, C., & Schwager, A. (2007). Understanding customer experience. "
        "Harvard Business Review, 85(2), 116-126."
    ),
    "fader_2005": (
        'Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy way: An '
        "alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284."
    ),
    "hughes_1994": "Hughes, A. M. (1994). Strategic database marketing. Chicago: Probus.",
    "reichheld_sasser_1990": (
        "Reichheld, F. F., & Sasser, W. E. (1990). Zero defections: Quality comes to services. "
        "Harvard Business Review, 68(5), 105-111."
    ),
}


def _cite(*keys: str) -> tuple[str, ...]:
    missing = [k for k in keys if k not in REFERENCES]
    if missing:  # a typo in the tables below must fail at import, not print a blank source
        raise KeyError(f"unknown reference keys {missing}")
    return keys


# ---------------------------------------------------------------------------
# The data classes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One stage, process or component of a framework.

    Attributes
    ----------
    key : str
        Short identifier (``"identify"``).
    name_en, name_fa : str
        Name in English and Persian.
    definition_en, definition_fa : str
        What the stage is, in a few sentences.
    caption_en, caption_fa : str
        A short phrase printed under the name in the diagram.
    details_en, details_fa : tuple of str
        Items listed in the diagram (e.g. the strategies of a lifecycle phase).
    toolkit : tuple of str
        Public toolkit functions that serve the stage, e.g. ``("crm.rfm", "crm.clv")``.
    constructs : tuple of str
        Codes of the ``ecrm_survey`` constructs the stage relates to.
    """

    key: str
    name_en: str
    name_fa: str
    definition_en: str
    definition_fa: str
    caption_en: str = ""
    caption_fa: str = ""
    details_en: tuple[str, ...] = ()
    details_fa: tuple[str, ...] = ()
    toolkit: tuple[str, ...] = ()
    constructs: tuple[str, ...] = ()

    def name(self, lang: str = "en") -> str:
        """The stage name in ``lang`` ("en" or "fa")."""
        return self.name_fa if check_lang(lang, func="Stage.name") == "fa" else self.name_en


@dataclass(frozen=True)
class Framework:
    """A CRM framework: its stages, definitions, sources and diagram.

    Attributes
    ----------
    key : str
        Short identifier (``"idic"``); :func:`get_framework` accepts it.
    name_en, name_fa : str
        Name of the framework.
    definition_en, definition_fa : str
        One paragraph on what the framework says.
    source : str
        Short citation (``"Winer (2001)"``).
    references : tuple of str
        Keys of the full references (see :func:`references`).
    stages : tuple of Stage
        The stages in the framework's order.
    layout : str
        How :meth:`diagram` draws it: ``"cycle"``, ``"payne"``, ``"phases"``,
        ``"steps"``, ``"hub"``, ``"pair"`` or ``"moderation"``.
    note_en, note_fa : str
        A remark on citing the framework (e.g. the "Russel 2001" attribution).
    center_en, center_fa : str
        Text at the centre of cycle and hub diagrams.
    source_fa : str
        The short citation written for Persian readers (Persian digits).
    subtitle_en, subtitle_fa : str
        One line under the diagram's title.
    """

    key: str
    name_en: str
    name_fa: str
    definition_en: str
    definition_fa: str
    source: str
    references: tuple[str, ...]
    stages: tuple[Stage, ...]
    layout: str
    note_en: str = ""
    note_fa: str = ""
    center_en: str = ""
    center_fa: str = ""
    source_fa: str = field(default="", repr=False)
    subtitle_en: str = ""
    subtitle_fa: str = ""

    # -- look-up --------------------------------------------------------------
    def stage(self, key: str) -> Stage:
        """The stage with this key (or English name, case-insensitive)."""
        for s in self.stages:
            if key.lower() in (s.key.lower(), s.name_en.lower()):
                return s
        check_choice(key, "key", [s.key for s in self.stages], func=f"{self.key}.stage")
        raise AssertionError("unreachable")  # check_choice raised

    def name(self, lang: str = "en") -> str:
        """The framework name in ``lang``."""
        return self.name_fa if check_lang(lang, func="Framework.name") == "fa" else self.name_en

    @property
    def full_references(self) -> list[str]:
        """The full references of this framework."""
        return [REFERENCES[k] for k in self.references]

    # -- tables ---------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The stages as a table.

        Returns
        -------
        pandas.DataFrame
            One row per stage, in order: ``order`` (1, 2, ...), ``key``,
            ``name_en``, ``name_fa``, ``definition_en``, ``definition_fa``,
            ``toolkit`` (comma-separated function names) and ``constructs``
            (comma-separated ``ecrm_survey`` construct codes).
        """
        rows = [
            {
                "order": i,
                "key": s.key,
                "name_en": s.name_en,
                "name_fa": s.name_fa,
                "definition_en": s.definition_en,
                "definition_fa": s.definition_fa,
                "toolkit": ", ".join(s.toolkit),
                "constructs": ", ".join(s.constructs),
            }
            for i, s in enumerate(self.stages, start=1)
        ]
        return pd.DataFrame(rows)

    def summary(self) -> Summary:
        """Stages, source and note, as text (print) or HTML (in a notebook)."""
        table = self.to_frame().set_index("order")[["name_en", "name_fa", "toolkit"]]
        notes = [f"Definition: {self.definition_en}", f"Source: {self.source}"]
        notes += [f"Reference: {r}" for r in self.full_references]
        if self.note_en:
            notes.append(self.note_en)
        return Summary(f"{self.name_en} ({self.name_fa})", [("Stages", table)], notes)

    def __repr__(self) -> str:
        return f"<Framework {self.key!r}: {self.name_en}, {len(self.stages)} stages, {self.source}>"

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    # -- figures --------------------------------------------------------------
    def diagram(self, lang: str = "en", ax=None):
        """Draw the framework as a diagram.

        Parameters
        ----------
        lang : {"en", "fa"}
            Language of every label.  The Persian diagram is mirrored so that
            the flow reads right to left, uses Persian digits, and is drawn with
            :func:`crm_research.core.plotting.persian_font`.
        ax : matplotlib Axes, optional
            Draw into this Axes (its axis is switched off).  By default a new
            figure of a size that fits the framework is made.

        Returns
        -------
        matplotlib.figure.Figure

        Notes
        -----
        Persian labels are given to matplotlib in logical order; matplotlib
        (3.11 and later) shapes and orders them itself, so no reshaping is
        applied.
        """
        lang = check_lang(lang, func="diagram")
        return _draw(self, lang, ax)

    def plot(self, ax=None, lang: str = "en"):
        """Same as :meth:`diagram`; returns the Figure."""
        return self.diagram(lang=lang, ax=ax)

    def toolkit_functions(self) -> list[str]:
        """Every toolkit function named by the stages, once, in order of appearance."""
        seen: list[str] = []
        for s in self.stages:
            seen += [f for f in s.toolkit if f not in seen]
        return seen


# ---------------------------------------------------------------------------
# The frameworks
# ---------------------------------------------------------------------------

IDIC = Framework(
    key="idic",
    name_en="IDIC model",
    name_fa="مدل IDIC",
    definition_en=(
        "Peppers and Rogers describe one-to-one relationship building as four tasks that repeat as a cycle: "
        "find out who the customers are, tell them apart by the value they bring and the needs they have, "
        "talk with them in ways that teach the firm something, and then change some part of the firm's "
        "behaviour for each customer in the light of what it learned. The first two tasks are analysis done "
        "inside the firm; the last two are actions the customer experiences."
    ),
    definition_fa=(
        "پپرز و راجرز ساختن رابطهٔ یک‌به‌یک با مشتری را در چهار کار خلاصه می‌کنند که به شکل یک چرخه "
        "تکرار می‌شوند: شناختن مشتریان، تمایز قائل شدن میان آن‌ها بر پایهٔ ارزش و نیاز، تعامل با آن‌ها "
        "به گونه‌ای که سازمان چیزی بیاموزد، و سرانجام سفارشی‌سازی بخشی از رفتار سازمان برای هر مشتری. "
        "دو کار نخست تحلیل درون سازمان است و دو کار دیگر اقدامی است که مشتری آن را تجربه می‌کند."
    ),
    source="Peppers & Rogers (2004); Peppers, Rogers & Dorf (1999)",
    source_fa="پپرز و راجرز (۲۰۰۴)",
    references=_cite("peppers_rogers_2004", "peppers_rogers_dorf_1999"),
    layout="cycle",
    subtitle_en="a repeating cycle",
    subtitle_fa="چرخه\u200cای تکرارشونده",
    center_en="IDIC\none-to-one\nrelationship",
    center_fa="IDIC\nرابطهٔ\nیک‌به‌یک",
    stages=(
        Stage(
            "identify",
            "Identify",
            "شناسایی",
            "Recognise each customer as the same person at every contact and channel, and gather what is "
            "known about them into one customer record.",
            "هر مشتری در همهٔ تماس‌ها و کانال‌ها به عنوان یک فرد واحد شناخته شود و آنچه دربارهٔ او "
            "می‌دانیم در یک پروندهٔ مشتری گرد آید.",
            caption_en="know who each customer is",
            caption_fa="شناخت هر مشتری",
            toolkit=("crm.CustomerDatabase", "crm.resolve_duplicates", "crm.summarize_transactions"),
        ),
        Stage(
            "differentiate",
            "Differentiate",
            "تمایز",
            "Rank customers by their value to the firm (current and future) and group them by their needs, "
            "so that effort goes where it pays and offers fit what customers want.",
            "مشتریان بر پایهٔ ارزش کنونی و آیندهٔ خود برای سازمان رتبه‌بندی و بر پایهٔ نیازهایشان "
            "گروه‌بندی شوند تا تلاش سازمان به جای درست برود و پیشنهادها با خواست مشتری جور باشد.",
            caption_en="by value and by need",
            caption_fa="بر پایهٔ ارزش و نیاز",
            toolkit=("crm.value_tiers", "crm.need_features", "crm.rfm", "crm.segment", "crm.clv", "crm.fit_bgnbd"),
        ),
        Stage(
            "interact",
            "Interact",
            "تعامل",
            "Hold conversations with customers that are cheaper and more useful than before, and that each add "
            "to what the firm knows about the customer's needs and relations with other brands.",
            "گفت‌وگو با مشتری کم‌هزینه‌تر و سودمندتر شود و هر تعامل چیزی به دانش سازمان دربارهٔ نیازهای "
            "مشتری و رابطهٔ او با برندهای دیگر بیفزاید.",
            caption_en="learn from every contact",
            caption_fa="یادگیری از هر تماس",
            toolkit=("crm.channel_report", "crm.CustomerDatabase"),
        ),
        Stage(
            "customize",
            "Customize",
            "سفارشی‌سازی",
            "Adapt some aspect of the product, service or communication to each customer or segment, using "
            "what the firm learned, so that staying becomes more convenient for the customer.",
            "جنبه‌ای از محصول، خدمت یا ارتباط، با استفاده از آموخته‌های سازمان، برای هر مشتری یا بخش "
            "تطبیق داده شود تا ماندن در رابطه برای مشتری آسان‌تر شود.",
            caption_en="tailor offer and service",
            caption_fa="متناسب‌سازی پیشنهاد و خدمت",
            toolkit=("crm.next_best_offer", "crm.segment", "crm.churn_model"),
        ),
    ),
)

PAYNE = Framework(
    key="payne",
    name_en="Payne & Frow's five CRM processes",
    name_fa="مدل پنج فرآیندی پین و فرو",
    definition_en=(
        "Payne and Frow treat CRM as five cross-functional processes rather than a software project. "
        "Strategy development decides which customers the firm serves and how; value creation works out the "
        "value each side gets; multichannel integration delivers that value through every channel in a "
        "joined-up way. Information management (the data repository, analytics and IT systems) feeds all "
        "three, and performance assessment checks that the whole system creates shareholder value and meets "
        "its standards."
    ),
    definition_fa=(
        "پین و فرو مدیریت ارتباط با مشتری را به جای یک پروژهٔ نرم‌افزاری، پنج فرآیند میان‌وظیفه‌ای "
        "می‌دانند. فرآیند توسعهٔ استراتژی تعیین می‌کند سازمان به کدام مشتریان و چگونه خدمت کند؛ فرآیند "
        "ایجاد ارزش ارزشی را که هر طرف به دست می‌آورد مشخص می‌کند؛ و فرآیند ادغام چندکاناله این ارزش را "
        "به شکلی یکپارچه از همهٔ کانال‌ها عرضه می‌کند. فرآیند مدیریت اطلاعات (مخزن داده، ابزارهای تحلیلی "
        "و سیستم‌های فناوری اطلاعات) هر سه را پشتیبانی می‌کند و فرآیند ارزیابی عملکرد بررسی می‌کند که "
        "کل نظام برای سهامداران ارزش بیافریند و به استانداردهایش برسد."
    ),
    source="Payne & Frow (2005)",
    source_fa="پین و فرو (۲۰۰۵)",
    references=_cite("payne_frow_2005", "payne_frow_2013"),
    layout="payne",
    subtitle_en="a strategic framework of five cross-functional processes",
    subtitle_fa="چارچوبی راهبردی از پنج فرآیند میان\u200cوظیفه\u200cای",
    note_en="Persian sources often cite the later book (Payne 2012 / Payne & Frow 2013); the framework is from 2005.",
    note_fa="منابع فارسی اغلب به کتاب بعدی (پین ۲۰۱۲) ارجاع می‌دهند؛ خود چارچوب در سال ۲۰۰۵ منتشر شده است.",
    stages=(
        Stage(
            "strategy_development",
            "Strategy development",
            "فرآیند توسعهٔ استراتژی",
            "Bring the business strategy and the customer strategy together: which customers to serve, how to "
            "segment them and what relationship the firm wants with each segment.",
            "پیوند دادن استراتژی کسب‌وکار با استراتژی مشتری: به کدام مشتریان خدمت کنیم، آن‌ها را چگونه "
            "بخش‌بندی کنیم و با هر بخش چه رابطه‌ای می‌خواهیم.",
            caption_en="business and customer strategy",
            caption_fa="استراتژی کسب‌وکار و مشتری",
            toolkit=("crm.segment", "crm.clv"),
        ),
        Stage(
            "value_creation",
            "Value creation",
            "فرآیند ایجاد ارزش",
            "Define the value the firm offers the customer and the value the customer returns to the firm, "
            "for example through acquisition and retention economics and lifetime value.",
            "تعریف ارزشی که سازمان به مشتری عرضه می‌کند و ارزشی که مشتری به سازمان بازمی‌گرداند، برای "
            "نمونه از راه اقتصاد جذب و حفظ و ارزش طول عمر مشتری.",
            caption_en="value to customer and to firm",
            caption_fa="ارزش برای مشتری و سازمان",
            toolkit=("crm.clv", "crm.fit_bgnbd", "crm.value_tiers", "crm.rfm"),
        ),
        Stage(
            "multichannel_integration",
            "Multichannel integration",
            "فرآیند ادغام چندکاناله",
            "Choose the physical and virtual channels (branch, sales force, call centre, web, mobile) and join "
            "them up so that the customer meets one firm, whichever channel they use.",
            "انتخاب کانال‌های فیزیکی و مجازی (شعبه، نیروی فروش، مرکز تماس، وب، موبایل) و یکپارچه کردن آن‌ها "
            "تا مشتری از هر کانالی که بیاید با یک سازمان واحد روبه‌رو شود.",
            caption_en="one firm in every channel",
            caption_fa="یک سازمان در همهٔ کانال‌ها",
            toolkit=("crm.channel_report", "crm.resolve_duplicates", "crm.CustomerDatabase"),
        ),
        Stage(
            "information_management",
            "Information management",
            "فرآیند مدیریت اطلاعات",
            "Collect and combine customer data from every contact in a data repository, and supply the "
            "analytical tools and IT systems that turn it into knowledge for the other processes.",
            "گردآوری و ترکیب دادهٔ مشتری از همهٔ تماس‌ها در یک مخزن داده و فراهم کردن ابزارهای تحلیلی و "
            "سیستم‌های فناوری اطلاعات که این داده را برای فرآیندهای دیگر به دانش تبدیل می‌کنند.",
            caption_en="data repository, analytics, IT systems",
            caption_fa="مخزن داده، ابزارهای تحلیلی، سیستم‌های فناوری اطلاعات",
            toolkit=("crm.CustomerDatabase", "crm.load_dataset", "crm.summarize_transactions"),
        ),
        Stage(
            "performance_assessment",
            "Performance assessment",
            "فرآیند ارزیابی عملکرد",
            "Measure whether CRM meets its goals: shareholder results (customer equity, cost, growth) and the "
            "standards and indicators set for each process, such as satisfaction and loyalty.",
            "سنجش اینکه مدیریت ارتباط با مشتری به هدف‌هایش می‌رسد یا نه: نتایج برای سهامداران (ارزش ویژهٔ "
            "مشتری، هزینه، رشد) و استانداردها و شاخص‌های هر فرآیند، مانند رضایت و وفاداری.",
            caption_en="shareholder results, standards and KPIs",
            caption_fa="نتایج برای سهامداران، استانداردها و شاخص‌ها",
            toolkit=("crm.lifecycle_kpis", "crm.clv", "crm.cronbach_alpha", "crm.cfa", "crm.sem", "crm.hypotheses"),
        ),
    ),
)

KALAKOTA = Framework(
    key="kalakota",
    name_en="Kalakota & Robinson's CRM lifecycle",
    name_fa="الگوی چرخهٔ حیات مدیریت ارتباط با مشتری کالاکوتا",
    definition_en=(
        "Kalakota and Robinson divide the customer relationship into three phases that each need a different "
        "organisational focus: acquiring new customers, enhancing the profitability of customers the firm "
        "already has, and retaining the profitable ones. Because the aim changes from phase to phase, so do "
        "the strategies: differentiation and innovation win customers, cross-selling and a lower cost to "
        "serve deepen the relationship, and listening and adaptation keep it."
    ),
    definition_fa=(
        "کالاکوتا و رابینسون رابطه با مشتری را به سه مرحله تقسیم می‌کنند که هر کدام تمرکز سازمانی "
        "متفاوتی می‌خواهد: جذب مشتریان جدید، ارتقای سودآوری مشتریان موجود، و حفظ مشتریان سودآور. "
        "چون هدف از مرحله‌ای به مرحلهٔ دیگر تغییر می‌کند، استراتژی‌ها هم تغییر می‌کنند: متمایزسازی و "
        "نوآوری مشتری را جذب می‌کند، فروش متقاطع و کاهش هزینهٔ خدمت رابطه را عمیق‌تر می‌کند، و گوش "
        "دادن به مشتری و انطباق با او رابطه را حفظ می‌کند."
    ),
    source="Kalakota & Robinson (2001)",
    source_fa="کالاکوتا و رابینسون (۲۰۰۱)",
    references=_cite("kalakota_robinson_2001"),
    layout="phases",
    subtitle_en="three phases, each with its own focus and strategies",
    subtitle_fa="سه مرحله، هر کدام با تمرکز و استراتژی\u200cهای خاص خود",
    note_en="Persian theses usually cite this model as Kalakota (2000) or Kalakota & Robinson (1999/2001).",
    note_fa="پایان‌نامه‌های فارسی این الگو را معمولاً با عنوان کالاکوتا (۲۰۰۰) یا کالاکوتا و رابینسون ارجاع می‌دهند.",
    stages=(
        Stage(
            "acquire",
            "Acquire",
            "جذب",
            "Win new customers by offering something better or different from competitors: product "
            "leadership, convenience and innovation.",
            "به دست آوردن مشتریان جدید با عرضهٔ چیزی بهتر یا متفاوت از رقبا: رهبری محصول، راحتی و نوآوری.",
            caption_en="new customers",
            caption_fa="مشتریان جدید",
            details_en=("differentiation", "innovation: new products"),
            details_fa=("متمایزسازی", "نوآوری: عرضهٔ محصولات جدید"),
            toolkit=("crm.lifecycle_phases", "crm.prospecting_report", "crm.response_model", "crm.segment"),
        ),
        Stage(
            "enhance",
            "Enhance",
            "ارتقا",
            "Make existing customers more profitable: cross-selling and up-selling, bundling products, and "
            "lowering the cost of serving them (for example through self-service).",
            "سودآورتر کردن مشتریان موجود: فروش متقاطع و ارتقایی، عرضهٔ بسته‌ای محصولات، و کاهش هزینهٔ "
            "خدمت‌رسانی به آن‌ها (برای نمونه با خودخدمتی).",
            caption_en="more profit per customer",
            caption_fa="سودآوری بیشتر هر مشتری",
            details_en=("bundling, cross-selling", "lower cost to serve"),
            details_fa=("دسته‌بندی محصولات، فروش متقاطع", "کاهش هزینهٔ خدمت به مشتری"),
            toolkit=("crm.lifecycle_phases", "crm.cross_sell_matrix", "crm.clv", "crm.rfm"),
        ),
        Stage(
            "retain",
            "Retain",
            "حفظ",
            "Keep the profitable customers by listening to them and adapting the offer to what they need, "
            "before they think of leaving.",
            "نگه داشتن مشتریان سودآور با گوش دادن به آن‌ها و تطبیق پیشنهاد با نیازشان، پیش از آنکه به "
            "ترک رابطه فکر کنند.",
            caption_en="keep the profitable ones",
            caption_fa="نگه داشتن مشتریان سودآور",
            details_en=("adaptation", "listening to the customer"),
            details_fa=("انطباق", "گوش دادن به مشتری"),
            toolkit=("crm.lifecycle_phases", "crm.define_churn", "crm.churn_model", "crm.winback_effect",
                     "crm.fit_bgnbd"),
        ),
    ),
)

WINER = Framework(
    key="winer",
    name_en="Winer's seven-step CRM framework",
    name_fa="مدل هفت مرحله‌ای وینر (راسل)",
    definition_en=(
        "Winer lays out CRM as a sequence of seven components: build a customer database, analyse it, select "
        "the customers to target, target them with direct rather than mass marketing, run relationship "
        "programmes that raise satisfaction, deal with customers' privacy concerns, and measure the results. "
        "The framework was written with the web in mind and ties the technical side (data, analysis) to the "
        "marketing side (selection, programmes) and to accountability (metrics)."
    ),
    definition_fa=(
        "وینر مدیریت ارتباط با مشتری را زنجیره‌ای از هفت جزء می‌داند: ایجاد پایگاه دادهٔ مشتری، تجزیه و "
        "تحلیل آن، انتخاب مشتریان هدف، هدف‌گذاری آن‌ها با بازاریابی مستقیم به جای بازاریابی انبوه، اجرای "
        "برنامه‌های ایجاد ارتباط برای افزایش رضایت، رسیدگی به نگرانی‌های حریم شخصی مشتریان، و سنجش نتایج. "
        "این چارچوب با نگاه به وب نوشته شده و جنبهٔ فنی (داده و تحلیل) را به جنبهٔ بازاریابی (انتخاب و "
        "برنامه‌ها) و به پاسخ‌گویی (سنجه‌ها) پیوند می‌دهد."
    ),
    source="Winer (2001)",
    source_fa="وینر (۲۰۰۱)",
    references=_cite("winer_2001"),
    layout="steps",
    subtitle_en="seven steps of CRM (cited as Russel, 2001, in many Persian theses)",
    subtitle_fa="هفت مرحلهٔ مدیریت ارتباط با مشتری (در بسیاری از پایان\u200cنامه\u200cها: راسل، ۲۰۰۱)",
    note_en=(
        "Many Persian theses cite this model as 'Russel (2001)' and list only its first six steps; the "
        "citable source is Winer (2001) in California Management Review, whose seventh component is metrics."
    ),
    note_fa=(
        "بسیاری از پایان‌نامه‌های فارسی این مدل را با نام «راسل (۲۰۰۱)» و تنها با شش مرحلهٔ نخست آورده‌اند؛ "
        "منبع قابل استناد مقالهٔ وینر (۲۰۰۱) در California Management Review است که جزء هفتم آن سنجه‌هاست."
    ),
    stages=(
        Stage(
            "database",
            "Customer database",
            "ایجاد پایگاه داده",
            "Build a customer database with five kinds of data: transactions (with price paid and delivery "
            "date), contacts started by either side, descriptive data for segmentation, responses to marketing "
            "stimuli, and any other data collected.",
            "ساختن پایگاه دادهٔ مشتری با پنج دسته داده: مبادلات (با قیمت پرداختی و تاریخ تحویل)، تماس‌هایی "
            "که هر یک از دو طرف آغاز کرده، اطلاعات توصیفی برای بخش‌بندی، پاسخ به محرک‌های بازاریابی، و "
            "سایر داده‌های گردآوری‌شده.",
            caption_en="transactions, contacts, descriptors, responses",
            caption_fa="مبادلات، تماس‌ها، اطلاعات توصیفی، پاسخ‌ها",
            toolkit=("crm.CustomerDatabase", "crm.load_dataset", "crm.resolve_duplicates"),
        ),
        Stage(
            "analysis",
            "Analysis",
            "تجزیه و تحلیل داده‌ها",
            "Analyse the database to define customer segments (cluster and discriminant analysis) and to "
            "value each customer by present and future profitability: customer lifetime value.",
            "تحلیل پایگاه داده برای تعریف بخش‌های مشتریان (تحلیل خوشه‌ای و تحلیل تشخیصی) و برای ارزش‌گذاری "
            "هر مشتری بر پایهٔ سودآوری حال و آینده: ارزش طول عمر مشتری.",
            caption_en="segments and lifetime value",
            caption_fa="بخش‌ها و ارزش طول عمر مشتری",
            toolkit=("crm.summarize_transactions", "crm.rfm", "crm.segment", "crm.discriminant", "crm.clv",
                     "crm.fit_bgnbd"),
        ),
        Stage(
            "selection",
            "Customer selection",
            "انتخاب مشتری",
            "Choose which customers the marketing programmes will aim at: those expected to bring the most "
            "profit over the long run, which needs the profitability analysis of the step before.",
            "تعیین اینکه برنامه‌های بازاریابی کدام مشتریان را هدف بگیرند: مشتریانی که انتظار می‌رود در "
            "بلندمدت بیشترین سود را بیاورند؛ این کار به تحلیل سودآوری مرحلهٔ پیش نیاز دارد.",
            caption_en="most long-run profit",
            caption_fa="بیشترین سود بلندمدت",
            toolkit=("crm.clv", "crm.segment"),
        ),
        Stage(
            "targeting",
            "Targeting",
            "هدف‌گذاری مشتریان",
            "Reach the selected customers with direct marketing (personalised e-mail, direct mail, sales "
            "calls) instead of mass media.",
            "رسیدن به مشتریان انتخاب‌شده با بازاریابی مستقیم (ایمیل شخصی‌شده، نامهٔ مستقیم، تماس فروش) به "
            "جای رسانه‌های انبوه.",
            caption_en="direct, not mass, marketing",
            caption_fa="بازاریابی مستقیم به جای انبوه",
            toolkit=("crm.response_model", "crm.uplift_model", "crm.campaign_test", "crm.gains_table"),
        ),
        Stage(
            "relationship_programmes",
            "Relationship programmes",
            "برنامه‌های ایجاد ارتباط",
            "Raise satisfaction and loyalty with customisation, community building, loyalty and "
            "repeat-purchase programmes, customer service and rewards.",
            "افزایش رضایت و وفاداری با سفارشی‌سازی، کانون‌سازی (ساختن اجتماع مشتریان)، برنامه‌های وفاداری و "
            "خرید مجدد، خدمت به مشتری و پاداش.",
            caption_en="service, loyalty, rewards, community",
            caption_fa="خدمت، وفاداری، پاداش، کانون‌سازی",
            toolkit=("crm.next_best_offer", "crm.cross_sell_matrix", "crm.winback_effect", "crm.churn_model"),
        ),
        Stage(
            "privacy",
            "Privacy",
            "مسائل حریم شخصی",
            "Respect customers' privacy: unwanted e-mail (spam) and the fear that browsing and purchases are "
            "watched can undo the relationship the other steps build.",
            "رعایت حریم شخصی مشتریان: ایمیل‌های ناخواسته و ترس از زیر نظر بودن گشت‌وگذار و خریدها می‌تواند "
            "رابطه‌ای را که مراحل دیگر ساخته‌اند از بین ببرد.",
            caption_en="spam, fear of being watched",
            caption_fa="ایمیل ناخواسته، ترس از زیر نظر بودن",
            toolkit=("crm.filter_consent", "crm.pseudonymise", "crm.k_anonymity", "crm.check_export"),
        ),
        Stage(
            "metrics",
            "Metrics",
            "سنجه‌ها",
            "Measure the success of the CRM programme with customer-centred measures (acquisition cost, "
            "retention, share of wallet, lifetime value, satisfaction) instead of product-centred ones.",
            "سنجش موفقیت برنامهٔ مدیریت ارتباط با مشتری با سنجه‌های مشتری‌محور (هزینهٔ جذب، نرخ حفظ، سهم "
            "از کیف پول مشتری، ارزش طول عمر، رضایت) به جای سنجه‌های محصول‌محور.",
            caption_en="customer-centred measures",
            caption_fa="سنجه‌های مشتری‌محور",
            toolkit=("crm.lifecycle_kpis", "crm.clv", "crm.cronbach_alpha", "crm.cfa", "crm.sem", "crm.hypotheses"),
        ),
    ),
)

SIX_ES = Framework(
    key="six_es",
    name_en="The six e's of e-CRM",
    name_fa="شش e کلیدی در مدیریت ارتباط با مشتری الکترونیکی",
    definition_en=(
        "The 'e' in e-CRM is read as six things, not only 'electronic': the electronic channels themselves, the "
        "enterprise as a whole taking part, the empowerment of customers who choose how and when to talk to "
        "the firm, the economics of spending where the return is highest, the evaluation of programmes across "
        "channels, and the use of external information from outside the firm. A firm that attends to all six "
        "has a complete e-CRM system rather than a website with a contact form."
    ),
    definition_fa=(
        "حرف e در مدیریت ارتباط با مشتری الکترونیکی تنها به معنای «الکترونیکی» نیست و شش معنا دارد: خود "
        "کانال‌های الکترونیکی، مشارکت کل تشکیلات شرکت، توانمندسازی مشتری که خودش تعیین می‌کند کی و چگونه "
        "با سازمان ارتباط بگیرد، اقتصاد هزینه کردن در جایی که بیشترین بازده را دارد، ارزیابی برنامه‌ها در "
        "همهٔ کانال‌ها، و بهره‌گیری از اطلاعات خارج از شرکت. سازمانی که به هر شش توجه کند یک نظام کامل "
        "مدیریت ارتباط با مشتری الکترونیکی دارد، نه فقط وب‌سایتی با فرم تماس."
    ),
    source="Practitioner e-CRM literature (c. 2000); e-CRM: Pan & Lee (2003)",
    source_fa="ادبیات حرفه‌ای مدیریت ارتباط با مشتری الکترونیکی (حدود ۲۰۰۰)؛ پن و لی (۲۰۰۳)",
    references=_cite("pan_lee_2003", "chen_popovich_2003"),
    layout="hub",
    subtitle_en="six meanings of the 'e' in e-CRM",
    subtitle_fa="شش معنای e در مدیریت ارتباط با مشتری الکترونیکی",
    center_en="e-CRM",
    center_fa="مدیریت ارتباط\nبا مشتری\nالکترونیکی",
    note_en=(
        "The six e's circulate in e-CRM textbooks, course notes and Persian theses; we know of no peer-reviewed "
        "original, so cite the textbook or thesis you took them from and Pan & Lee (2003) for e-CRM itself. "
        "The construct links (OPR, ANL, EMP, SAT, LOY, DEL) are this toolkit's teaching mapping to the ecrm_survey "
        "dataset, not part of the original list."
    ),
    note_fa=(
        "شش e در کتاب‌های درسی و پایان‌نامه‌های فارسی تکرار شده‌اند و منبع داوری‌شدهٔ اصلی آن‌ها را "
        "نمی‌شناسیم؛ به کتاب یا پایان‌نامه‌ای که از آن برداشته‌اید ارجاع دهید. پیوند با سازه‌های پرسشنامه "
        "(OPR، ANL، EMP، SAT، LOY، DEL) نگاشت آموزشی این ابزار است."
    ),
    stages=(
        Stage(
            "electronic_channels",
            "Electronic channels",
            "کانال‌های الکترونیکی",
            "Web, e-mail, personal messaging and mobile channels make contact fast, interactive and cheap; "
            "the firm has to keep up with the pace they set.",
            "وب، ایمیل، پیام‌رسان شخصی و کانال‌های موبایل ارتباط با مشتری را سریع، تعاملی و کم‌هزینه "
            "می‌کنند و سازمان باید با سرعتی که این کانال‌ها ایجاد می‌کنند همراه شود.",
            caption_en="fast, interactive, cheap contact",
            caption_fa="ارتباط سریع، تعاملی و کم‌هزینه",
            toolkit=("crm.channel_report", "crm.summarize_transactions"),
            constructs=("OPR", "DEL"),
        ),
        Stage(
            "enterprise",
            "Enterprise",
            "تشکیلات شرکت",
            "The whole firm, not only marketing and sales, takes part in shaping the customer's experience, "
            "and senior managers use customer information to decide.",
            "کل شرکت، نه فقط بخش بازاریابی و فروش، در شکل دادن تجربهٔ مشتری سهیم است و مدیران ارشد با "
            "اطلاعات مشتری تصمیم می‌گیرند.",
            caption_en="the whole firm takes part",
            caption_fa="مشارکت همهٔ سازمان",
            toolkit=("crm.CustomerDatabase",),
            constructs=("OPR", "ANL"),
        ),
        Stage(
            "empowerment",
            "Empowerment",
            "توانمندسازی",
            "Customers now decide when, how often and through which channel they deal with the firm; e-CRM "
            "must offer information they find worth their attention.",
            "اکنون مشتری تعیین می‌کند کی، هر چند وقت یک بار و از چه کانالی با سازمان سروکار داشته باشد؛ "
            "مدیریت ارتباط با مشتری الکترونیکی باید اطلاعاتی عرضه کند که به توجه او بیرزد.",
            caption_en="the customer chooses when and how",
            caption_fa="مشتری زمان و شیوه را برمی‌گزیند",
            toolkit=("crm.cronbach_alpha", "crm.cfa"),
            constructs=("EMP",),
        ),
        Stage(
            "economics",
            "Economics",
            "اقتصاد",
            "Put money and effort where the return on customer investment is highest, which needs an estimate "
            "of what each customer is worth.",
            "سرمایه و تلاش در جایی به کار رود که بازده سرمایه‌گذاری روی مشتری بیشترین است؛ این کار به برآورد "
            "ارزش هر مشتری نیاز دارد.",
            caption_en="return on customer investment",
            caption_fa="بازگشت سرمایه‌گذاری روی مشتری",
            toolkit=("crm.clv", "crm.fit_bgnbd", "crm.break_even_rate"),
            constructs=("LOY",),
        ),
        Stage(
            "evaluation",
            "Evaluation",
            "ارزیابی",
            "Attribute customer behaviour to marketing programmes, follow interactions along all touchpoints, "
            "and compare the expected return with the actual one.",
            "نسبت دادن رفتار مشتری به برنامه‌های بازاریابی، دنبال کردن تعامل‌ها در همهٔ نقاط تماس، و "
            "مقایسهٔ بازده پیش‌بینی‌شده با بازده واقعی.",
            caption_en="measure programmes across channels",
            caption_fa="سنجش برنامه‌ها در همهٔ کانال‌ها",
            toolkit=("crm.campaign_test", "crm.qini_curve", "crm.sem", "crm.hypotheses"),
            constructs=("SAT", "LOY", "DEL"),
        ),
        Stage(
            "external_information",
            "External information",
            "اطلاعات خارج از شرکت",
            "Add data from outside the firm, such as third-party information networks and web profiling "
            "tools, to understand customers' needs better.",
            "افزودن داده‌هایی از بیرون شرکت، مانند شبکه‌های اطلاعاتی دیگران و نرم‌افزارهای مدیریت پروفایل "
            "مشتری، برای درک بهتر نیازهای مشتری.",
            caption_en="third-party data, web profiling",
            caption_fa="دادهٔ دیگران، پروفایل وب",
            toolkit=("crm.load_dataset",),
            constructs=("ANL",),
        ),
    ),
)

ECRM_TYPES = Framework(
    key="ecrm_types",
    name_en="Operational and analytical e-CRM",
    name_fa="مدیریت ارتباط با مشتری الکترونیکی عملیاتی و تحلیلی",
    definition_en=(
        "Operational e-CRM automates the customer-facing work of sales, marketing and service, so that every "
        "employee sees the same customer history. Analytical e-CRM captures, stores, processes, interprets and "
        "reports the data that the operational side collects, for example to segment customers. The two work "
        "in a loop: operational systems feed data to analysis, and the results of the analysis change how the "
        "operational systems treat each customer."
    ),
    definition_fa=(
        "مدیریت ارتباط با مشتری الکترونیکی عملیاتی کارهای رودررو با مشتری در فروش، بازاریابی و خدمات را "
        "خودکار می‌کند تا همهٔ کارکنان سابقهٔ یکسانی از مشتری ببینند. مدیریت ارتباط با مشتری الکترونیکی "
        "تحلیلی داده‌هایی را که بخش عملیاتی گرد می‌آورد به دست می‌آورد، ذخیره و پردازش و تفسیر می‌کند و "
        "گزارش می‌دهد، برای نمونه برای بخش‌بندی مشتریان. این دو در تعاملی دوطرفه‌اند: داده از بخش "
        "عملیاتی به تحلیل می‌رود و نتیجهٔ تحلیل رفتار بخش عملیاتی با هر مشتری را تغییر می‌دهد."
    ),
    source="Buttle & Maklan (2019); Pan & Lee (2003)",
    source_fa="باتل و مکلن (۲۰۱۹)؛ پن و لی (۲۰۰۳)",
    references=_cite("buttle_maklan_2019", "pan_lee_2003"),
    layout="pair",
    subtitle_en="two sides of e-CRM working in a loop",
    subtitle_fa="دو روی مدیریت ارتباط با مشتری الکترونیکی در یک چرخه",
    stages=(
        Stage(
            "operational",
            "Operational e-CRM",
            "مدیریت ارتباط با مشتری الکترونیکی عملیاتی",
            "Automates customer-facing processes: sales-force automation, marketing automation and service "
            "automation (enquiries, complaints, returns), sharing one customer history across staff.",
            "خودکارسازی فرآیندهای رودررو با مشتری: خودکارسازی نیروی فروش، خودکارسازی بازاریابی و خودکارسازی "
            "خدمات (درخواست اطلاعات، شکایت، کالای مرجوعی) با یک سابقهٔ مشترک از مشتری برای همهٔ کارکنان.",
            caption_en="runs the contacts",
            caption_fa="اجرای تماس‌ها",
            details_en=("sales-force automation", "marketing automation", "service automation"),
            details_fa=("خودکارسازی نیروی فروش", "خودکارسازی بازاریابی", "خودکارسازی خدمات"),
            toolkit=("crm.CustomerDatabase", "crm.channel_report", "crm.summarize_transactions"),
            constructs=("OPR",),
        ),
        Stage(
            "analytical",
            "Analytical e-CRM",
            "مدیریت ارتباط با مشتری الکترونیکی تحلیلی",
            "Captures, stores, processes, interprets and reports customer data from the operational side, "
            "segments customers and scores them, and sends the results back to the operational systems.",
            "داده‌های مشتری را از بخش عملیاتی به دست می‌آورد، ذخیره، پردازش و تفسیر می‌کند و گزارش می‌دهد، "
            "مشتریان را بخش‌بندی و امتیازدهی می‌کند و نتیجه را به سیستم‌های عملیاتی بازمی‌گرداند.",
            caption_en="learns from the contacts",
            caption_fa="یادگیری از تماس‌ها",
            details_en=("data warehouse and mining", "segmentation and scoring", "reports for managers"),
            details_fa=("انبار داده و داده‌کاوی", "بخش‌بندی و امتیازدهی", "گزارش برای مدیران"),
            toolkit=("crm.rfm", "crm.segment", "crm.clv", "crm.fit_bgnbd", "crm.churn_model", "crm.response_model"),
            constructs=("ANL",),
        ),
    ),
)

DESAI = Framework(
    key="desai",
    name_en="Desai et al.'s dynamic-capability view of CRM",
    name_fa="مدل مفهومی دسای و همکاران: قابلیت پویا در مدیریت ارتباط با مشتری",
    definition_en=(
        "Desai, Sahu and Sinha apply the dynamic-capability view of strategy to CRM: in a fast-changing "
        "market, static resources are not enough, and competitive CRM performance comes from the firm's "
        "ability to keep improving, innovating and reconfiguring its customer resources. They judge that "
        "performance from an internal and an external point of view, and treat the firm's IT competence as a "
        "moderator that strengthens the link between dynamic capability and performance."
    ),
    definition_fa=(
        "دسای، ساهو و سینها دیدگاه قابلیت‌های پویا را در مدیریت ارتباط با مشتری به کار می‌برند: در بازاری "
        "که به سرعت تغییر می‌کند منابع ایستا کافی نیستند و عملکرد رقابتی مدیریت ارتباط با مشتری از توان "
        "سازمان در بهبود، نوآوری و بازآرایی پیوستهٔ منابع مشتری‌اش سرچشمه می‌گیرد. آن‌ها این عملکرد را از "
        "دو دیدگاه داخلی و خارجی می‌سنجند و شایستگی فناوری اطلاعات سازمان را متغیر تعدیل‌گری می‌دانند که "
        "پیوند قابلیت پویا و عملکرد را قوی‌تر می‌کند."
    ),
    source="Desai, Sahu & Sinha (2007)",
    source_fa="دسای، ساهو و سینها (۲۰۰۷)",
    references=_cite("desai_2007", "teece_1997"),
    layout="moderation",
    subtitle_en="dynamic capability drives competitive CRM performance",
    subtitle_fa="قابلیت پویا، محرک عملکرد رقابتی مدیریت ارتباط با مشتری",
    note_en="Persian sources spell the name 'Dasai' (داسایی); the article is Desai, Sahu & Sinha (2007) in Vikalpa.",
    note_fa="در منابع فارسی نام به صورت «داسایی» آمده است؛ مقاله از دسای، ساهو و سینها (۲۰۰۷) در مجلهٔ Vikalpa است.",
    stages=(
        Stage(
            "dynamic_capability",
            "CRM dynamic capability",
            "قابلیت پویا در مدیریت ارتباط با مشتری",
            "The firm's ability to keep improving, innovating and reconfiguring its CRM resources and processes "
            "to match a changing business environment; the key resource of the model.",
            "توان سازمان در بهبود، نوآوری و بازآرایی پیوستهٔ منابع و فرآیندهای مدیریت ارتباط با مشتری "
            "متناسب با محیط کسب‌وکار در حال تغییر؛ منبع کلیدی این مدل.",
            caption_en="improve, innovate, reconfigure",
            caption_fa="بهبود، نوآوری، بازآرایی",
            toolkit=("crm.cronbach_alpha", "crm.cfa"),
        ),
        Stage(
            "it_competence",
            "IT competence",
            "شایستگی فناوری اطلاعات",
            "How well the firm knows, uses and operates information technology; in the model it moderates, "
            "that is strengthens or weakens, the effect of dynamic capability on performance.",
            "میزان دانش، به‌کارگیری و بهره‌برداری سازمان از فناوری اطلاعات؛ در این مدل اثر قابلیت پویا بر "
            "عملکرد را تعدیل می‌کند، یعنی قوی‌تر یا ضعیف‌تر می‌کند.",
            caption_en="moderator",
            caption_fa="متغیر تعدیل‌گر",
            toolkit=("crm.sem",),
        ),
        Stage(
            "performance_internal",
            "Competitive performance: internal view",
            "عملکرد رقابتی: دیدگاه داخلی",
            "CRM performance as the firm sees it from inside: how well its own CRM processes meet their goals.",
            "عملکرد مدیریت ارتباط با مشتری آن‌گونه که از درون سازمان دیده می‌شود: فرآیندهای خود سازمان تا "
            "چه اندازه به هدف‌هایشان می‌رسند.",
            caption_en="seen from inside the firm",
            caption_fa="از درون سازمان",
            toolkit=("crm.sem", "crm.hypotheses"),
        ),
        Stage(
            "performance_external",
            "Competitive performance: external view",
            "عملکرد رقابتی: دیدگاه خارجی",
            "CRM performance as it shows in the market: the firm's standing with customers compared with "
            "its competitors.",
            "عملکرد مدیریت ارتباط با مشتری آن‌گونه که در بازار دیده می‌شود: جایگاه سازمان نزد مشتریان در "
            "مقایسه با رقبا.",
            caption_en="seen from the market",
            caption_fa="از نگاه بازار",
            toolkit=("crm.sem", "crm.hypotheses"),
        ),
    ),
)

FRAMEWORKS: dict[str, Framework] = {
    fw.key: fw for fw in (IDIC, PAYNE, KALAKOTA, WINER, SIX_ES, ECRM_TYPES, DESAI)
}

# names a student may type for a framework
_ALIASES = {
    "peppers": "idic",
    "peppers_rogers": "idic",
    "payne_frow": "payne",
    "kalakota_robinson": "kalakota",
    "lifecycle": "kalakota",
    "russel": "winer",
    "russell": "winer",
    "six_e": "six_es",
    "6e": "six_es",
    "operational_analytical": "ecrm_types",
    "ecrm": "ecrm_types",
    "dasai": "desai",
}


def get_framework(name: str) -> Framework:
    """The framework called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`FRAMEWORKS` (``"idic"``, ``"payne"``, ``"kalakota"``,
        ``"winer"``, ``"six_es"``, ``"ecrm_types"``, ``"desai"``) or a common
        alias such as ``"russel"`` (Winer's model as cited in Persian theses).

    Returns
    -------
    Framework

    Examples
    --------
    >>> get_framework("Russel").source
    'Winer (2001)'
    """
    if isinstance(name, Framework):
        return name
    if isinstance(name, str):
        key = name.strip().lower().replace("-", "_").replace(" ", "_").replace("'", "")
        key = _ALIASES.get(key, key)
        if key in FRAMEWORKS:
            return FRAMEWORKS[key]
    check_choice(name, "name", list(FRAMEWORKS), func="get_framework")
    raise AssertionError("unreachable")  # check_choice raised


def list_frameworks() -> pd.DataFrame:
    """All frameworks in one table.

    Returns
    -------
    pandas.DataFrame
        One row per framework: ``key``, ``name_en``, ``name_fa``,
        ``n_stages``, ``stages_en`` (the stage names joined by " → "),
        ``source`` and ``layout``.
    """
    rows = [
        {
            "key": fw.key,
            "name_en": fw.name_en,
            "name_fa": fw.name_fa,
            "n_stages": len(fw.stages),
            "stages_en": " → ".join(s.name_en for s in fw.stages),
            "source": fw.source,
            "layout": fw.layout,
        }
        for fw in FRAMEWORKS.values()
    ]
    return pd.DataFrame(rows)


def references() -> pd.DataFrame:
    """Every work cited by the frameworks, the glossary and the foundations notebook.

    Returns
    -------
    pandas.DataFrame
        Columns ``key`` and ``reference`` (full reference, APA style), sorted by key.
    """
    return pd.DataFrame(sorted(REFERENCES.items()), columns=["key", "reference"])


def toolkit_map() -> pd.DataFrame:
    """Which toolkit function serves which stage of which framework.

    Returns
    -------
    pandas.DataFrame
        One row per (framework, stage, function): ``framework``, ``stage``,
        ``stage_en``, ``function`` (e.g. ``"crm.rfm"``) and ``available``
        (True when the name is a public name of this version of the toolkit).
    """
    import crm_research

    public = set(crm_research.__all__)
    rows = [
        {
            "framework": fw.key,
            "stage": s.key,
            "stage_en": s.name_en,
            "function": f,
            "available": f.removeprefix("crm.") in public,
        }
        for fw in FRAMEWORKS.values()
        for s in fw.stages
        for f in s.toolkit
    ]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Mass marketing vs CRM vs e-CRM
# ---------------------------------------------------------------------------

_COMPARISON = [
    # (aspect_en, aspect_fa, mass_en, mass_fa, crm_en, crm_fa, ecrm_en, ecrm_fa)
    (
        "Unit of attention", "کانون توجه",
        "the product and the market as a whole", "محصول و کل بازار",
        "the individual customer and segment", "مشتری و بخش مشتریان",
        "the individual customer in every channel", "مشتری در همهٔ کانال‌ها",
    ),
    (
        "Goal", "هدف",
        "volume: as many sales as possible", "حجم فروش هر چه بیشتر",
        "long-run value of each relationship", "ارزش بلندمدت هر رابطه",
        "long-run value at lower cost per contact", "ارزش بلندمدت با هزینهٔ کمتر هر تماس",
    ),
    (
        "Customer records", "سوابق مشتری",
        "little or none", "ناچیز یا هیچ",
        "customer database with purchase and contact history", "پایگاه دادهٔ مشتری با سابقهٔ خرید و تماس",
        "the database plus web behaviour (cookies, clicks)", "پایگاه داده به همراه رفتار وب (کوکی‌ها، کلیک‌ها)",
    ),
    (
        "Analysis", "تحلیل",
        "broad demographic groups", "گروه‌های کلی جمعیت‌شناختی",
        "analysis of customer tiers, RFM, lifetime value", "تحلیل سطوح مشتریان، RFM، ارزش طول عمر",
        "real-time analytics and data mining", "تحلیل بی‌درنگ و داده‌کاوی",
    ),
    (
        "Contact", "ارتباط",
        "one-way mass media", "رسانه‌های انبوه یک‌طرفه",
        "contact-centre management, direct marketing", "مدیریت مرکز تماس، بازاریابی مستقیم",
        "web, e-mail, wireless and self-service, integrated", "وب، ایمیل، ارتباطات بی‌سیم و خودخدمتی به شکل یکپارچه",
    ),
    (
        "Automation", "خودکارسازی",
        "none", "ندارد",
        "sales and marketing automation, automatic response", "خودکارسازی فروش و بازاریابی، پاسخ خودکار",
        "the same, linked to ERP and e-commerce", "همان، متصل به ERP و تجارت الکترونیکی",
    ),
    (
        "Who decides when to talk", "چه کسی زمان ارتباط را تعیین می‌کند",
        "the firm", "سازمان",
        "mostly the firm", "بیشتر سازمان",
        "the customer (empowerment)", "مشتری (توانمندسازی)",
    ),
    (
        "Typical measure of success", "سنجهٔ رایج موفقیت",
        "market share, reach", "سهم بازار، دامنهٔ پوشش",
        "retention, share of wallet, CLV", "نرخ حفظ، سهم از کیف پول، ارزش طول عمر",
        "CLV and cost per contact by channel", "ارزش طول عمر و هزینهٔ هر تماس به تفکیک کانال",
    ),
]


def comparison_table(lang: str = "en") -> pd.DataFrame:
    """Mass (traditional) marketing vs CRM vs e-CRM, aspect by aspect.

    Parameters
    ----------
    lang : {"en", "fa", "both"}
        Language of the cells.  ``"both"`` gives six columns, English and
        Persian side by side.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``aspect``; columns ``mass_marketing``, ``crm``, ``ecrm``
        (with ``_en`` / ``_fa`` suffixes when ``lang="both"``).

    Notes
    -----
    Compiled for the toolkit from the CRM and e-CRM capabilities listed in
    Persian e-CRM theses and from Chen & Popovich (2003), Pan & Lee (2003)
    and Peppers & Rogers (2004).
    """
    lang = check_choice(lang, "lang", ("en", "fa", "both"), func="comparison_table")
    cols = ["aspect_en", "aspect_fa", "mass_en", "mass_fa", "crm_en", "crm_fa", "ecrm_en", "ecrm_fa"]
    full = pd.DataFrame(_COMPARISON, columns=cols)
    if lang == "both":
        out = full.rename(
            columns={
                "mass_en": "mass_marketing_en", "mass_fa": "mass_marketing_fa",
            }
        ).set_index("aspect_en")
        out.index.name = "aspect"
        return out
    sub = full[[f"aspect_{lang}", f"mass_{lang}", f"crm_{lang}", f"ecrm_{lang}"]]
    sub.columns = ["aspect", "mass_marketing", "crm", "ecrm"]
    return sub.set_index("aspect")


# ---------------------------------------------------------------------------
# Glossary
# ---------------------------------------------------------------------------

_GLOSSARY = [
    # (term_en, term_fa, definition_en, definition_fa, reference key)
    (
        "Customer relationship management (CRM)", "مدیریت ارتباط با مشتری",
        "A strategic approach that uses customer data and technology to build long-term, profitable "
        "relationships with chosen customers.",
        "رویکردی راهبردی که با دادهٔ مشتری و فناوری، روابط بلندمدت و سودآور با مشتریان برگزیده می‌سازد.",
        "payne_frow_2005",
    ),
    (
        "Electronic CRM (e-CRM)", "مدیریت ارتباط با مشتری الکترونیکی",
        "CRM carried out through electronic channels (web, e-mail, mobile) with integrated customer data "
        "across all of them.",
        "مدیریت ارتباط با مشتری از راه کانال‌های الکترونیکی (وب، ایمیل، موبایل) با دادهٔ یکپارچهٔ مشتری "
        "در همهٔ آن‌ها.",
        "pan_lee_2003",
    ),
    (
        "Operational CRM", "مدیریت ارتباط با مشتری عملیاتی",
        "The part of CRM that automates customer-facing sales, marketing and service processes.",
        "بخشی از مدیریت ارتباط با مشتری که فرآیندهای رودررو با مشتری در فروش، بازاریابی و خدمات را خودکار "
        "می‌کند.",
        "buttle_maklan_2019",
    ),
    (
        "Analytical CRM", "مدیریت ارتباط با مشتری تحلیلی",
        "The part of CRM that stores, analyses and reports customer data to guide decisions.",
        "بخشی از مدیریت ارتباط با مشتری که دادهٔ مشتری را ذخیره، تحلیل و گزارش می‌کند تا تصمیم‌ها را "
        "هدایت کند.",
        "buttle_maklan_2019",
    ),
    (
        "Relationship marketing", "بازاریابی رابطه‌مند",
        "Marketing aimed at attracting, keeping and strengthening long-term, mutually beneficial customer "
        "relationships; the theoretical root of CRM.",
        "بازاریابی با هدف جذب، حفظ و تقویت روابط بلندمدت و سودمند برای هر دو طرف؛ ریشهٔ نظری مدیریت "
        "ارتباط با مشتری.",
        "berry_1983",
    ),
    (
        "Social exchange theory", "نظریهٔ تبادل اجتماعی",
        "People keep a relationship while the benefits they receive outweigh its costs; customers return "
        "loyalty for value received.",
        "افراد تا زمانی در رابطه می‌مانند که منافع آن از هزینه‌هایش بیشتر باشد؛ مشتری در برابر ارزش "
        "دریافتی وفاداری می‌دهد.",
        "blau_1964",
    ),
    (
        "Resource-based view", "دیدگاه مبتنی بر منابع",
        "Lasting competitive advantage comes from resources that are valuable, rare and hard to copy, such "
        "as customer knowledge.",
        "مزیت رقابتی پایدار از منابع ارزشمند، کمیاب و دشوار برای تقلید، مانند دانش مشتری، به دست می‌آید.",
        "barney_1991",
    ),
    (
        "Dynamic capability", "قابلیت پویا",
        "A firm's ability to integrate, build and reconfigure its competences to match a changing "
        "environment.",
        "توان سازمان در یکپارچه‌سازی، ساختن و بازآرایی شایستگی‌هایش متناسب با محیط در حال تغییر.",
        "teece_1997",
    ),
    (
        "Customer value", "ارزش مشتری",
        "The customer's overall judgement of what they get from an offer relative to what they give up "
        "for it.",
        "ارزیابی کلی مشتری از آنچه از یک پیشنهاد به دست می‌آورد در برابر آنچه برای آن از دست می‌دهد.",
        "zeithaml_1988",
    ),
    (
        "Customer lifetime value (CLV)", "ارزش طول عمر مشتری",
        "The present value of the future profits a customer is expected to bring over the whole "
        "relationship.",
        "ارزش فعلی سودهای آینده‌ای که انتظار می‌رود مشتری در کل دورهٔ رابطه برای سازمان بیاورد.",
        "gupta_2006",
    ),
    (
        "Technology acceptance model (TAM)", "مدل پذیرش فناوری",
        "People adopt a technology when they find it useful and easy to use; used to study CRM system "
        "adoption.",
        "افراد فناوری را وقتی می‌پذیرند که آن را سودمند و آسان بیابند؛ برای بررسی پذیرش سیستم‌های "
        "مدیریت ارتباط با مشتری به کار می‌رود.",
        "davis_1989",
    ),
    (
        "Service-dominant logic", "منطق غالب خدمات",
        "Value is created together with the customer in use, not delivered inside a product.",
        "ارزش در هنگام استفاده و همراه با مشتری خلق می‌شود، نه اینکه درون محصول تحویل داده شود.",
        "vargo_lusch_2004",
    ),
    (
        "Trust", "اعتماد",
        "Confidence in the reliability and integrity of the other party in an exchange.",
        "اطمینان به قابل اتکا بودن و درستکاری طرف دیگر مبادله.",
        "morgan_hunt_1994",
    ),
    (
        "Commitment", "تعهد",
        "The wish to keep a valued relationship going, worth effort to maintain.",
        "تمایل به ادامهٔ رابطه‌ای ارزشمند که ارزش تلاش برای نگه داشتن دارد.",
        "morgan_hunt_1994",
    ),
    (
        "Information systems success", "موفقیت سیستم‌های اطلاعاتی",
        "System, information and service quality drive use, user satisfaction and net benefits of an "
        "information system such as CRM.",
        "کیفیت سیستم، اطلاعات و خدمات، استفاده، رضایت کاربر و منافع خالص یک سیستم اطلاعاتی مانند "
        "مدیریت ارتباط با مشتری را تعیین می‌کند.",
        "delone_mclean_2003",
    ),
    (
        "Segmentation", "بخش‌بندی مشتریان",
        "Dividing customers into groups with similar needs, behaviour or value.",
        "تقسیم مشتریان به گروه‌هایی با نیاز، رفتار یا ارزش مشابه.",
        "smith_1956",
    ),
    (
        "Targeting", "هدف‌گذاری",
        "Choosing which segments or customers a marketing programme will serve.",
        "انتخاب بخش‌ها یا مشتریانی که برنامهٔ بازاریابی به آن‌ها خدمت می‌کند.",
        "winer_2001",
    ),
    (
        "Customer experience management", "مدیریت تجربهٔ مشتری",
        "Designing and managing every touchpoint so that the customer's total experience is consistent and "
        "good.",
        "طراحی و مدیریت همهٔ نقاط تماس تا تجربهٔ کلی مشتری یکدست و خوب باشد.",
        "meyer_schwager_2007",
    ),
    (
        "Customer acquisition", "جذب مشتری",
        "Winning new customers; the first phase of the CRM lifecycle.",
        "به دست آوردن مشتریان جدید؛ نخستین مرحلهٔ چرخهٔ حیات مدیریت ارتباط با مشتری.",
        "kalakota_robinson_2001",
    ),
    (
        "Customer retention", "حفظ مشتری",
        "Keeping existing customers buying; small gains in retention can raise profit a lot.",
        "نگه داشتن مشتریان موجود در چرخهٔ خرید؛ افزایش اندک نرخ حفظ می‌تواند سود را بسیار بالا ببرد.",
        "reichheld_sasser_1990",
    ),
    (
        "Churn", "ریزش مشتری",
        "Customers ending the relationship or becoming inactive; the opposite of retention.",
        "پایان دادن مشتری به رابطه یا غیرفعال شدن او؛ نقطهٔ مقابل حفظ مشتری.",
        "buttle_maklan_2019",
    ),
    (
        "Cross-selling", "فروش متقاطع",
        "Selling complementary products to an existing customer.",
        "فروش محصولات مکمل به مشتری موجود.",
        "kalakota_robinson_2001",
    ),
    (
        "Up-selling", "فروش ارتقایی",
        "Selling an existing customer a higher-grade version of what they buy.",
        "فروش نسخهٔ بالاتر و گران‌تر محصولی که مشتری می‌خرد به همان مشتری.",
        "kalakota_robinson_2001",
    ),
    (
        "Loyalty", "وفاداری",
        "A customer's repeated buying and favourable attitude towards the firm over time.",
        "خرید تکراری و نگرش مثبت مشتری به سازمان در طول زمان.",
        "morgan_hunt_1994",
    ),
    (
        "Customer satisfaction", "رضایت مشتری",
        "How far the customer's experience meets or exceeds what they expected.",
        "میزانی که تجربهٔ مشتری با انتظارش برابر است یا از آن فراتر می‌رود.",
        "winer_2001",
    ),
    (
        "RFM analysis", "تحلیل تازگی، تکرار و ارزش پولی (RFM)",
        "Scoring customers by how recently, how often and how much they bought.",
        "امتیازدهی مشتریان بر پایهٔ تازگی آخرین خرید، تعداد خریدها و مبلغ خرید.",
        "hughes_1994",
    ),
    (
        "Customer database", "پایگاه دادهٔ مشتری",
        "One store of each customer's transactions, contacts, descriptors and responses to marketing.",
        "یک مخزن واحد از مبادلات، تماس‌ها، اطلاعات توصیفی و پاسخ‌های هر مشتری به بازاریابی.",
        "winer_2001",
    ),
    (
        "Multichannel integration", "ادغام چندکاناله",
        "Joining all channels so that the customer meets one firm with one view of them everywhere.",
        "یکپارچه کردن همهٔ کانال‌ها تا مشتری در همه جا با یک سازمان و یک تصویر واحد از خود روبه‌رو شود.",
        "payne_frow_2005",
    ),
    (
        "Sales-force automation", "خودکارسازی نیروی فروش",
        "Software that automates contact, lead and sales management for the sales team.",
        "نرم‌افزاری که مدیریت تماس، سرنخ‌های فروش و فروش را برای تیم فروش خودکار می‌کند.",
        "buttle_maklan_2019",
    ),
    (
        "Contact centre", "مرکز تماس",
        "A unit that handles customer contacts by phone, chat and e-mail.",
        "واحدی که تماس‌های مشتریان را از راه تلفن، گفت‌وگوی برخط و ایمیل پاسخ می‌دهد.",
        "buttle_maklan_2019",
    ),
    (
        "Self-service", "خودخدمتی",
        "Customers serve themselves through the web, an app or a kiosk, at a fraction of the cost of a "
        "staffed contact.",
        "مشتری از راه وب، اپلیکیشن یا کیوسک به خودش خدمت می‌دهد، با کسری از هزینهٔ تماس با کارکنان.",
        "pan_lee_2003",
    ),
    (
        "Customer empowerment", "توانمندسازی مشتری",
        "Customers, not the firm, choose when, how and through which channel they interact.",
        "مشتری، نه سازمان، تعیین می‌کند کی، چگونه و از کدام کانال تعامل کند.",
        "pan_lee_2003",
    ),
    (
        "Privacy", "حریم شخصی",
        "The customer's control over data about them and over unwanted contact.",
        "اختیار مشتری بر داده‌های مربوط به خودش و بر تماس‌های ناخواسته.",
        "winer_2001",
    ),
    (
        "Data mining", "داده‌کاوی",
        "Finding patterns in large customer data sets, for example to score or segment customers.",
        "یافتن الگو در داده‌های حجیم مشتریان، برای نمونه برای امتیازدهی یا بخش‌بندی آن‌ها.",
        "buttle_maklan_2019",
    ),
    (
        "Customer equity", "ارزش ویژهٔ مشتری",
        "The sum of the lifetime values of all current and future customers of a firm.",
        "مجموع ارزش طول عمر همهٔ مشتریان کنونی و آیندهٔ سازمان.",
        "gupta_2006",
    ),
    (
        "Repeat-buying model (BG/NBD)", "مدل خرید تکراری (BG/NBD)",
        "A probability model of how often customers buy and when they silently drop out, used to forecast "
        "purchases and CLV.",
        "مدلی احتمالی از دفعات خرید مشتریان و زمان کنار رفتن بی‌صدای آن‌ها که برای پیش‌بینی خرید و ارزش "
        "طول عمر به کار می‌رود.",
        "fader_2005",
    ),
]


def glossary(lang: str | None = None) -> pd.DataFrame:
    """Bilingual glossary of key CRM terms.

    Parameters
    ----------
    lang : {"en", "fa"}, optional
        Sort the rows by the English or the Persian term (default: the order of
        the glossary, from broad concepts to specific ones).

    Returns
    -------
    pandas.DataFrame
        Columns ``term_en``, ``term_fa``, ``definition_en``, ``definition_fa``
        and ``source`` (full reference of a work that defines or develops the
        term).
    """
    rows = [
        {
            "term_en": t_en,
            "term_fa": t_fa,
            "definition_en": d_en,
            "definition_fa": d_fa,
            "source": REFERENCES[ref],
        }
        for t_en, t_fa, d_en, d_fa, ref in _GLOSSARY
    ]
    out = pd.DataFrame(rows)
    if lang is not None:
        lang = check_lang(lang, func="glossary")
        out = out.sort_values(f"term_{lang}", ignore_index=True)
    return out


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------

_INK = "#222222"
_MUTED = "#555555"


def _tint(color: str, amount: float = 0.82):
    """``color`` mixed with white (amount 1 = white): a light box fill."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _shade(color: str, amount: float = 0.55):
    """``color`` mixed with black: a darker text colour that stays readable on the light box fill."""
    from matplotlib.colors import to_rgb

    return tuple(v * (1 - amount) for v in to_rgb(color))


def _on(color: str) -> str:
    """Text colour that reads on a ``color`` background (black on light colours, white on dark)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return _INK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 else "white"


def _wrap(text: str, width_in: float, size: float) -> str:
    """Wrap ``text`` to lines that fit ``width_in`` inches at font ``size`` points."""
    # an average DejaVu Sans glyph is about 0.55 em wide; keep a margin
    chars = max(6, int(width_in * 72 / (size * 0.6)))
    lines = []
    for paragraph in text.split("\n"):  # keep the caller's line breaks
        lines += textwrap.wrap(paragraph, chars, break_long_words=False) or [paragraph]
    return "\n".join(lines)


class _Canvas:
    """Axes in inches (1 data unit = 1 inch) with the house drawing primitives.

    ``x`` is given for the English layout; in Persian the canvas mirrors it
    (``width - x``) so that every flow reads right to left.
    """

    def __init__(self, fw: Framework, lang: str, width: float, height: float, ax=None):
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import font_family, persian_font

        self.fw, self.lang, self.width, self.height = fw, lang, width, height
        self.fa = lang == "fa"
        self._boxes = 0
        self.family = font_family(lang)
        self.font = persian_font() if self.fa else "DejaVu Sans"
        if ax is None:
            self.fig = plt.figure(figsize=(width, height))
            self.ax = self.fig.add_axes((0, 0, 1, 1))
        else:
            self.ax, self.fig = ax, ax.figure
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(0, height)
        self.ax.set_aspect("equal")
        self.ax.axis("off")

    # coordinates and text ---------------------------------------------------
    def x(self, x: float) -> float:
        return self.width - x if self.fa else x

    def t(self, en: str, fa: str) -> str:
        return fa if self.fa else en

    def digits(self, value) -> str:
        return to_persian_digits(str(value)) if self.fa else str(value)

    def text(self, x, y, s, size=10, weight="normal", color=_INK, ha="center", va="center", **kw):
        if ha in ("left", "right") and self.fa:
            ha = "right" if ha == "left" else "left"
        return self.ax.text(
            self.x(x), y, s, fontsize=size, fontweight=weight, color=color, ha=ha, va=va,
            family=self.family, multialignment="center" if ha == "center" else ha, **kw,
        )

    # shapes -------------------------------------------------------------------
    def box(self, cx, cy, w, h, color, title, caption="", details=(), title_size=11, caption_size=8.5, note="",
            fill=None, lw=1.6, style="round,pad=0,rounding_size=0.12"):
        """A rounded box with a bold title, an optional caption and bullet details, centred."""
        from matplotlib.patches import FancyBboxPatch

        patch = FancyBboxPatch(
            (self.x(cx) - w / 2, cy - h / 2), w, h, boxstyle=style,
            facecolor=fill if fill is not None else _tint(color), edgecolor=color, linewidth=lw, zorder=2,
        )
        self.ax.add_patch(patch)
        # the gid ties each label to its box, so tests can check that no text spills out
        self._boxes += 1
        gid = f"box-{self._boxes}"
        patch.set_gid(gid)
        inner = w - 0.25
        blocks = [(_wrap(title, inner, title_size), title_size, "bold", _INK)]
        if caption:
            blocks.append((_wrap(caption, inner, caption_size), caption_size, "normal", _MUTED))
        for item in details:
            blocks.append((_wrap("• " + item, inner, caption_size), caption_size, "normal", _INK))
        if note:
            blocks.append((_wrap(note, inner, caption_size), caption_size, "bold", _shade(color)))
        # stack the blocks vertically around the centre of the box
        heights = [(s.count("\n") + 1) * size * 1.3 / 72 for s, size, _, _ in blocks]
        gap = 0.06
        total = sum(heights) + gap * (len(blocks) - 1)
        top = cy + total / 2
        for (s, size, weight, color_), hgt in zip(blocks, heights, strict=True):
            self.ax.text(
                self.x(cx), top - hgt / 2, s, fontsize=size, fontweight=weight, color=color_,
                ha="center", va="center", multialignment="center", family=self.family, zorder=3,
                gid=f"{gid}-text",
            )
            top -= hgt + gap
        return patch

    def arrow(self, a, b, patch_a=None, patch_b=None, rad=0.0, color=_MUTED, both=False, lw=1.6, style=None):
        """An arrow from point ``a`` to ``b`` (English coordinates), clipped at the given patches."""
        from matplotlib.patches import FancyArrowPatch

        arrowstyle = style or ("<|-|>" if both else "-|>")
        # mirroring flips the turning direction of a curved arrow; keep the same visual curve
        rad = -rad if self.fa else rad
        arrow = FancyArrowPatch(
            (self.x(a[0]), a[1]), (self.x(b[0]), b[1]), patchA=patch_a, patchB=patch_b,
            arrowstyle=arrowstyle, mutation_scale=14, linewidth=lw, color=color,
            connectionstyle=f"arc3,rad={rad}", shrinkA=4, shrinkB=4, zorder=1,
        )
        self.ax.add_patch(arrow)
        return arrow

    def title(self):
        self.text(self.width / 2, self.height - 0.32, self.fw.name(self.lang), size=14, weight="bold")
        sub = self.t(self.fw.subtitle_en, self.fw.subtitle_fa)
        if sub:
            self.text(self.width / 2, self.height - 0.62, sub, size=9, color=_MUTED)

    def source(self):
        label = self.t("Source: ", "منبع: ") + (self.fw.source_fa if self.fa else self.fw.source)
        self.text(self.width / 2, 0.2, label, size=8, color=_MUTED, style="italic" if not self.fa else "normal")


def _draw(fw: Framework, lang: str, ax=None):
    drawer = {
        "cycle": _draw_cycle,
        "payne": _draw_payne,
        "phases": _draw_phases,
        "steps": _draw_steps,
        "hub": _draw_hub,
        "pair": _draw_pair,
        "moderation": _draw_moderation,
    }
    if fw.layout not in drawer:
        raise CRMInputError(f"Framework {fw.key!r} has layout {fw.layout!r}, which cannot be drawn.")
    from crm_research.core.plotting import style

    with style(lang):
        canvas = drawer[fw.layout](fw, lang, ax)
    return canvas.fig


def _draw_cycle(fw: Framework, lang: str, ax):
    import math

    W, H = 8.0, 7.0
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    cx, cy, r = W / 2, H / 2 - 0.25, 2.2
    n = len(fw.stages)
    patches = []
    w, h = 2.5, 1.15
    for i, s in enumerate(fw.stages):
        angle = math.pi / 2 - 2 * math.pi * i / n  # clockwise from the top (mirrored in Persian)
        x, y = cx + r * math.cos(angle) * 1.15, cy + r * math.sin(angle) * 0.9
        color = PALETTE[i % len(PALETTE)]
        label = f"{c.digits(i + 1)}. {s.name(lang)}"
        patches.append((x, y, c.box(x, y, w, h, color, label, c.t(s.caption_en, s.caption_fa))))
    for i in range(n):
        x0, y0, p0 = patches[i]
        x1, y1, p1 = patches[(i + 1) % n]
        c.arrow((x0, y0), (x1, y1), p0, p1, rad=-0.3, lw=2.0)
    c.text(cx, cy, c.t(fw.center_en, fw.center_fa), size=11, weight="bold", color=_MUTED)
    c.source()
    return c


def _draw_payne(fw: Framework, lang: str, ax):
    W, H = 10.5, 6.2
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    top, info, perf = fw.stages[:3], fw.stages[3], fw.stages[4]
    w, h, y = 2.9, 1.5, 3.85
    xs = [1.85, 5.25, 8.65]
    tops = []
    for i, (s, x) in enumerate(zip(top, xs, strict=True)):
        tops.append(c.box(x, y, w, h, PALETTE[i], s.name(lang), c.t(s.caption_en, s.caption_fa)))
    for i in range(2):
        c.arrow((xs[i], y), (xs[i + 1], y), tops[i], tops[i + 1], both=True, lw=2.0)
    span = xs[2] - xs[0] + w
    info_patch = c.box(W / 2, 2.1, span, 0.8, PALETTE[4], info.name(lang), c.t(info.caption_en, info.caption_fa),
                       title_size=10.5)
    c.box(W / 2, 1.0, span, 0.8, PALETTE[3], perf.name(lang), c.t(perf.caption_en, perf.caption_fa),
          title_size=10.5)
    for x, p in zip(xs, tops, strict=True):
        c.arrow((x, y), (x, 2.1), p, info_patch, both=True, lw=1.4)
    c.source()
    return c


def _draw_phases(fw: Framework, lang: str, ax):
    W, H = 10.0, 4.9
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    xs = [1.9, 5.0, 8.1]
    w = 2.6
    # row labels at the far edge, in the margin before the first column
    phase_patches = []
    for i, (s, x) in enumerate(zip(fw.stages, xs, strict=True)):
        color = PALETTE[i]
        phase_patches.append(c.box(x, 3.3, w, 1.05, color, s.name(lang), c.t(s.caption_en, s.caption_fa),
                                   title_size=12))
        details = s.details_fa if c.fa else s.details_en
        c.box(x, 1.45, w, 1.2, color, c.t("Strategies", "استراتژی‌ها"), details=details, title_size=9.5,
              caption_size=9, fill="white", lw=1.2, style="round,pad=0,rounding_size=0.08")
        c.arrow((x, 3.3), (x, 2.05), phase_patches[-1], None, lw=1.2, style="-")
    for i in range(2):
        c.arrow((xs[i], 3.3), (xs[i + 1], 3.3), phase_patches[i], phase_patches[i + 1], lw=2.2)
    c.source()
    return c


def _draw_steps(fw: Framework, lang: str, ax):
    n = len(fw.stages)
    step_h, gap = 0.78, 0.3
    W = 7.6
    H = 1.35 + n * step_h + (n - 1) * gap + 0.55
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    from matplotlib.patches import Circle

    w = 5.6
    cx = 0.95 + w / 2
    y = H - 1.3 - step_h / 2
    prev = None
    for i, s in enumerate(fw.stages):
        color = PALETTE[i % len(PALETTE)]
        patch = c.box(cx, y, w, step_h, color, s.name(lang), c.t(s.caption_en, s.caption_fa), title_size=10.5)
        circ = Circle((c.x(0.5), y), 0.26, facecolor=color, edgecolor="white", linewidth=1.5, zorder=3)
        c.ax.add_patch(circ)
        c.text(0.5, y, c.digits(i + 1), size=11, weight="bold", color=_on(color), zorder=4)
        if prev is not None:
            c.arrow((cx, y + step_h / 2 + gap), (cx, y + step_h / 2), None, None, lw=1.6)
        prev = patch
        y -= step_h + gap
    c.source()
    return c


def _draw_hub(fw: Framework, lang: str, ax):
    import math

    from matplotlib.patches import Circle

    W, H = 10.0, 7.6
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    cx, cy = W / 2, H / 2 - 0.3
    hub = Circle((cx, cy), 0.95, facecolor=_tint(PALETTE[0], 0.6), edgecolor=PALETTE[0], linewidth=2, zorder=2)
    c.ax.add_patch(hub)
    c.text(cx, cy, c.t(fw.center_en, fw.center_fa), size=12 if not c.fa else 9.5, weight="bold", zorder=3)
    n = len(fw.stages)
    w, h = 2.75, 1.2
    for i, s in enumerate(fw.stages):
        angle = math.pi / 2 - 2 * math.pi * i / n
        x, y = cx + 3.3 * math.cos(angle), cy + 2.35 * math.sin(angle)
        color = PALETTE[(i + 1) % len(PALETTE)]
        note = c.t("survey: ", "پرسشنامه: ") + c.t(", ", "، ").join(s.constructs) if s.constructs else ""
        p = c.box(x, y, w, h, color, f"{c.digits(i + 1)}. {s.name(lang)}", c.t(s.caption_en, s.caption_fa),
                  title_size=10.5, caption_size=8.3, note=note)
        c.arrow((cx, cy), (x, y), hub, p, lw=1.3, style="-")
    c.source()
    return c


def _draw_pair(fw: Framework, lang: str, ax):
    W, H = 10.0, 4.2
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    xs = [2.1, 7.9]
    w, h, y = 3.5, 2.3, 2.0
    patches = []
    for i, (s, x) in enumerate(zip(fw.stages, xs, strict=True)):
        details = s.details_fa if c.fa else s.details_en
        note = c.t("survey construct: ", "سازهٔ پرسشنامه: ") + ", ".join(s.constructs) if s.constructs else ""
        patches.append(c.box(x, y, w, h, PALETTE[i], s.name(lang), c.t(s.caption_en, s.caption_fa), details,
                             title_size=11.5, caption_size=9, note=note))
    # straight arrows across the gap, each labelled with what travels along it
    left_edge, right_edge = xs[0] + w / 2, xs[1] - w / 2
    c.arrow((left_edge, y + 0.45), (right_edge, y + 0.45), lw=2.0)
    c.arrow((right_edge, y - 0.45), (left_edge, y - 0.45), lw=2.0)
    c.text(W / 2, y + 0.72, c.t("customer data", "دادهٔ مشتری"), size=9, color=_MUTED)
    c.text(W / 2, y - 0.18, c.t("segments, scores", "بخش‌ها و امتیازها"), size=9, color=_MUTED)
    c.source()
    return c


def _draw_moderation(fw: Framework, lang: str, ax):
    from matplotlib.patches import FancyBboxPatch

    W, H = 10.0, 5.6
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    dc, it, p_in, p_ex = fw.stages
    y = 2.2
    left = c.box(1.85, y, 2.9, 1.5, PALETTE[0], dc.name(lang), c.t(dc.caption_en, dc.caption_fa))
    # competitive performance is one outcome seen from two sides: a frame holding both views
    fx, fw_, fh = 7.85, 3.5, 3.55
    frame = FancyBboxPatch((c.x(fx) - fw_ / 2, y - fh / 2), fw_, fh, boxstyle="round,pad=0,rounding_size=0.12",
                           facecolor="#F7F7F7", edgecolor="#999999", linewidth=1.2, linestyle="--", zorder=1)
    c.ax.add_patch(frame)
    c.text(fx, y + fh / 2 - 0.3, c.t("CRM competitive performance", "عملکرد رقابتی مدیریت ارتباط با مشتری"),
           size=10, weight="bold", color=_MUTED)
    c.box(fx, y + 0.55, 3.1, 1.05, PALETTE[2], p_in.name(lang), c.t(p_in.caption_en, p_in.caption_fa),
          title_size=10)
    c.box(fx, y - 0.9, 3.1, 1.05, PALETTE[3], p_ex.name(lang), c.t(p_ex.caption_en, p_ex.caption_fa),
          title_size=10)
    c.arrow((1.85, y), (fx, y), left, frame, lw=2.2)
    mod = c.box(4.7, 4.15, 2.4, 0.95, PALETTE[1], it.name(lang), c.t(it.caption_en, it.caption_fa), title_size=10)
    # a moderator points at the path it changes, not at a construct
    c.arrow((4.7, 4.15), (4.7, y + 0.04), mod, None, lw=1.5, color=PALETTE[1])
    c.text(4.85, 3.0, c.t("moderates", "تعدیل می‌کند"), size=8.5, color=PALETTE[1], ha="left")
    c.source()
    return c
