"""Weak reading: the answer of a finished response that states none in an explicit form (docs/grading.md
rule 4). Reads the concluding sentences of the last WEAK_WINDOW characters only, so its cost does
not depend on the response length.

Returns `(answer, span)`: `answer` is the canonical text a grader takes for an integer gold (the
value of the last math span, else the stated number); `span` is the whole stated answer (a list
`2, 4, 6, 8`, a fraction `7/4`) used when the gold is not an integer.
"""

from __future__ import annotations

import re

from evaluator.grading.normalise import as_integer, canonical_answer, clean_latex, words_to_int

WEAK_WINDOW = 600  # characters at the end a weak reading looks at
WEAK_SENTENCES = 3  # concluding sentences a weak reading looks back over
MAX_SIGNATURE_LINES = 3  # trailing credit lines (`-user2019`, `LaTeXed by X`) skipped
END_MARKERS = ("<|end_of_solution|>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "</s>", "<｜end▁of▁sentence｜>")
FINISHED_ENDINGS = tuple(".!?。！？)]}$*")

_NUM = r"(?<![A-Za-z\d.])-?\d{1,40}(?:,\d{3}){0,6}(?:\.\d{1,20})?(?:/\d{1,20})?(?![\d/])"
_NUMBER = re.compile(_NUM)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?。！？])\s{1,20}|\n{1,20}")
_MATH_SEGMENT = re.compile(r"\$\$?([^$]{1,400})\$|\\\((.{1,400}?)\\\)|\\\[(.{1,400}?)\\\]", re.S)
_NUMBER_WORD = r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand)"
_WORDS_AFTER_VERB = re.compile(rf"\b(?:is|are|equals|be|answer:?)[ \t]{{1,3}}((?:{_NUMBER_WORD}(?:[ \t-]{{1,3}}(?:and[ \t]{{1,3}})?)){{0,8}}{_NUMBER_WORD})\b", re.I)
_NUMBER_AFTER_VERB = re.compile(rf"\b(?:is|are|equals|=|gives|get|be)[ \t]{{1,3}}({_NUM})")
_LIST_AFTER_VERB = re.compile(rf"\b(?:is|are|equals|=)[ \t]{{1,3}}((?:{_NUM}[ \t]{{0,2}},[ \t]{{1,2}}(?:and[ \t]{{1,2}})?){{1,12}}{_NUM})[ \t]{{0,2}}[.!。]?$")
_NUMBER_ATOM = re.compile(r"-?(?:\\frac\{[^{}]{1,30}\}\{[^{}]{1,30}\}|\d{1,20}\.\d{1,20}|\d{0,20}\\sqrt\{[^{}]{1,30}\}|\d{1,20}/\d{1,20})")
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
    pieces = [p for p in _SENTENCE_SPLIT.split(tail[-WEAK_WINDOW:]) if p.strip()]
    for piece in reversed(pieces[-WEAK_SENTENCES:]):
        found = _sentence_answer(piece)
        if found is not None:
            return found
    return None


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


def _span_value(span: str) -> tuple[str, str] | None:
    """Value of a math span: its right-hand side if that is a value (`= 204`, `= \\frac{1}{2}`, `6 \\cdot 7`)."""
    rhs = clean_latex(span.rsplit("=", 1)[-1])
    value = as_integer(rhs)
    if value is not None:
        return str(value), rhs
    answer = canonical_answer(rhs)
    if answer is not None and _NUMBER_ATOM.fullmatch(rhs.replace(" ", "")):
        return answer, rhs
    if _VARIABLE.search(rhs.replace("\\text", "")):
        return None  # `f(x) = x^2 + 1`: a restated formula, not a value
    numbers = _NUMBER.findall(span)
    if not numbers:
        return None
    last = canonical_answer(numbers[-1])
    return None if last is None else (last, rhs if "," in rhs else last)


def _sentence_answer(sentence: str) -> tuple[str, str] | None:
    """What a reader takes from one sentence: a bold number, a final percentage, the last math span's
    value, a stated list, a number after `is/are/=`, the last number, or number words after `is`."""
    for bold in reversed(_BOLD.findall(sentence)):
        if bold.rstrip().endswith(":"):
            continue  # a heading (`**Step 3:**`)
        value = as_integer(bold)
        numbers = _NUMBER.findall(bold)
        if value is None and len(numbers) == 1:
            value = as_integer(numbers[0])
        if value is not None:
            return str(value), bold
    percent = _PERCENT_END.search(sentence)
    if percent:
        return _plain(percent.group(1))
    spans = [next(g for g in m.groups() if g is not None) for m in _MATH_SEGMENT.finditer(sentence)]
    for span in reversed(spans):
        found = _span_value(span)
        if found is not None:
            return found
    if spans:  # the math here states no value (a restated formula): read only the prose around it
        sentence = _MATH_SEGMENT.sub(" ", sentence)
    listed = _LIST_AFTER_VERB.search(sentence.rstrip())
    if listed:
        items = [n.strip() for n in re.split(r",[ \t]{0,2}(?:and[ \t]{1,2})?", listed.group(1))]
        joined = ", ".join(items)
        return canonical_answer(joined) or joined, joined
    stated = _NUMBER_AFTER_VERB.findall(sentence)
    numbers = stated or _NUMBER.findall(sentence)
    if numbers:
        return _plain(numbers[-1].rstrip(","))
    words = _WORDS_AFTER_VERB.findall(sentence)
    if words:
        number = words_to_int(words[-1])
        return None if number is None else (str(number), str(number))
    return None


def _plain(number: str) -> tuple[str, str]:
    answer = canonical_answer(number) or number
    return answer, number
