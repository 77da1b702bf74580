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


@dataclass
class PLSSpec:
    """A PLS-SEM model: constructs with their items and mode, and the paths."""

    constructs: dict[str, list[str]]
    modes: dict[str, str]  # construct -> "A" (=~) or "B" (<~)
    paths: list[tuple[str, str, str | None]]  # (from, to, label)
    definitions: list = field(default_factory=list)  # sem.syntax.Definition
    notes: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def items(self) -> list[str]:
        return [item for items in self.constructs.values() for item in items]

    def endogenous(self) -> list[str]:
        return list(dict.fromkeys(to for _, to, _ in self.paths))

    def order(self) -> list[str]:
        """Constructs in causal order (antecedents first); raises on a feedback loop."""
        preds = {c: {f for f, t, _ in self.paths if t == c} for c in self.constructs}
        done: list[str] = []
        pending = list(self.constructs)
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
    op_at: list[tuple[int, int]] = []
    lines = text.split("\n")
    rewritten = []
    for ln, line in enumerate(lines, start=1):
        body = _strip_comment(line)
        for m in _ANY_OP.finditer(body):
            op_at.append((ln, m.start() + 1))
            if m.group() == "<~":
                formative_at.add((ln, m.start() + 1))
        rewritten.append(_FORMATIVE_OP.sub("=~", body) + line[len(body):])
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
    for name, items in constructs.items():
        if name in owner:
            raise CRMInputError(
                f"{name!r} is used both as a construct and as an item of {owner[name]!r}; higher-order constructs "
                "are not supported by pls_sem (use the two-stage approach: estimate, then use the scores)."
            )
        if modes[name] == "B" and len(items) < 2:
            raise CRMInputError(
                f"Formative construct {name!r} ('<~') has a single item ({items[0]!r}); mode B weights need at "
                f"least two items. Write '{name} =~ {items[0]}' for a single-item construct."
            )
    for st in parsed.statements:
        if st.op != "~":
            continue
        if st.lhs not in constructs:
            raise _undefined(st.lhs, st.line, constructs, owner, "outcome")
        for term in st.terms:
            if term.name not in constructs:
                raise _undefined(term.name, st.line, constructs, owner, "predictor")
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
    lonely = [c for c in constructs if c not in in_paths]
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
    spec = PLSSpec(constructs, modes, paths, list(parsed.definitions), notes, text)
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
