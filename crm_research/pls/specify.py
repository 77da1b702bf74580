"""Read lavaan-style model syntax into a PLS-SEM specification.

One model file serves both estimators: the covariance-based SEM layer
(:mod:`crm_research.sem`) and this PLS layer read the same text.  The SEM
layer's parser (:func:`crm_research.core.syntax.parse_model`) does the reading;
it does not accept ``<~`` (composite / formative, mode B), so this thin layer
rewrites each ``<~`` as ``=~`` (same length, so every line and caret position
in an error message stays right), remembers where it stood, and marks those
constructs as formative after parsing.

Mapping to PLS (as SmartPLS and seminr treat a model):

* ``C =~ x1 + x2``  construct ``C`` with correlation weights (mode A; the
  "reflective" measurement of SmartPLS);
* ``C <~ x1 + x2``  construct ``C`` with regression weights (mode B;
  formative);
* ``Y ~ a*X + Z``   structural paths ``X -> Y`` (label ``a``) and ``Z -> Y``;
* ``name := a*b``   a defined parameter (e.g. an indirect effect), bootstrapped
  like the paths;
* ``Y ~ X + M + X:M``  a moderation: ``X:M`` is the interaction of ``X``
  and its moderator ``M`` (lavaan's notation); the interaction construct is
  named ``"X*M"`` in every table, as seminr names it.  How its scores are
  formed is :func:`crm_research.pls_sem`'s ``interaction`` argument;
* ``HOC =~ LOC1 + LOC2``  a higher-order construct: a construct whose
  "indicators" are constructs (lower-order constructs, LOCs) defined by their
  own items; ``<~`` makes it formative (reflective-formative type).  LOCs
  take no structural paths of their own: the HOC carries them;
* ``~~`` lines have no meaning in PLS (there are no free covariances); they
  are ignored with a warning so the same file still works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crm_research.core.errors import CRMInputError

__all__ = ["PLSSpec", "parse_pls_model"]

_FORMATIVE_OP = re.compile(r"<~")
_ANY_OP = re.compile(r"=~|<~|~~|:=|~")
_NAME = r"[A-Za-z_.\u0600-\u06FF][A-Za-z0-9_.\u0600-\u06FF]*"
# 'X:M' in a regression line (':' not followed by '=', so ':=' definitions stay as they are)
_INTERACTION = re.compile(rf"({_NAME})[ \t]*:(?!=)[ \t]*({_NAME})")


@dataclass
class PLSSpec:
    """A PLS-SEM model: constructs with their items and mode, and the paths."""

    constructs: dict[str, list[str]]  # first-order constructs and their items
    modes: dict[str, str]  # construct -> "A" (=~) or "B" (<~), higher-order ones included
    paths: list[tuple[str, str, str | None]]  # (from, to, label)
    definitions: list = field(default_factory=list)  # sem.syntax.Definition
    notes: list[str] = field(default_factory=list)
    text: str = ""
    interactions: dict[str, tuple[str, str]] = field(default_factory=dict)  # "X*M" -> (X, M)
    higher_order: dict[str, list[str]] = field(default_factory=dict)  # HOC -> its lower-order constructs

    @property
    def items(self) -> list[str]:
        return [item for items in self.constructs.values() for item in items]

    @property
    def names(self) -> list[str]:
        """Every construct: first-order, higher-order and interaction constructs."""
        return list(self.constructs) + list(self.higher_order) + list(self.interactions)

    @property
    def lower_order(self) -> list[str]:
        return [loc for locs in self.higher_order.values() for loc in locs]

    def endogenous(self) -> list[str]:
        return list(dict.fromkeys(to for _, to, _ in self.paths))

    def order(self) -> list[str]:
        """Constructs in causal order (antecedents first); raises on a feedback loop."""
        in_paths = {c for f, t, _ in self.paths for c in (f, t)}
        names = [c for c in self.names if c in in_paths]
        preds = {c: {f for f, t, _ in self.paths if t == c} for c in names}
        done: list[str] = []
        pending = list(names)
        while pending:
            ready = [c for c in pending if preds[c] <= set(done)]
            if not ready:
                raise CRMInputError(
                    "The structural model has a feedback loop among "
                    f"{', '.join(map(repr, pending))}; PLS-SEM estimates recursive models only "
                    "(no construct may, through a chain of paths, affect itself)."
                )
            done += ready
            pending = [c for c in pending if c not in ready]
        return done


def _strip_comment(line: str) -> str:
    for i, ch in enumerate(line):
        if ch in "#!":
            return line[:i]
    return line


def parse_pls_model(text: str) -> PLSSpec:
    """Parse lavaan-style syntax (``=~``, ``<~``, ``~``, ``:=``) into a :class:`PLSSpec`.

    Raises :class:`CRMInputError` for syntax errors (with line and caret), an
    item in two constructs, a formative construct with one item, a path that
    names an undefined construct, a construct in no path, and feedback loops.
    """
    from crm_research.core.syntax import parse_model

    if not isinstance(text, str):
        raise CRMInputError(
            f"The 'model' parameter of pls_sem must be lavaan-style model syntax as a string. "
            f"Got {type(text).__name__} instead."
        )
    # positions of '<~' outside comments, then the same text with '=~' in their place
    formative_at: set[tuple[int, int]] = set()
    interaction_at: dict[str, tuple[str, str, int]] = {}
    op_at: list[tuple[int, int]] = []
    lines = text.split("\n")
    rewritten = []
    for ln, line in enumerate(lines, start=1):
        body = _strip_comment(line)
        for m in _ANY_OP.finditer(body):
            op_at.append((ln, m.start() + 1))
            if m.group() == "<~":
                formative_at.add((ln, m.start() + 1))
        new_body = _FORMATIVE_OP.sub("=~", body)
        ops = [m.group() for m in _ANY_OP.finditer(body)]
        if ops and ops[0] == "~":  # a regression line: 'X:M' terms become one name 'X.M' (same length)
            def _join(m, ln=ln):
                joined = f"{m.group(1)}.{m.group(2)}"
                interaction_at[joined] = (m.group(1), m.group(2), ln)
                return joined + " " * (len(m.group()) - len(joined))
            new_body = _INTERACTION.sub(_join, new_body)
        rewritten.append(new_body + line[len(body):])
    parsed = parse_model("\n".join(rewritten))

    constructs: dict[str, list[str]] = {}
    modes: dict[str, str] = {}
    owner: dict[str, str] = {}
    paths: list[tuple[str, str, str | None]] = []
    notes: list[str] = []
    measurement = [s for s in parsed.statements if s.op == "=~"]
    for st in parsed.statements:
        if st.op == "=~":
            first = tuple(st.terms[0].position) if st.terms else (st.line, 10**9)
            # this statement's operator is the last one before its first term
            own = max((pos for pos in op_at if pos < first), default=None)
            formative = own in formative_at
            mode = "B" if formative else "A"
            if st.lhs in constructs:
                if modes[st.lhs] != mode:
                    raise CRMInputError(
                        f"Construct {st.lhs!r} is defined with both '=~' and '<~'; choose one measurement mode "
                        "(=~ for mode A / reflective, <~ for mode B / formative)."
                    )
            else:
                constructs[st.lhs] = []
                modes[st.lhs] = mode
            for term in st.terms:
                if term.fixed is not None or term.label is not None:
                    notes.append(f"The modifier on '{st.lhs} =~ {term.name}' (line {st.line}) is ignored: "
                                 "PLS-SEM estimates weights and loadings, it does not fix or label them.")
                if term.name in owner and owner[term.name] != st.lhs:
                    raise CRMInputError(
                        f"Item {term.name!r} is listed under both construct {owner[term.name]!r} and {st.lhs!r} "
                        f"(line {st.line}); in PLS-SEM an item may measure only one construct."
                    )
                if term.name in constructs[st.lhs]:
                    raise CRMInputError(f"Item {term.name!r} is listed twice under construct {st.lhs!r}.")
                owner[term.name] = st.lhs
                constructs[st.lhs].append(term.name)
        elif st.op == "~~":
            notes.append(f"'{st.lhs} ~~ ...' (line {st.line}) is ignored: PLS-SEM has no free (residual) "
                         "covariances.")
    if not measurement:
        raise CRMInputError("The 'model' defines no construct: PLS-SEM needs measurement lines such as "
                            "'SAT =~ SAT1 + SAT2 + SAT3' (mode A) or 'QUAL <~ q1 + q2' (mode B, formative).")
    # higher-order constructs: every "item" is itself a construct with items
    higher_order: dict[str, list[str]] = {}
    for name, items in constructs.items():
        locs = [i for i in items if i in constructs]
        if not locs:
            continue
        if len(locs) < len(items):
            others = [i for i in items if i not in constructs]
            raise CRMInputError(
                f"Higher-order construct {name!r} lists lower-order construct(s) {locs} and also {others}, which "
                f"{'is' if len(others) == 1 else 'are'} not defined as constructs in the model. The lower-order "
                f"constructs of a higher-order construct must all be defined with their own items, e.g. "
                f"'{others[0]} =~ item1 + item2'."
            )
        higher_order[name] = locs
    for hoc, locs in higher_order.items():
        nested = [c for c in locs if c in higher_order]
        if nested:
            raise CRMInputError(f"Higher-order construct {hoc!r} is built on higher-order construct(s) {nested}; "
                                "pls_sem estimates second-order constructs (constructs of first-order ones) only.")
        if len(locs) < 2:
            raise CRMInputError(f"Higher-order construct {hoc!r} has a single lower-order construct ({locs[0]!r}); "
                                "a higher-order construct needs at least two.")
    for hoc in higher_order:
        for loc in constructs.pop(hoc):
            owner.pop(loc, None)
    loc_of = {loc: hoc for hoc, locs in higher_order.items() for loc in locs}
    for name, items in constructs.items():
        if name in owner:
            raise CRMInputError(
                f"{name!r} is used both as a construct and as an item of {owner[name]!r}; a construct whose "
                "indicators are constructs (a higher-order construct) must list only constructs."
            )
        if modes[name] == "B" and len(items) < 2:
            raise CRMInputError(
                f"Formative construct {name!r} ('<~') has a single item ({items[0]!r}); mode B weights need at "
                f"least two items. Write '{name} =~ {items[0]}' for a single-item construct."
            )
    known = {**constructs, **higher_order}
    interactions: dict[str, tuple[str, str]] = {}
    for st in parsed.statements:
        if st.op != "~":
            continue
        if st.lhs not in known:
            raise _undefined(st.lhs, st.line, known, owner, "outcome")
        for term in st.terms:
            if term.name in interaction_at and term.name not in known:
                x, m, ln = interaction_at[term.name]
                if x == m:
                    raise CRMInputError(
                        f"The interaction '{x}:{m}' (line {ln}) is a construct times itself; a moderation needs two "
                        f"different constructs (a quadratic effect of {x!r} is not an interaction)."
                    )
                for part in (x, m):
                    if part not in known:
                        raise _undefined(part, ln, known, owner, "interaction term")
                    if part in loc_of:
                        raise CRMInputError(f"The interaction '{x}:{m}' (line {ln}) uses {part!r}, a lower-order "
                                            f"construct of {loc_of[part]!r}; use the higher-order construct.")
                term.name = f"{x}*{m}"
                interactions[term.name] = (x, m)
            elif term.name not in known:
                raise _undefined(term.name, st.line, known, owner, "predictor")
            if term.fixed is not None:
                raise CRMInputError(f"The path '{st.lhs} ~ {term.name}' (line {st.line}) is fixed at {term.fixed}; "
                                    "PLS-SEM cannot fix path coefficients. Remove the number.")
            if term.name == st.lhs:
                raise CRMInputError(f"The path '{st.lhs} ~ {st.lhs}' (line {st.line}) regresses a construct on "
                                    "itself.")
            if any(f == term.name and t == st.lhs for f, t, _ in paths):
                raise CRMInputError(f"The path '{st.lhs} ~ {term.name}' is given twice.")
            paths.append((term.name, st.lhs, term.label))
    if not paths:
        raise CRMInputError("The 'model' has no structural paths: PLS-SEM needs at least one line such as "
                            "'LOY ~ SAT'.")
    in_paths = {c for f, t, _ in paths for c in (f, t)}
    for loc, hoc in loc_of.items():
        if loc in in_paths:
            raise CRMInputError(
                f"Lower-order construct {loc!r} of higher-order construct {hoc!r} has a structural path of its "
                f"own; in a higher-order model the paths go to or from {hoc!r}."
            )
    for x, m in interactions.values():
        t_of = {t for f, t, _ in paths if f == f"{x}*{m}"}
        for part in (x, m):
            missing_main = [t for t in t_of if not any(f == part and t2 == t for f, t2, _ in paths)]
            if missing_main:
                raise CRMInputError(
                    f"The interaction '{x}:{m}' predicts {missing_main} without the main effect of {part!r}; "
                    f"a moderation model keeps both main effects (write '{missing_main[0]} ~ {x} + {m} + {x}:{m}')."
                )
    lonely = [c for c in list(constructs) + list(higher_order) if c not in in_paths and c not in loc_of]
    if lonely:
        raise CRMInputError(
            f"Construct(s) {', '.join(map(repr, lonely))} appear in no structural path; PLS-SEM estimates "
            "every construct through its paths. Add a path or remove the construct."
        )
    labels = [lab for _, _, lab in paths if lab]
    dup = {lab for lab in labels if labels.count(lab) > 1}
    if dup:
        raise CRMInputError(f"The label(s) {sorted(dup)} name more than one path; PLS-SEM has no equality "
                            "constraints, so each label must be unique.")
    for d in parsed.definitions:
        unknown = [n for n in d.names if n not in labels]
        if unknown:
            raise CRMInputError(
                f"The defined parameter '{d.name} := {d.expression}' (line {d.line}) uses {unknown}, which "
                f"{'is' if len(unknown) == 1 else 'are'} not a path label. Path labels: {labels or 'none'}."
            )
    spec = PLSSpec(constructs, modes, paths, list(parsed.definitions), notes, text, interactions, higher_order)
    spec.order()  # raises on feedback loops
    return spec


def _undefined(name, line, constructs, owner, role) -> CRMInputError:
    from crm_research.core.validation import closest_names

    if name in owner:
        return CRMInputError(
            f"The structural path on line {line} uses {name!r} as {'an' if role[0] in 'aeiou' else 'a'} {role}, but {name!r} is an item of "
            f"construct {owner[name]!r}. PLS-SEM paths connect constructs; for a single observed variable "
            f"define a single-item construct, e.g. '{name.upper()}_C =~ {name}'."
        )
    hint = closest_names(name, constructs)
    return CRMInputError(
        f"The structural path on line {line} uses {name!r} as {'an' if role[0] in 'aeiou' else 'a'} {role}, but no construct {name!r} is defined "
        f"(with '=~' or '<~')." + (f" Did you mean {' or '.join(map(repr, hint))}?" if hint else "")
        + f" Defined constructs: {', '.join(constructs)}."
    )
