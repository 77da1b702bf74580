"""The CRM frameworks as data: stages, bilingual definitions, sources and diagrams.

Each classic model of Customer Relationship Management is a :class:`Framework`
object holding its stages (:class:`Stage`) with English and Persian names, a
short definition in each language, the academic source, and the toolkit
functions that serve each stage.  ``framework.diagram(lang="en" | "fa")`` draws
a publication-quality figure (:mod:`crm_research.frameworks.diagrams`); the
Persian figure is mirrored so that it reads right to left.

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
lists every work cited (also as the mapping ``REFERENCES``); :func:`toolkit_map`
lists which toolkit function serves which stage (and whether it exists yet in
this version).

The Persian names follow the terms used in Persian CRM theses and textbooks,
so that students find the words they already know.  All texts are our own
summaries; cite the original works listed in :func:`references`.

The content files
-----------------
The texts live in ``crm_research/frameworks/content/`` as YAML (UTF-8), one
file per framework (``idic.yaml`` ... ``desai.yaml``) plus ``references.yaml``
(key -> full reference), ``glossary.yaml`` and ``comparison.yaml``.  Every text
is a mapping ``{en: ..., fa: ...}`` and both languages are required.  A
framework file has the keys ``key`` (the file name), ``name``, ``layout`` (a
name in :data:`crm_research.frameworks.diagrams.LAYOUTS`), ``source``,
``references`` (keys of ``references.yaml``), ``subtitle``, ``definition`` and
``stages``, and optionally ``aliases``, ``center`` and ``note``; a stage has
``key``, ``name``, ``caption``, ``definition`` and ``toolkit`` (``crm.*``
names), and optionally ``details`` (two lists of equal length) and
``constructs``.  The files are read on first use (``import crm_research``
reads none of them), once per process, with :func:`yaml.safe_load`; a file
that is too large, uses YAML anchors or aliases, repeats a key or breaks these
rules raises :class:`~crm_research.core.errors.CRMInputError` naming the file
and the key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.plotting import check_lang
from crm_research.core.results import Summary
from crm_research.core.validation import check_choice
from crm_research.frameworks import diagrams

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# module constant -> framework file (without .yaml); the order is the order of FRAMEWORKS
_NAMED = {
    "IDIC": "idic",
    "PAYNE": "payne",
    "KALAKOTA": "kalakota",
    "WINER": "winer",
    "SIX_ES": "six_es",
    "ECRM_TYPES": "ecrm_types",
    "DESAI": "desai",
}

# the framework constants, FRAMEWORKS and REFERENCES are built from the content files on first access
# (module __getattr__ below), so importing this module reads no file
_LAZY = (*_NAMED, "FRAMEWORKS", "REFERENCES")

__all__ = [
    "Stage",
    "Framework",
    *_LAZY,
    "list_frameworks",
    "get_framework",
    "comparison_table",
    "glossary",
    "references",
    "toolkit_map",
]

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
        refs = _content().references
        return [refs[k] for k in self.references]

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
    def diagram(self, lang: str = "en", ax=None) -> Figure:
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
            :func:`crm_research.frameworks.diagrams.draw` does the drawing.

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
        return diagrams.draw(self, lang=lang, ax=ax)

    def plot(self, ax=None, lang: str = "en") -> Figure:
        """Same as :meth:`diagram`; returns the Figure."""
        return self.diagram(lang=lang, ax=ax)

    def toolkit_functions(self) -> list[str]:
        """Every toolkit function named by the stages, once, in order of appearance."""
        seen: list[str] = []
        for s in self.stages:
            seen += [f for f in s.toolkit if f not in seen]
        return seen


@dataclass(frozen=True)
class _GlossaryTerm:
    """One row of the glossary; ``source`` is a key of ``references.yaml``."""

    term_en: str
    term_fa: str
    definition_en: str
    definition_fa: str
    source: str


@dataclass(frozen=True)
class _Aspect:
    """One row of :func:`comparison_table`: an aspect and how each approach handles it."""

    aspect_en: str
    aspect_fa: str
    mass_en: str
    mass_fa: str
    crm_en: str
    crm_fa: str
    ecrm_en: str
    ecrm_fa: str


@dataclass(frozen=True)
class _Content:
    """Everything read from the content folder, checked and cross-referenced."""

    references: Mapping[str, str]
    frameworks: Mapping[str, Framework]
    aliases: Mapping[str, str]
    glossary: tuple[_GlossaryTerm, ...]
    comparison: tuple[_Aspect, ...]


# ---------------------------------------------------------------------------
# Reading the content files
# ---------------------------------------------------------------------------

_CONTENT_DIR = Path(__file__).with_name("content")

# the largest file is about 15 kB; a file a hundred times larger is not content someone typed
_MAX_BYTES = 1_000_000
_PERSIAN = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]")  # Arabic-script letters of Persian
_TOOLKIT_NAME = re.compile(r"crm\.[A-Za-z_]\w*")
_KEY = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class _File:
    """One content file: reads it and checks its values, naming the file and the key in every error."""

    path: Path

    def error(self, key: str, message: str) -> CRMInputError:
        where = f"key '{key}': " if key else ""
        return CRMInputError(f"Content file {self.path.name} ({self.path.parent}): {where}{message}")

    def read(self) -> Any:
        import yaml

        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise self.error("", f"cannot be read ({exc.strerror or exc}).") from None
        if size > _MAX_BYTES:
            raise self.error("", f"is {size:,} bytes; a content file may have at most {_MAX_BYTES:,}.")
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise self.error("", f"is not UTF-8 text ({exc}).") from None
        try:
            self._check_events(yaml.parse(text, Loader=yaml.SafeLoader))
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            raise self.error("", f"{where}not valid YAML ({getattr(exc, 'problem', None) or exc}).") from None

    def _check_events(self, events) -> None:
        """Refuse anchors, aliases and repeated keys, which ``safe_load`` would accept silently."""
        import yaml

        # one entry per open collection: the keys seen so far of a mapping (and whether a key comes
        # next), or None for a sequence
        stack: list[list | None] = []
        for event in events:
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise self.error("", f"line {line}: YAML anchors and aliases (& and *) are not allowed; "
                                     "write the text out in full.")
            top = stack[-1] if stack else None
            if isinstance(event, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if top is not None:
                    keys, expect_key = top
                    if expect_key and isinstance(event, yaml.ScalarEvent):
                        if event.value in keys:
                            raise self.error(event.value, f"line {line}: given twice in one mapping; YAML would "
                                                          "keep only the second.")
                        keys.add(event.value)
                    top[1] = not expect_key
                if isinstance(event, yaml.MappingStartEvent):
                    stack.append([set(), True])
                elif isinstance(event, yaml.SequenceStartEvent):
                    stack.append(None)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                stack.pop()

    # values ----------------------------------------------------------------
    def mapping(self, value: Any, key: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a mapping with the keys {', '.join(required)}; got {value!r:.60}.")
        missing = [k for k in required if k not in value]
        if missing:
            raise self.error(_join(key, missing[0]), "is required and missing.")
        unknown = [k for k in value if k not in required + optional]
        if unknown:
            raise self.error(_join(key, str(unknown[0])), "is not a known key; expected "
                             f"{', '.join(required + optional)}.")
        return value

    def text(self, value: Any, key: str, persian: bool = False, pattern: re.Pattern | None = None) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty text; got {value!r:.60}.")
        if persian and not _PERSIAN.search(value):
            raise self.error(key, f"expected Persian text; got {value!r:.60}.")
        if pattern is not None and not pattern.fullmatch(value):
            raise self.error(key, f"{value!r} does not match {pattern.pattern!r}.")
        return value

    def texts(self, value: Any, key: str, persian: bool = False, pattern: re.Pattern | None = None,
              empty: bool = False) -> tuple[str, ...]:
        if not isinstance(value, list) or not (value or empty):
            raise self.error(key, f"expected a list{'' if empty else ' of at least one item'}; got {value!r:.60}.")
        return tuple(self.text(v, f"{key}[{i}]", persian, pattern) for i, v in enumerate(value))

    def bilingual(self, value: Any, key: str) -> tuple[str, str]:
        both = self.mapping(value, key, ("en", "fa"))
        return self.text(both["en"], f"{key}.en"), self.text(both["fa"], f"{key}.fa", persian=True)

    def bilingual_lists(self, value: Any, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        both = self.mapping(value, key, ("en", "fa"))
        en, fa = self.texts(both["en"], f"{key}.en"), self.texts(both["fa"], f"{key}.fa", persian=True)
        if len(en) != len(fa):
            raise self.error(key, f"the en list has {len(en)} items and the fa list {len(fa)}; translate each item.")
        return en, fa


def _join(key: str, sub: str) -> str:
    return f"{key}.{sub}" if key else sub


def _read_references(file: _File) -> dict[str, str]:
    doc = file.read()
    if not isinstance(doc, dict) or not doc:
        raise file.error("", "expected a mapping of reference keys to full references.")
    for k in doc:
        if not isinstance(k, str) or not _KEY.fullmatch(k):
            raise file.error(str(k), "a reference key is lower-case letters, digits and _ (e.g. winer_2001).")
    return {k: file.text(v, k) for k, v in doc.items()}


def _cited(file: _File, value: Any, key: str, refs: Mapping[str, str]) -> tuple[str, ...]:
    keys = value if isinstance(value, list | tuple) else [value]
    for i, k in enumerate(keys):
        if k not in refs:
            at = f"{key}[{i}]" if isinstance(value, list | tuple) else key
            raise file.error(at, f"{k!r} is not a key of references.yaml.")
    return tuple(keys)


def _read_stage(file: _File, doc: Any, key: str) -> Stage:
    doc = file.mapping(doc, key, ("key", "name", "caption", "definition", "toolkit"), ("details", "constructs"))
    stage_key = file.text(doc["key"], f"{key}.key", pattern=_KEY)
    key = f"stages[{stage_key}]"
    details = file.bilingual_lists(doc["details"], f"{key}.details") if "details" in doc else ((), ())
    return Stage(
        stage_key,
        *file.bilingual(doc["name"], f"{key}.name"),
        *file.bilingual(doc["definition"], f"{key}.definition"),
        *file.bilingual(doc["caption"], f"{key}.caption"),
        *details,
        toolkit=file.texts(doc["toolkit"], f"{key}.toolkit", pattern=_TOOLKIT_NAME),
        constructs=file.texts(doc.get("constructs", []), f"{key}.constructs", pattern=re.compile("[A-Z]+"),
                              empty=True),
    )


def _read_framework(file: _File, refs: Mapping[str, str]) -> tuple[Framework, tuple[str, ...]]:
    """The framework of one file and the aliases it declares."""
    doc = file.mapping(file.read(), "", ("key", "name", "layout", "source", "references", "subtitle", "definition",
                                         "stages"), ("aliases", "center", "note"))
    key = file.text(doc["key"], "key")
    if key != file.path.stem:
        raise file.error("key", f"is {key!r} but the file is {file.path.name}; they must agree.")
    layout = file.text(doc["layout"], "layout")
    if layout not in diagrams.LAYOUTS:
        raise file.error("layout", f"{layout!r} cannot be drawn; expected one of {', '.join(diagrams.LAYOUTS)}.")
    if not isinstance(doc["stages"], list) or not doc["stages"]:
        raise file.error("stages", "expected a list of at least one stage.")
    stages = tuple(_read_stage(file, s, f"stages[{i}]") for i, s in enumerate(doc["stages"]))
    seen = [s.key for s in stages]
    if len(set(seen)) != len(seen):
        raise file.error("stages", f"stage keys repeat: {seen}.")
    optional = {k: file.bilingual(doc[k], k) if k in doc else ("", "") for k in ("center", "note")}
    name_en, name_fa = file.bilingual(doc["name"], "name")
    definition_en, definition_fa = file.bilingual(doc["definition"], "definition")
    source_en, source_fa = file.bilingual(doc["source"], "source")
    subtitle_en, subtitle_fa = file.bilingual(doc["subtitle"], "subtitle")
    framework = Framework(
        key=key,
        name_en=name_en,
        name_fa=name_fa,
        definition_en=definition_en,
        definition_fa=definition_fa,
        source=source_en,
        source_fa=source_fa,
        references=_cited(file, file.texts(doc["references"], "references"), "references", refs),
        stages=stages,
        layout=layout,
        note_en=optional["note"][0],
        note_fa=optional["note"][1],
        center_en=optional["center"][0],
        center_fa=optional["center"][1],
        subtitle_en=subtitle_en,
        subtitle_fa=subtitle_fa,
    )
    aliases = file.texts(doc.get("aliases", []), "aliases", pattern=_KEY, empty=True)
    return framework, aliases


def _read_glossary(file: _File, refs: Mapping[str, str]) -> tuple[_GlossaryTerm, ...]:
    doc = file.read()
    if not isinstance(doc, list) or not doc:
        raise file.error("", "expected a list of terms.")
    terms = []
    for i, entry in enumerate(doc):
        at = f"[{i}]"
        entry = file.mapping(entry, at, ("term", "definition", "source"))
        term = file.bilingual(entry["term"], f"{at}.term")
        at = f"[{term[0]}]"
        terms.append(_GlossaryTerm(*term, *file.bilingual(entry["definition"], f"{at}.definition"),
                                   _cited(file, entry["source"], f"{at}.source", refs)[0]))
    for lang in ("en", "fa"):
        names = [getattr(t, f"term_{lang}") for t in terms]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise file.error(f"[{repeated[0]}].term.{lang}", "the term appears twice.")
    return tuple(terms)


def _read_comparison(file: _File) -> tuple[_Aspect, ...]:
    doc = file.read()
    if not isinstance(doc, list) or not doc:
        raise file.error("", "expected a list of aspects.")
    columns = ("aspect", "mass_marketing", "crm", "ecrm")
    rows = []
    for i, entry in enumerate(doc):
        entry = file.mapping(entry, f"[{i}]", columns)
        rows.append(_Aspect(*(text for c in columns for text in file.bilingual(entry[c], f"[{i}].{c}"))))
    return tuple(rows)


def _load_content(folder: Path) -> _Content:
    """Read and check every content file in ``folder``."""
    refs = _read_references(_File(folder / "references.yaml"))
    frameworks: dict[str, Framework] = {}
    aliases: dict[str, str] = {}
    for name in _NAMED.values():
        file = _File(folder / f"{name}.yaml")
        framework, names = _read_framework(file, refs)
        frameworks[framework.key] = framework
        for alias in names:
            if alias in aliases or alias in _NAMED.values():
                raise file.error("aliases", f"{alias!r} already names the framework "
                                            f"{aliases.get(alias, alias)!r}.")
            aliases[alias] = framework.key
    return _Content(
        references=MappingProxyType(refs),
        frameworks=MappingProxyType(frameworks),
        aliases=MappingProxyType(aliases),
        glossary=_read_glossary(_File(folder / "glossary.yaml"), refs),
        comparison=_read_comparison(_File(folder / "comparison.yaml")),
    )


@functools.cache
def _content() -> _Content:
    # read on first use, not at import: ``import crm_research.frameworks`` stays cheap
    return _load_content(_CONTENT_DIR)


def __getattr__(name: str) -> Any:
    if name in _NAMED:
        return _content().frameworks[_NAMED[name]]
    if name == "FRAMEWORKS":
        return _content().frameworks
    if name == "REFERENCES":
        return _content().references
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


# ---------------------------------------------------------------------------
# Look-up and tables
# ---------------------------------------------------------------------------

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
        key = _content().aliases.get(key, key)
        if key in _content().frameworks:
            return _content().frameworks[key]
    check_choice(name, "name", list(_content().frameworks), func="get_framework")
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
        for fw in _content().frameworks.values()
    ]
    return pd.DataFrame(rows)


def references() -> pd.DataFrame:
    """Every work cited by the frameworks, the glossary and the foundations notebook.

    Returns
    -------
    pandas.DataFrame
        Columns ``key`` and ``reference`` (full reference, APA style), sorted by key.
    """
    return pd.DataFrame(sorted(_content().references.items()), columns=["key", "reference"])


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
        for fw in _content().frameworks.values()
        for s in fw.stages
        for f in s.toolkit
    ]
    return pd.DataFrame(rows)


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
    full = pd.DataFrame([[getattr(row, c) for c in cols] for row in _content().comparison], columns=cols)
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
    refs = _content().references
    rows = [
        {
            "term_en": t.term_en,
            "term_fa": t.term_fa,
            "definition_en": t.definition_en,
            "definition_fa": t.definition_fa,
            "source": refs[t.source],
        }
        for t in _content().glossary
    ]
    out = pd.DataFrame(rows)
    if lang is not None:
        lang = check_lang(lang, func="glossary")
        out = out.sort_values(f"term_{lang}", ignore_index=True)
    return out
