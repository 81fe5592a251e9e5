"""The claim language: a small recursive-descent parser.

Grammar (``docs/cli.md`` and the README show it with examples)::

    claim      := either EOF
    either     := both ("or" both)*
    both       := negation ("and" negation)*
    negation   := "not" negation | "(" either ")" | comparison
    comparison := term OP term            OP: = == != < <= > >=
    term       := NUMBER ["%"] | STRING | NAME ["(" term ("," term)* ")"]

``NUMBER`` is digits with an optional decimal part; ``_`` may group digits (``50_000``; a comma
separates arguments, so it cannot). ``NAME`` is a letter followed by letters, digits, ``_``,
``-``, ``.`` or ``'``; ``STRING`` is a name in double quotes (``"al gore"``). Keywords are
case-insensitive. Positions are 1-based characters of the claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from ballotproof.errors import ClaimSyntaxError

__all__ = ["Call", "Compare", "Logic", "Name", "Node", "Not", "Number", "Term", "parse_claim"]

OPERATORS = ("==", "!=", "<=", ">=", "=", "<", ">")
_NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_REST = _NAME_START | set("0123456789_-.'")


@dataclass(frozen=True, slots=True)
class Number:
    value: Fraction
    percent: bool
    text: str
    position: int


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    position: int
    quoted: bool = False  # written as "a string"

    @property
    def shown(self) -> str:
        return f'"{self.text}"' if self.quoted else self.text


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Term, ...]
    position: int

    @property
    def text(self) -> str:
        return f"{self.function}({', '.join(_shown(a) for a in self.args)})"


Term = Number | Name | Call


def _shown(term: Term) -> str:
    return term.shown if isinstance(term, Name) else term.text


@dataclass(frozen=True, slots=True)
class Compare:
    left: Term
    op: str  # one of = != < <= > >= ("==" is read as "=")
    right: Term
    position: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # "and" | "or"
    left: Node
    right: Node


Node = Compare | Not | Logic


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, name, string, op, "(", ")", ",", "%", end
    text: str
    position: int


def _tokens(claim: str) -> list[_Token]:
    out: list[_Token] = []
    i = 0
    n = len(claim)
    while i < n:
        ch = claim[i]
        pos = i + 1
        if ch.isspace():
            i += 1
        elif ch in "(),%":
            out.append(_Token(ch, ch, pos))
            i += 1
        elif ch.isdigit() or (ch == "." and i + 1 < n and claim[i + 1].isdigit()):
            j = i
            while j < n and (claim[j].isdigit() or claim[j] in "._"):
                j += 1
            out.append(_Token("number", claim[i:j], pos))
            i = j
        elif ch in _NAME_START:
            j = i + 1
            while j < n and claim[j] in _NAME_REST:
                j += 1
            out.append(_Token("name", claim[i:j], pos))
            i = j
        elif ch == '"':
            j = claim.find('"', i + 1)
            if j < 0:
                raise ClaimSyntaxError(claim, pos, 'a closing "', "the end of the claim")
            out.append(_Token("string", claim[i + 1 : j], pos))
            i = j + 1
        else:
            op = next((o for o in OPERATORS if claim.startswith(o, i)), None)
            if op is None:
                raise ClaimSyntaxError(claim, pos, "a name, a number or an operator", repr(ch))
            out.append(_Token("op", "=" if op == "==" else op, pos))
            i += len(op)
    out.append(_Token("end", "", n + 1))
    return out


class _Parser:
    def __init__(self, claim: str) -> None:
        self.claim = claim
        self.tokens = _tokens(claim)
        self.at = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def fail(self, expected: str) -> ClaimSyntaxError:
        t = self.token
        got = "the end of the claim" if t.kind == "end" else repr(t.text)
        return ClaimSyntaxError(self.claim, t.position, expected, got)

    def keyword(self, word: str) -> bool:
        t = self.token
        if t.kind == "name" and t.text.lower() == word:
            self.at += 1
            return True
        return False

    def expect(self, kind: str, what: str) -> _Token:
        t = self.token
        if t.kind != kind:
            raise self.fail(what)
        self.at += 1
        return t

    def claim_(self) -> Node:
        if self.token.kind == "end":
            raise self.fail("a claim such as winner(2020) = biden")
        node = self.either()
        if self.token.kind != "end":
            raise self.fail("'and', 'or' or the end of the claim")
        return node

    def either(self) -> Node:
        node = self.both()
        while self.keyword("or"):
            node = Logic("or", node, self.both())
        return node

    def both(self) -> Node:
        node = self.negation()
        while self.keyword("and"):
            node = Logic("and", node, self.negation())
        return node

    def negation(self) -> Node:
        if self.keyword("not"):
            return Not(self.negation())
        if self.token.kind == "(":
            self.at += 1
            node = self.either()
            self.expect(")", "')'")
            return node
        return self.comparison()

    def comparison(self) -> Compare:
        left = self.term()
        t = self.token
        if t.kind != "op":
            raise self.fail("a comparison (=, !=, <, <=, >, >=)")
        self.at += 1
        return Compare(left, t.text, self.term(), t.position)

    def term(self) -> Term:
        t = self.token
        if t.kind == "number":
            self.at += 1
            try:
                value = Fraction(Decimal(t.text))
            except (InvalidOperation, ValueError):
                raise ClaimSyntaxError(self.claim, t.position, "a number", repr(t.text)) from None
            if self.token.kind == "%":
                self.at += 1
                return Number(value / 100, True, t.text + "%", t.position)
            return Number(value, False, t.text, t.position)
        if t.kind == "string":
            self.at += 1
            return Name(t.text, t.position, quoted=True)
        if t.kind == "name":
            if t.text.lower() in ("and", "or", "not"):
                raise self.fail("a name, a number or a function call")
            self.at += 1
            if self.token.kind != "(":
                return Name(t.text, t.position)
            self.at += 1
            args = [self.term()]
            while self.token.kind == ",":
                self.at += 1
                args.append(self.term())
            self.expect(")", "',' or ')'")
            return Call(t.text.lower(), tuple(args), t.position)
        raise self.fail("a name, a number or a function call")


def parse_claim(claim: str) -> Node:
    """Parse a claim into its syntax tree.

    Raises
    ------
    ClaimSyntaxError
        Naming the 1-based position where the claim stops following the grammar.

    Examples
    --------
    >>> parse_claim("winner(2020) = biden").op
    '='
    """
    return _Parser(claim).claim_()
