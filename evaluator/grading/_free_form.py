"""Weak reading: the answer of a finished response that states none in an explicit form (docs/grading.md
rule 4). Reads the concluding sentences of the last WEAK_WINDOW characters only, so its cost does
not depend on the response length.

Returns `(answer, span)`: `answer` is the canonical text of the whole stated value (the last
right-hand side of the last math span, the maximal expression after `is`, never a number cut from
inside an expression); `span` is that answer as written (a list `2, 4, 6, 8`, a fraction `7/4`),
used when the gold is not an integer. An empty `answer` means the sentence hedged ("5 or 7", "not 7").
"""

from __future__ import annotations

import re

from evaluator.grading._spans import (
    HEDGE_WINDOW,
    expressions_at,
    hedged_around,
    hedged_inside,
    list_items,
    whole_expression,
)
from evaluator.grading.normalise import as_integer, canonical_answer, clean_latex, words_to_int

WEAK_WINDOW = 600  # characters at the end a weak reading looks at
WEAK_SENTENCES = 3  # concluding sentences a weak reading looks back over
MAX_SIGNATURE_LINES = 3  # trailing credit lines (`-user2019`, `LaTeXed by X`) skipped
END_MARKERS = ("<|end_of_solution|>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "</s>", "<｜end▁of▁sentence｜>")
FINISHED_ENDINGS = tuple(".!?。！？)]}$*")

_NUM = r"(?<![A-Za-z\d.])-?(?:\d{1,40}(?:,\d{3}){0,6}(?:\.\d{1,20})?|\.\d{1,20})(?:/\d{1,20})?(?![\d/])"
_NUMBER = re.compile(_NUM)
# A number that stands alone in prose, not cut from an expression (`2` of `\frac{5}{2}`, `37` of `4\sqrt{37}`).
_LONE_NUMBER = re.compile(r"(?<![\w.^_{}/*+\\=-])" + _NUM.split(")", 1)[1] + r"(?![\w^_{}/*+!=])")
_VERB = re.compile(r"\b(?:is|are|equals|gives|get|be|was|becomes|to)[ \t]{1,3}(?:equal[ \t]{1,3}to[ \t]{1,3}|exactly[ \t]{1,3})?|=")
_APPROX = re.compile(r"\\approx|≈|\\simeq")
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")
_NOT_WORDS = frozenset({"sqrt", "frac", "cdot", "times", "pi", "left", "right", "dfrac", "tfrac"})
_DISPLAY_MATH = re.compile(r"\\\[.{1,400}?\\\]|\$\$[^$]{1,400}\$\$", re.S)
# `!` ends a sentence only before a capital (`26! \\cdot 2` is a factorial)
_SENTENCE_SPLIT = re.compile(r"(?<=[.?。！？])\s{1,20}|(?<=!)\s{1,20}(?=[A-Z*])|\n{1,20}")
_MATH_SEGMENT = re.compile(r"\$\$?([^$]{1,400})\$|\\\((.{1,400}?)\\\)|\\\[(.{1,400}?)\\\]", re.S)
_NUMBER_WORD = r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand)"
_WORDS_AFTER_VERB = re.compile(rf"\b(?:is|are|equals|be|answer:?)[ \t]{{1,3}}((?:{_NUMBER_WORD}(?:[ \t-]{{1,3}}(?:and[ \t]{{1,3}})?)){{0,8}}{_NUMBER_WORD})\b", re.I)
_LIST_AFTER_VERB = re.compile(rf"\b(?:is|are|equals|=)[ \t]{{1,3}}((?:{_NUM}[ \t]{{0,2}},[ \t]{{1,2}}(?:and[ \t]{{1,2}})?){{1,12}}{_NUM})[ \t]{{0,2}}[.!。]?$")
_PERCENT_END = re.compile(rf"({_NUM})[ \t]{{0,2}}(?:\\?%|percent\b|per cent\b|pct\b)[ \t.!)]{{0,4}}$", re.I)
_BOLD = re.compile(r"\*\*([^*\n]{1,80})\*\*")
_VARIABLE = re.compile(r"(?<![\\A-Za-z])[A-Za-z](?![A-Za-z])")  # a one-letter symbol, not a \command
_SIGNATURE = re.compile(
    r"^[ \t]{0,8}(?:[-~—–]{1,2}[ \t]{0,2}[A-Za-z][\w.@-]{0,30}(?:[ \t]{0,2},?[ \t]{0,2}\d{4})?"
    r"|~?[ \t]{0,2}(?:la)?texed[ \t]by\b.{0,60}|~?[ \t]{0,2}(?:edited|written|posted|solution)[ \t]by\b.{0,60})[ \t]*$",
    re.I,
)


def weak_answer(final: str, finish_reason: str | None) -> tuple[str, str] | None:
    """(answer, span) read from the concluding sentences of a finished response, else None."""
    tail = final[-(WEAK_WINDOW + 200) :].rstrip()
    for _ in range(len(END_MARKERS)):
        stripped = next((tail[: -len(m)].rstrip() for m in END_MARKERS if tail.endswith(m)), None)
        if stripped is None:
            break
        tail = stripped
    tail = _drop_signatures(tail)
    if not tail or (finish_reason != "stop" and not tail.endswith(FINISHED_ENDINGS)):
        return None  # ends mid-sentence: there is no concluding sentence to read
    pieces = [p for p in _pieces(tail[-WEAK_WINDOW:]) if p.strip()]
    for piece in reversed(pieces[-WEAK_SENTENCES:]):
        found = sentence_answer(piece)
        if found is not None:
            return found
    return None


def _pieces(tail: str) -> list[str]:
    """The sentences of `tail`, each display-math block (`\\[ ... \\]`, `$$ ... $$`) one piece of its own."""
    pieces: list[str] = []
    pos = 0
    for block in _DISPLAY_MATH.finditer(tail):
        pieces += _SENTENCE_SPLIT.split(tail[pos : block.start()])
        pieces.append(block.group().replace("\n", " "))
        pos = block.end()
    return pieces + _SENTENCE_SPLIT.split(tail[pos:])


def ends_unfinished(final: str) -> bool:
    """True when a final part ends without an end marker and mid-sentence: it was cut off."""
    tail = final.rstrip()
    if any(tail.endswith(m) for m in END_MARKERS):
        return False
    return not _drop_signatures(tail).endswith(FINISHED_ENDINGS)


def _drop_signatures(tail: str) -> str:
    """Remove up to MAX_SIGNATURE_LINES trailing credit lines (`-user2019`, `~edited by X`)."""
    for _ in range(MAX_SIGNATURE_LINES):
        head, _, last = tail.rpartition("\n")
        if not head or not _SIGNATURE.match(last):
            break
        tail = head.rstrip()
    return tail


def _span_value(span: str) -> str | None:
    """The value a math span states: the last right-hand side of an equation chain (`x = a = b` is b),
    read whole (`14+4\\sqrt{37}`, never its 37); None for a restated formula (`f(x) = x^2 + 1`)."""
    if list_items(span) is not None:
        return span  # a stated list (or alternatives): kept whole, the grader decides
    rhs = clean_latex(_APPROX.split(span, 1)[0].rsplit("=", 1)[-1])
    if not rhs:
        return None
    if as_integer(rhs) is not None:
        return rhs
    words = [w for w in _WORD.findall(rhs) if w.lower() not in _NOT_WORDS]
    if words:  # prose inside math (`\text{the answer is } 5`): its one number, if it has exactly one
        numbers = _NUMBER.findall(rhs)
        return numbers[0] if len(numbers) == 1 else None
    if _VARIABLE.search(rhs.replace("\\text", "")):
        return None  # `f(x) = x^2 + 1`: a restated formula, not a value
    return rhs


def sentence_answer(sentence: str) -> tuple[str, str] | None:
    """What a reader takes from one sentence: a bold answer, a final percentage, the last math span's
    value, a stated list, the expression after `is/are/=`, a bare expression, a lone number, or number
    words after `is`. Each is taken whole; `("", text)` when it is negated or offered with an alternative."""
    for bold in reversed(list(_BOLD.finditer(sentence))):
        content = bold.group(1).strip()
        if content.endswith(":"):
            continue  # a heading (`**Step 3:**`)
        found = _bold_value(content.rsplit(":", 1)[-1])
        if found is not None:
            return _unless_hedged(sentence, bold.start(), bold.end(), found)
    percent = _PERCENT_END.search(sentence)
    if percent:
        return _plain(percent.group(1))
    segments = list(_MATH_SEGMENT.finditer(sentence))
    for segment in reversed(segments):
        span = next(g for g in segment.groups() if g is not None)
        value = _span_value(span)
        if value is not None:
            return _unless_hedged(sentence, segment.start(), segment.end(), _plain(value))
    if segments:  # the math here states no value (a restated formula): read only the prose around it
        sentence = _MATH_SEGMENT.sub(" ", sentence)
    listed = _LIST_AFTER_VERB.search(sentence.rstrip())
    if listed:
        items = [n.strip() for n in re.split(r",[ \t]{0,2}(?:and[ \t]{1,2})?", listed.group(1))]
        joined = ", ".join(items)
        return _unless_hedged(sentence, listed.start(1), listed.end(1), (canonical_answer(joined) or joined, joined))
    for verb in reversed(list(_VERB.finditer(sentence))[-4:]):
        expression = expressions_at(sentence, verb.end())
        if expression is not None:
            begin = sentence.index(expression, verb.end())
            return _unless_hedged(sentence, begin, begin + len(expression), _plain(expression))
    bare = whole_expression(sentence)
    if bare is not None:
        return _unless_hedged(sentence, 0, len(sentence), _plain(bare))
    numbers = list(_LONE_NUMBER.finditer(sentence))
    if numbers:
        last = numbers[-1]
        return _unless_hedged(sentence, last.start(), last.end(), _plain(last.group().rstrip(",")))
    words = list(_WORDS_AFTER_VERB.finditer(sentence))
    if words:
        number = words_to_int(words[-1].group(1))
        if number is None:
            return None
        return _unless_hedged(sentence, words[-1].start(1), words[-1].end(1), (str(number), str(number)))
    return None


def _bold_value(content: str) -> tuple[str, str] | None:
    """The answer a bold phrase states: all of it when it is one value or expression, else its one number."""
    inner = _MATH_SEGMENT.fullmatch(content.strip().rstrip(".").strip())
    text = next(g for g in inner.groups() if g is not None) if inner else content
    value = as_integer(text)
    if value is not None:
        return str(value), content
    if inner:
        stated = _span_value(text)
        return None if stated is None else _plain(stated)
    bare = whole_expression(text)
    if bare is not None:
        return _plain(bare)
    numbers = _NUMBER.findall(text)
    if len(numbers) == 1 and (value := as_integer(numbers[0])) is not None:
        return str(value), content
    return None


def _unless_hedged(sentence: str, start: int, end: int, found: tuple[str, str]) -> tuple[str, str]:
    """`found`, or `("", what was said)` when the sentence negates it or offers an alternative to it."""
    if hedged_around(sentence, start, end) or hedged_inside(sentence[start:end]):
        return "", sentence[max(0, start - HEDGE_WINDOW) : end + HEDGE_WINDOW].strip()
    return found


def _plain(number: str) -> tuple[str, str]:
    answer = canonical_answer(number) or number
    return answer, number
