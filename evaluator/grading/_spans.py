"""The stated answer as a whole: the maximal math expression at a place in plain text, the items of a
bare list, and hedges and negations around (or inside) a stated answer (docs/grading.md rules 4 and 7).

A reader takes `14+4\\sqrt{37}` or `\\frac{5}{2}` whole, never the `37` or the `2` inside it; and does not
take "5 or 7", "not 7" or "cannot be 7" as an answer at all. Pure functions over short windows: each
scan stops after MAX_EXPRESSION_CHARS, every pattern has bounded quantifiers.
"""

from __future__ import annotations

import re

MAX_EXPRESSION_CHARS = 200  # a plain-text expression longer than this is not an answer a grader reads
MAX_ITEMS = 12  # items of a stated list of expressions
HEDGE_WINDOW = 40  # characters either side of a stated answer where a hedge or a negation is looked for

# One token of a plain-text expression, tried in order. Numbers: thousands groups (`1,024`) before a
# decimal comma (`1000,99`: a comma not followed by exactly three digits), then `3.5`, `.4`.
_TOKEN = re.compile(
    r"\d{1,3}(?:,\d{3}){1,12}(?![\d,])(?:\.\d{1,20})?"
    r"|\d{1,40},\d{1,20}(?![\d,])"
    r"|\d{1,40}(?:\.\d{1,40})?"
    r"|\.\d{1,40}"
    r"|\\[A-Za-z]{1,20}|\\[,;!: ]"
    r"|[-+*/^!()\[\]·×÷−√π∞_']"
    r"|[ \t]{1,3}"
)
_WORDY_COMMANDS = frozenset({"\\text", "\\textbf", "\\mbox", "\\mathrm", "\\quad", "\\qquad", "\\textit"})
_LEADING_WORD = re.compile(r"[A-Za-z]")

# "not 7", "isn't 7", "cannot be 7", "can't equal 7", "rule out 7", "other than 7": the words right before it.
_NEGATION_WORDS = frozenset({"not", "never", "cannot", "except", "excluding", "exclude", "excludes", "excluded"})
_NEGATION_PAIRS = frozenset({("rule", "out"), ("rules", "out"), ("ruled", "out"), ("ruling", "out"),
                             ("other", "than"), ("instead", "of"), ("rather", "than"), ("no", "longer")})
_LINKING_WORDS = frozenset({"be", "equal", "equals", "to", "possibly", "exactly"})  # "cannot be 7", "not equal to 7"
_DELIMITERS = " \t\n*$({[\\"
_WORDS = re.compile(r"[a-z']+|[^a-z'\s]+")  # "(not" is "(" and "not"
_VALUE_END = r"(?:\d|[}$)\]!π∞]|\\\))"
_VALUE_START = r"(?:-?\d|\.\d|\\|[$(√π∞]|[A-Za-z][ \t]{0,2}=)"
_OR = r"(?:\bor\b|\\text\{[ \t]{0,3}or[ \t]{0,3}\}|\\(?:lor|vee)\b|\\mathrm\{[ \t]{0,3}or[ \t]{0,3}\})"
# "5 or 7", "$5$ or $7$", "x = 5 \text{ or } x = 7": an alternative right before or right after the answer.
_OR_BEFORE = re.compile(rf"{_VALUE_END}[ \t$]{{0,4}},?[ \t]{{0,3}}{_OR}[ \t$]{{0,4}}(?:\\\(|\\\[)?[ \t]{{0,3}}$", re.I)
_OR_AFTER = re.compile(rf"^[ \t$]{{0,4}}(?:\\\)|\\\])?[ \t]{{0,3}},?[ \t]{{0,3}}{_OR}[ \t$]{{0,4}}(?:\\\(|\\\[)?[ \t]{{0,3}}{_VALUE_START}",
                       re.I)
_OR_INSIDE = re.compile(rf"{_VALUE_END}[ \t]{{0,4}},?[ \t]{{0,3}}{_OR}[ \t]{{0,4}}{_VALUE_START}", re.I)
_EQUATION_ITEM = re.compile(r"\s{0,3}([A-Za-z](?:_\{?\w{1,4}\}?)?)\s{0,3}=\s{0,3}(.{1,200})", re.S)
_LIST_GAP = re.compile(r"[ \t]{0,2},[ \t]{0,2}(?:and[ \t]{1,2})?")
_THOUSANDS_COMMA = re.compile(r"\d,\d{3}(?!\d)")


def expression_at(text: str, start: int) -> str | None:
    """The maximal plain-text math expression starting at text[start] (after spaces), or None when there is
    none or it runs into a letter or digit with no space (`2n+1`: a formula, whose `2` is not a value)."""
    limit = min(len(text), start + MAX_EXPRESSION_CHARS)
    pos = start
    while pos < limit and text[pos] in " \t":
        pos += 1
    begin = end = pos
    while pos < limit:
        if text[pos] == "{":
            close = _closing_brace(text, pos, limit)
            if close is None:
                return None
            pos = end = close + 1
            continue
        token = _TOKEN.match(text, pos, limit)
        if token is None:
            break
        if token.group() in _WORDY_COMMANDS:
            break  # `\text{ minutes}`, `\quad`: the expression ended
        pos = token.end()
        if not token.group().isspace():
            end = pos
    if end == begin:
        return None
    if end < len(text) and text[end].isalnum() and end == pos and text[end - 1] not in "([":
        return None  # cut inside a longer formula (`2n+1`, `2^n`); `7 (not 8)` is not a formula
    expression = text[begin:end].rstrip(" \t")
    while expression and expression[-1] in "-+*/^(=_'[":
        expression = expression[:-1].rstrip()  # a dangling operator is punctuation, not part of the value
    return expression if any(ch.isdigit() or ch in "\\π∞√" for ch in expression) else None


def expressions_at(text: str, start: int) -> str | None:
    """`expression_at`, extended over a list of expressions (`\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}`)."""
    first = expression_at(text, start)
    if first is None:
        return None
    begin = text.index(first, start)
    end = begin + len(first)
    for _ in range(MAX_ITEMS):
        gap = _LIST_GAP.match(text, end)
        item = expression_at(text, gap.end()) if gap else None
        if gap is None or item is None or not text.startswith(item, gap.end()):
            break
        end = gap.end() + len(item)
    return text[begin:end]


def whole_expression(text: str) -> str | None:
    """`text` itself when all of it is one plain-text math expression (a bare answer line), else None."""
    stripped = text.strip().rstrip(".").strip()
    if not stripped or _LEADING_WORD.match(stripped):
        return None
    items = list_items(stripped) or [stripped]  # a bare list `a, b` is a whole answer too
    for item in items:
        found = expression_at(item, 0)
        if found is None or found != item:
            return None
    return stripped


def hedged_around(text: str, start: int, end: int) -> bool:
    """True when the answer text[start:end] is negated ("not 7", "cannot be 7", "rule out 7") or offered
    as one of alternatives ("5 or 7", "$x = 5$ or $x = 7$") in the characters around it."""
    return negated(text, start) or alternative_around(text, start, end)


def negated(text: str, start: int) -> bool:
    """True when the answer starting at text[start] is negated: "not 7", "cannot be 7", "rule out 7"."""
    words = _WORDS.findall(text[max(0, start - HEDGE_WINDOW) : start].rstrip(_DELIMITERS).lower())[-4:]
    while words and words[-1] in _LINKING_WORDS:
        words.pop()
    if not words:
        return False
    last = words[-1]
    return last in _NEGATION_WORDS or last.endswith("n't") or tuple(words[-2:]) in _NEGATION_PAIRS


def alternative_around(text: str, start: int, end: int) -> bool:
    """True when the answer text[start:end] is one of alternatives: "5 or 7", "$x = 5$ or $x = 7$"."""
    before = text[max(0, start - HEDGE_WINDOW) : start]
    return _OR_BEFORE.search(before) is not None or _OR_AFTER.match(text[end : end + HEDGE_WINDOW]) is not None


def hedged_inside(span: str) -> bool:
    """True when one stated span offers alternatives: `x = 5 \\text{ or } x = 7`, `5 or 7`, `5 \\lor 7`."""
    return _OR_INSIDE.search(span[:MAX_EXPRESSION_CHARS * 2]) is not None


def list_items(span: str) -> list[str] | None:
    """The items of a bare top-level list (`5, 7`, `x=5, x=7`, `-2, 1`), or None for one value (`1,024`,
    `(3, 8)`, `\\{1, 2\\}` are one value each: a number, a tuple, a set)."""
    text = span.strip()
    if "," not in text or _THOUSANDS_COMMA.search(text) and ", " not in text:
        return None
    if text[:1] in "([" or text.startswith("\\{") or text.startswith("\\left"):
        return None  # a tuple, an interval or a set is one answer
    parts, depth, begin = [], 0, 0
    for i, ch in enumerate(text[: MAX_EXPRESSION_CHARS * 2]):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0 and not (text[i - 1 : i] == "\\" or text[i + 1 : i + 3] in ("\\!", "\\,")):
            parts.append(text[begin:i].strip())
            begin = i + 1
    parts.append(text[begin:].strip())
    items = [p for p in parts if p]
    return items if len(items) >= 2 else None


def is_multiple_answer(span: str) -> bool:
    """True when a span states several values of one thing: a bare list, or equations of one variable
    (`x=5, x=7`); equations of different variables (`x = 1, y = 2`) are one solution, not a hedge."""
    items = list_items(span)
    if items is None:
        return False
    names = [m.group(1) for item in items if (m := _EQUATION_ITEM.fullmatch(item))]
    return not (len(names) == len(items) and len(set(names)) == len(names))


def _closing_brace(text: str, open_at: int, limit: int) -> int | None:
    depth = 0
    for i in range(open_at, limit):
        ch = text[i]
        if ch == "\\":
            continue
        if ch == "{" and text[i - 1 : i] != "\\":
            depth += 1
        elif ch == "}" and text[i - 1 : i] != "\\":
            depth -= 1
            if depth == 0:
                return i
    return None
