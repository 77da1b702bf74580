"""A parser for lavaan model syntax.

semopy 2.3.11 cannot read defined parameters (``ind := a*b`` fails with "ind
is an unknown command") and reports syntax errors without a position, so the
SEM layer reads the syntax itself.  The grammar follows lavaan's
(Rosseel, 2012, section 4):

* ``f =~ x1 + x2 + x3``   latent variable ``f`` measured by the indicators;
* ``y ~ x1 + x2``         regression of ``y`` on ``x1`` and ``x2``;
* ``a ~~ b``              (residual) variance or covariance;
* ``name := expression``  a defined parameter, a function of labels;
* a term may carry modifiers: ``a*x`` (label), ``0.5*x`` (fixed value),
  ``NA*x`` (free, e.g. a first indicator that should not be the marker);
  ``label("a")*x`` and ``start(0.5)*x`` are understood too;
* in a multi-group model a modifier may differ by group: ``c(am, af)*x``
  (one label per group), ``c(1, NA)*x`` (fixed in the first group, free in
  the second); ``c(a, a)*x`` makes the parameter equal across groups;
* ``lhs == rhs`` constrains two labelled parameters to be equal;
* statements are separated by new lines or ``;``; a statement continues on
  the next line when the line ends with ``+`` or an operator, or the next
  line starts with ``+``; ``#`` and ``!`` start comments.

Every error names the line and the position and shows the line with a caret,
as lavaan does.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field

from crm_research.core.errors import CRMInputError

__all__ = ["ParsedModel", "Term", "Statement", "Definition", "Constraint", "parse_model", "SUPPORTED_OPERATORS"]

SUPPORTED_OPERATORS = ("=~", "~~", "~", ":=", "==")
# recognised so that the error can say "not supported yet" instead of "bad syntax"
_LATER_OPERATORS = ("<", ">", "|", "~*~", "<~")

# Names may be Persian: Arabic-script letters and digits (with the supplement and presentation forms
# some keyboards produce) and, inside a name, the zero-width non-joiner (U+200C) that Persian spelling
# needs ("رضایت‌مندی1") and the zero-width joiner.
_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r]+)
  | (?P<op>=~|~~|~\*~|<~|:=|==|~|<|>|\|)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_.\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFC]
               [A-Za-z0-9_.\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFC\u200c\u200d]*)
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<punct>[+*(),\-/^])
    """,
    re.VERBOSE,
)

# functions allowed on the right of ':=' (evaluated with numpy-free math)
_FUNCTIONS = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs}


@dataclass
class Term:
    """One right-hand-side term: a variable with its modifiers."""

    name: str
    label: str | None = None
    fixed: float | None = None  # a number: the parameter is fixed at this value
    free: bool = False  # NA*x: explicitly free (overrides marker fixing)
    start: float | None = None
    position: tuple[int, int] = (0, 0)  # (line, column), 1-based
    # c(...)*x: one (kind, value) per group, kind "label" | "fixed" | "free"; resolved by the multi-group fit
    group_modifiers: list[tuple[str, object]] | None = None

    def text(self) -> str:
        """The term written back as lavaan syntax with its single-group modifier (``0.5*x``, ``NA*x``, ``a*x``).

        Examples
        --------
        >>> [t.text() for t in parse_model("F =~ NA*x1 + a*x2 + 0.5*x3 + x4").statements[0].terms]
        ['NA*x1', 'a*x2', '0.5*x3', 'x4']
        """
        if self.fixed is not None:
            return f"{self.fixed:g}*{self.name}"
        if self.free:
            return f"NA*{self.name}"
        if self.label:
            return f"{self.label}*{self.name}"
        return self.name


@dataclass
class Statement:
    """``lhs op term + term ...``"""

    lhs: str
    op: str
    terms: list[Term]
    line: int


@dataclass
class Definition:
    """``name := expression``: a defined parameter."""

    name: str
    expression: str
    tree: ast.Expression
    names: list[str]
    line: int


@dataclass
class Constraint:
    """``lhs == rhs``: two labelled parameters constrained equal."""

    lhs: str
    rhs: str
    line: int


@dataclass
class ParsedModel:
    """The model syntax, read into statements, definitions and equality constraints."""

    statements: list[Statement] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    text: str = ""
    constraints: list[Constraint] = field(default_factory=list)


def _caret_error(message: str, lines: list[str], line: int, col: int) -> CRMInputError:
    src = lines[line - 1] if 0 < line <= len(lines) else ""
    return CRMInputError(
        f"Model syntax error on line {line}, position {col}: {message}\n    {src}\n    {' ' * (col - 1)}^"
    )


def _strip_comment(line: str) -> str:
    # '#' and '!' start a comment unless inside quotes
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "#!":
            return line[:i]
    return line


def _logical_statements(text: str) -> list[list[tuple[str, int, int]]]:
    """Split the text into statements; each char keeps its (line, column)."""
    raw_lines = text.split("\n")
    pieces: list[list[tuple[str, int, int]]] = []
    for ln, raw in enumerate(raw_lines, start=1):
        body = _strip_comment(raw)
        current: list[tuple[str, int, int]] = []
        for col, ch in enumerate(body, start=1):
            if ch == ";":
                pieces.append(current)
                current = []
            else:
                current.append((ch, ln, col))
        pieces.append(current)
    # join continuation lines
    statements: list[list[tuple[str, int, int]]] = []
    for piece in pieces:
        stripped = "".join(c for c, _, _ in piece).strip()
        if not stripped:
            continue
        if statements:
            prev = "".join(c for c, _, _ in statements[-1]).rstrip()
            if prev.endswith(("+", "=~", "~", "~~", ":=", "*", "-", "/", "(", ",")) or stripped.startswith(
                ("+", "*")
            ):
                statements[-1] = statements[-1] + [(" ", piece[0][1], 0)] + piece
                continue
        statements.append(piece)
    return statements


def _tokenize(chars: list[tuple[str, int, int]], lines: list[str]) -> list[tuple[str, str, int, int]]:
    text = "".join(c for c, _, _ in chars)
    tokens = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            _, ln, col = chars[pos]
            raise _caret_error(f"unexpected character {text[pos]!r}.", lines, ln, col)
        kind = m.lastgroup
        if kind != "space":
            _, ln, col = chars[pos]
            tokens.append((kind, m.group(), ln, col))
        pos = m.end()
    return tokens


def _parse_modifier(tokens, i, lines):
    """Read one modifier before '*'. Returns (kind, value, next index)."""
    kind, tok, ln, col = tokens[i]
    if kind == "number":
        return "fixed", float(tok), i + 1
    if kind == "punct" and tok == "-" and i + 1 < len(tokens) and tokens[i + 1][0] == "number":
        return "fixed", -float(tokens[i + 1][1]), i + 2
    if kind == "name" and tok == "NA":
        return "free", None, i + 1
    if kind == "name" and tok in ("start", "label", "equal") and i + 1 < len(tokens) and tokens[i + 1][1] == "(":
        if i + 3 >= len(tokens) or tokens[i + 3][1] != ")":
            raise _caret_error(f"{tok}(...) takes exactly one value, e.g. {tok}(0.5).", lines, ln, col)
        arg_kind, arg, aln, acol = tokens[i + 2]
        if tok == "start":
            if arg_kind != "number":
                raise _caret_error("start() needs a number, e.g. start(0.5)*x1.", lines, aln, acol)
            return "start", float(arg), i + 4
        if arg_kind not in ("string", "name"):
            raise _caret_error(f'{tok}() needs a name in quotes, e.g. {tok}("a")*x1.', lines, aln, acol)
        return "label", arg.strip("\"'"), i + 4
    if kind == "name" and tok == "c" and i + 1 < len(tokens) and tokens[i + 1][1] == "(":
        return _parse_group_modifiers(tokens, i, lines)
    if kind == "name":
        return "label", tok, i + 1
    raise _caret_error(f"expected a label, a number or NA before '*', found {tok!r}.", lines, ln, col)


def _parse_group_modifiers(tokens, i, lines):
    """``c(a, b, ...)``: one label, number or NA per group. Returns ("groups", [(kind, value)...], next index)."""
    _, _, ln, col = tokens[i]
    values: list[tuple[str, object]] = []
    j = i + 2
    while True:
        if j >= len(tokens):
            raise _caret_error("c(...) is not closed with ')'.", lines, ln, col)
        kind, tok, aln, acol = tokens[j]
        if kind == "number":
            values.append(("fixed", float(tok)))
            j += 1
        elif kind == "punct" and tok == "-" and j + 1 < len(tokens) and tokens[j + 1][0] == "number":
            values.append(("fixed", -float(tokens[j + 1][1])))
            j += 2
        elif kind == "name" and tok == "NA":
            values.append(("free", None))
            j += 1
        elif kind in ("name", "string"):
            values.append(("label", tok.strip("\"'")))
            j += 1
        else:
            raise _caret_error(f"c(...) holds one label, number or NA per group; found {tok!r}.", lines, aln, acol)
        if j < len(tokens) and tokens[j][1] == ",":
            j += 1
            continue
        if j < len(tokens) and tokens[j][1] == ")":
            return "groups", values, j + 1
        bad = tokens[j] if j < len(tokens) else tokens[-1]
        raise _caret_error("expected ',' or ')' in c(...).", lines, bad[2], bad[3])


def _parse_terms(tokens, i, lines, op):
    terms = []
    expect_term = True
    while i < len(tokens):
        kind, tok, ln, col = tokens[i]
        if not expect_term:
            if tok != "+":
                raise _caret_error(f"expected '+' between terms, found {tok!r}.", lines, ln, col)
            expect_term = True
            i += 1
            continue
        term = Term(name="", position=(ln, col))
        # modifiers: anything followed by '*'
        while True:
            j = i
            if j < len(tokens) and tokens[j][0] in ("number", "name", "punct"):
                # look ahead for '*'
                probe = j + 1
                if tokens[j][1] == "-" and probe < len(tokens) and tokens[probe][0] == "number":
                    probe += 1
                elif tokens[j][1] in ("start", "label", "equal", "c") and probe < len(tokens) and \
                        tokens[probe][1] == "(":
                    depth = 0
                    while probe < len(tokens):
                        depth += tokens[probe][1] == "("
                        depth -= tokens[probe][1] == ")"
                        probe += 1
                        if depth == 0:
                            break
                if probe < len(tokens) and tokens[probe][1] == "*":
                    mkind, value, nxt = _parse_modifier(tokens, j, lines)
                    if mkind == "fixed":
                        term.fixed = value
                    elif mkind == "free":
                        term.free = True
                    elif mkind == "start":
                        term.start = value
                    elif mkind == "groups":
                        term.group_modifiers = value
                    else:
                        term.label = value
                    i = nxt + 1  # skip '*'
                    continue
            break
        if i >= len(tokens):
            _, _, ln2, col2 = tokens[-1]
            raise _caret_error("the statement ends where a variable name was expected.", lines, ln2, col2 + 1)
        kind, tok, ln, col = tokens[i]
        if kind == "number" and op == "~" and tok in ("1", "1.0"):
            # an intercept ('y ~ 1', 'y ~ a*1'): parse_model turns it into a '~1' statement
            term.name = "1"
            terms.append(term)
            expect_term = False
            i += 1
            continue
        if kind != "name" or tok == "NA":
            raise _caret_error(f"expected a variable name, found {tok!r}.", lines, ln, col)
        term.name = tok
        terms.append(term)
        expect_term = False
        i += 1
    if expect_term:
        _, tok, ln, col = tokens[-1]
        raise _caret_error(f"the statement ends with {tok!r}; a variable name should follow.", lines, ln,
                           col + len(tok))
    return terms


_ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Load, ast.Call,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd,
)


def _parse_definition(lhs_tok, chars_text, tokens, lines) -> Definition:
    _, name, ln, col = lhs_tok
    op_index = next(k for k, t in enumerate(tokens) if t[1] == ":=")
    if op_index + 1 >= len(tokens):
        _, tok, ln2, col2 = tokens[op_index]
        raise _caret_error("':=' needs an expression on its right, e.g. ind := a*b.", lines, ln2, col2 + 2)
    first = tokens[op_index + 1]
    # the expression is the text after ':=' on the original line(s)
    expr = " ".join(t[1] for t in tokens[op_index + 1:])
    py_expr = expr.replace("^", "**")
    try:
        tree = ast.parse(py_expr, mode="eval")
    except SyntaxError as exc:
        offset = (exc.offset or 1) - 1
        # map the offset back to a token to place the caret
        acc = 0
        target = tokens[op_index + 1]
        for t in tokens[op_index + 1:]:
            if acc + len(t[1]) >= offset:
                target = t
                break
            acc += len(t[1]) + 1
        raise _caret_error(f"cannot read the expression {expr!r} of the defined parameter {name!r}.", lines,
                           target[2], target[3]) from None
    names = []
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise _caret_error(
                f"the expression of {name!r} may use labels, numbers, + - * / ^ and exp/log/sqrt/abs only.",
                lines, first[2], first[3])
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS or len(node.args) != 1:
                raise _caret_error(f"unknown function in the expression of {name!r}; use exp, log, sqrt or abs.",
                                   lines, first[2], first[3])
        elif isinstance(node, ast.Name) and node.id not in _FUNCTIONS:
            names.append(node.id)
    return Definition(name=name, expression=expr, tree=tree, names=list(dict.fromkeys(names)), line=ln)


def parse_model(text: str) -> ParsedModel:
    """Read lavaan model syntax.

    Parameters
    ----------
    text : str
        The model, e.g. ``"visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6"``.

    Returns
    -------
    ParsedModel
        ``statements`` (``lhs``, ``op``, ``terms``) and ``definitions``
        (``:=`` lines) in the order written.

    Raises
    ------
    CRMInputError
        On a syntax error: the message names the line and position and shows
        the line with a caret under the offending place.
    """
    if not isinstance(text, str):
        raise CRMInputError(f"The 'model' must be lavaan model syntax as a string. Got {type(text).__name__} instead.")
    lines = text.split("\n")
    parsed = ParsedModel(text=text)
    for chars in _logical_statements(text):
        tokens = _tokenize(chars, lines)
        if not tokens:
            continue
        ops = [k for k, t in enumerate(tokens) if t[0] == "op"]
        if not ops:
            _, tok, ln, col = tokens[0]
            raise _caret_error(
                "no operator found; a statement needs one of =~ (measured by), ~ (regressed on), "
                "~~ (covariance) or := (defined parameter).", lines, ln, col)
        k = ops[0]
        _, op, oln, ocol = tokens[k]
        if op in _LATER_OPERATORS:
            raise _caret_error(f"the operator {op!r} is not supported yet (supported: =~, ~, ~~, :=, ==).", lines,
                               oln, ocol)
        if k == 0:
            raise _caret_error(f"a variable name is needed on the left of {op!r}.", lines, oln, ocol)
        if k > 1:
            _, tok, ln, col = tokens[1]
            if tokens[0][1] in ("start", "label", "equal") or tokens[1][1] == "*":
                raise _caret_error("modifiers such as 'a*' belong on the right-hand side of the operator.", lines,
                                   ln, col)
            raise _caret_error(f"only one variable name may stand left of {op!r}; found {tok!r} next.", lines,
                               ln, col)
        lhs_kind, lhs, lln, lcol = tokens[0]
        if lhs_kind != "name":
            raise _caret_error(f"expected a variable name on the left of {op!r}, found {lhs!r}.", lines, lln, lcol)
        if op == ":=":
            parsed.definitions.append(_parse_definition(tokens[0], "", tokens, lines))
            continue
        if op == "==":
            if len(tokens) != 3 or tokens[2][0] != "name":
                raise _caret_error("'==' with a number or an expression is not supported yet: an equality constraint "
                                   "names two labels, e.g. 'a1 == a2'.", lines, oln, ocol)
            parsed.constraints.append(Constraint(lhs=lhs, rhs=tokens[2][1], line=oln))
            continue
        for extra in ops[1:]:
            _, tok, ln, col = tokens[extra]
            raise _caret_error(f"a second operator {tok!r} in one statement; put each statement on its own line "
                               "or separate them with ';'.", lines, ln, col)
        terms = _parse_terms(tokens, k + 1, lines, op)
        means = [t for t in terms if t.name == "1"]
        terms = [t for t in terms if t.name != "1"]
        if terms or not means:
            parsed.statements.append(Statement(lhs=lhs, op=op, terms=terms, line=oln))
        if means:
            # lavaan's intercept operator: 'y ~ 1' is the row 'y ~1' of the parameter table
            parsed.statements.append(Statement(lhs=lhs, op="~1", terms=means[:1], line=oln))
    # latent means ('F ~ 1') parse; the engines that cannot fit them say so (sem.model.build_spec)
    if not parsed.statements:
        raise CRMInputError("The 'model' contains no statements (e.g. 'f =~ x1 + x2 + x3').")
    return parsed


def evaluate_definition(defn: Definition, values: dict[str, float]) -> float:
    """Value of a defined parameter given label values, with R's arithmetic (lavaan evaluates ':=' in R).

    A division by zero is +-Inf (0/0 NaN), an overflow Inf, the log of zero -Inf, the log or square
    root of a negative number and a negative number raised to a fractional power NaN, as in R, rather
    than a Python exception escaping from the middle of a fit or a bootstrap.
    """
    import numpy as np

    try:
        with np.errstate(all="ignore"):
            return float(_eval(defn.tree.body, {k: np.float64(v) for k, v in values.items()}))
    except RecursionError:
        raise CRMInputError(f"The expression of the defined parameter {defn.name!r} is too long to evaluate; "
                            "split it into several ':=' lines.") from None


def _eval(node, values):
    if isinstance(node, ast.Constant):
        return _np_float(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b
        return a**b
    if isinstance(node, ast.Call):
        return _R_FUNCTIONS[node.func.id](_eval(node.args[0], values))
    raise TypeError(type(node).__name__)


def _np_float(value):
    import numpy as np

    return np.float64(value)


def _r_function(name):
    import numpy as np

    return getattr(np, name)


# numpy's versions of _FUNCTIONS: IEEE results (inf, nan) where math raises, as R returns them
_R_FUNCTIONS = {name: (lambda x, _n=name: _r_function(_n)(x)) for name in _FUNCTIONS}
