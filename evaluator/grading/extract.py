"""Find the final answer in a model response, as a careful human grader would (docs/grading.md).

Pure functions. Every step is bounded: boxes are found with `str.rfind` from the end and read
with a brace scan capped at MAX_BOX_CHARS; statement patterns have bounded quantifiers only, so
no input (1 MB, unbalanced braces, brace soup) can make the work superlinear.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from evaluator.grading.normalise import (
    MAX_ANSWER_CHARS,
    as_integer,
    canonical_answer,
    clean_latex,
    integer_value,
    words_to_int,
)

OK = "ok"
FROM_REASONING = "from_reasoning"
WEAK = "weak"
NO_ANSWER = "no_answer"
TRUNCATED = "truncated"
AMBIGUOUS = "ambiguous"
OUT_OF_RANGE = "out_of_range"
STATUSES = (OK, FROM_REASONING, WEAK, NO_ANSWER, TRUNCATED, AMBIGUOUS, OUT_OF_RANGE)

AIME_RANGE = range(0, 1000)
MAX_TEXT_CHARS = 2_000_000  # longer inputs: only the end is read (that is where answers are)
MAX_BOX_CHARS = 1_000  # a box whose braces have not closed by then is not an answer
MAX_BOXES = 16  # boxes compared for ambiguity (the last ones of the final part)
MAX_BOX_PROBES = 64  # `\boxed` occurrences inspected per region, readable or not
MAX_STATEMENTS = 8  # final-answer statements tried per form (the last ones)
STATEMENT_WINDOW = 300  # characters after a statement marker that may hold its answer
WEAK_WINDOW = 600  # characters at the end a weak reading looks at
WEAK_SENTENCES = 3  # concluding sentences a weak reading looks back over

THINK_END = ("</think>", "<|end_of_thought|>")
THINK_START = ("<think>", "<|begin_of_thought|>")
END_MARKERS = ("<|end_of_solution|>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "</s>", "<｜end▁of▁sentence｜>")
BOX_COMMANDS = ("\\boxed", "\\fbox")
MATH_OPENERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
FINISHED_ENDINGS = tuple(".!?。！？)]}$*")


@dataclass(frozen=True)
class Extraction:
    """The final answer (canonical text, or None) and how it was found (`status`, `source`)."""

    answer: str | None
    status: str
    source: str = "none"  # box | statement | weak | reasoning | none
    candidates: tuple[str, ...] = ()  # distinct boxed answers of the final part, oldest first


@dataclass(frozen=True)
class StatementForm:
    """One explicit final-answer form: where its marker is, and how strictly to read what follows."""

    name: str
    marker: re.Pattern[str]
    loose: bool  # may pick the single integer out of a phrase ("Answer: there are 12 ways")
    terminator: str | None = None


STATEMENT_FORMS = (
    StatementForm("final_answer", re.compile(r"final[ \t]{0,3}answer[ \t*_]{0,4}(?:is\b|:|=|\n)", re.I), True),
    StatementForm("answer_line", re.compile(r"^[ \t>#*_]{0,8}answer[ \t*_]{0,4}:", re.I | re.M), True),
    StatementForm("answer_tag", re.compile(r"<answer>", re.I), True, "</answer>"),
    StatementForm("hashes", re.compile(r"^[ \t]{0,3}####(?!#)", re.M), False),
)


@dataclass(frozen=True)
class _Box:
    start: int
    content: str


@dataclass(frozen=True)
class _Statement:
    start: int
    answer: str


_BRACE = re.compile(r"\\.|[{}]", re.S)
_BARE_BOX_ARG = re.compile(r"[^\s${}\\]{1,40}")
_STATEMENT_LEAD = re.compile(r"[\s*:_=]{0,20}(?:is\b)?[\s*:_=]{0,20}")
_PHRASE_END = re.compile(r"\n|\.(?:\s|$)|\$|\\\]|\\\)")
_NUMBER = re.compile(r"(?:(?<![\w)}\]])-)?(?:\d{1,3}(?:,\d{3}){1,6}(?![\d,])|\d{1,40}(?:\.\d{1,20})?)")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?。！？])\s{1,20}|\n{1,20}")
_MATH_SEGMENT = re.compile(r"\$\$?([^$]{1,400})\$|\\\((.{1,400}?)\\\)|\\\[(.{1,400}?)\\\]", re.S)
_NUMBER_WORD = r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand)"
_WORDS_AFTER_VERB = re.compile(rf"\b(?:is|are|equals|be|answer:?)[ \t]{{1,3}}((?:{_NUMBER_WORD}(?:[ \t-]{{1,3}}(?:and[ \t]{{1,3}})?)){{0,8}}{_NUMBER_WORD})\b", re.I)
_NUMBER_AFTER_VERB = re.compile(r"\b(?:is|are|equals|=|gives|get|be)[ \t]{1,3}(-?\d[\d,]{0,40}(?:\.\d{1,20})?)")
_NUMBER_ATOM = re.compile(r"-?(?:\\frac\{[^{}]{1,30}\}\{[^{}]{1,30}\}|\d{1,20}\.\d{1,20}|\d{0,20}\\sqrt\{[^{}]{1,30}\})")
_WORD_RUN = re.compile(r"(?<!\\)\b[A-Za-z]{3,}\b")


def extract_answer(text: str, finish_reason: str | None = None) -> Extraction:
    """The final answer of one response; `finish_reason` as the backend reported it ("stop", "length")."""
    text = text[-MAX_TEXT_CHARS:]
    cut = max((text.rfind(m) + len(m) if m in text else -1) for m in THINK_END)
    opened = any(m in text for m in THINK_START)
    if cut < 0 and (finish_reason == "length" or (opened and finish_reason != "stop")):
        return Extraction(None, TRUNCATED)  # thinking never finished: no committed answer
    if cut < 0 and opened:  # stopped inside its thinking: every box there is a draft, not an answer
        return Extraction(None, NO_ANSWER)
    start = max(cut, 0)
    explicit = _explicit_answer(text, start, len(text))
    if explicit is not None:
        return explicit
    if finish_reason == "length":
        boxes = _last_boxes(text, 0, start, 1)
        if boxes:
            return _finish(canonical_answer(boxes[0].content), FROM_REASONING, "reasoning")
        return Extraction(None, TRUNCATED)
    weak = _weak_answer(text[start:], finish_reason)
    if weak is not None:
        return _finish(weak, WEAK, "weak")
    return Extraction(None, NO_ANSWER)


def _finish(answer: str | None, status: str, source: str, candidates: tuple[str, ...] = ()) -> Extraction:
    """Wrap an answer, marking integers outside 0-999 as out of range (they are never taken silently)."""
    if answer is None:
        return Extraction(None, NO_ANSWER, source, candidates)
    value = integer_value(answer)
    if value is not None and value not in AIME_RANGE:
        status = OUT_OF_RANGE
    return Extraction(answer, status, source, candidates)


def _explicit_answer(text: str, lo: int, hi: int) -> Extraction | None:
    """Last box or explicit statement in text[lo:hi]; a statement after the last box wins."""
    boxes = [(box, answer) for box in _last_boxes(text, lo, hi, MAX_BOXES) if (answer := canonical_answer(box.content))]
    candidates = tuple(dict.fromkeys(answer for _, answer in reversed(boxes)))
    last_box_start = boxes[0][0].start if boxes else -1
    statement = _last_statement(text, lo, hi, after=last_box_start)
    if statement is not None and statement.start > last_box_start:
        return _finish(statement.answer, OK, "statement", candidates)
    if not boxes:
        return None
    chosen = statement is not None and statement.answer == boxes[0][1]
    status = AMBIGUOUS if len(candidates) > 1 and not chosen else OK
    return _finish(boxes[0][1], status, "box", candidates)


def _last_boxes(text: str, lo: int, hi: int, limit: int) -> list[_Box]:
    """Up to `limit` readable boxes in text[lo:hi], newest first, probing at most MAX_BOX_PROBES."""
    found: list[_Box] = []
    nxt = {cmd: text.rfind(cmd, lo, hi) for cmd in BOX_COMMANDS}
    for _ in range(MAX_BOX_PROBES):
        cmd = max(nxt, key=lambda c: nxt[c])
        i = nxt[cmd]
        if i < 0 or len(found) >= limit:
            break
        box = _read_box(text, i, i + len(cmd), hi)
        if box is not None:
            found.append(box)
        nxt[cmd] = text.rfind(cmd, lo, i)
    return found


def _read_box(text: str, start: int, arg: int, hi: int) -> _Box | None:
    """The box starting at `start` whose argument begins at `arg`: `{...}` balanced, or `\\boxed 5`."""
    k = arg
    while k < hi and k - arg < 3 and text[k] in " \t":
        k += 1
    if k < hi and text[k] == "{":
        end = _closing_brace(text, k, min(hi, k + MAX_BOX_CHARS))
        return None if end is None or end == k + 1 else _Box(start, text[k + 1 : end])
    if k > arg or (k < hi and text[k].isdigit()):
        bare = _BARE_BOX_ARG.match(text, k, hi)
        return None if bare is None else _Box(start, bare.group())
    return None


def _closing_brace(text: str, open_at: int, limit: int) -> int | None:
    """Index of the brace closing text[open_at], ignoring escaped `\\{`; None if not before `limit`."""
    depth = 0
    for match in _BRACE.finditer(text, open_at, limit):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return match.start()
    return None


def _last_statement(text: str, lo: int, hi: int, after: int) -> _Statement | None:
    """The latest explicit final-answer statement with a readable answer, or the one naming the last box."""
    starts: list[tuple[int, int, StatementForm]] = []
    for form in STATEMENT_FORMS:
        for match in deque(form.marker.finditer(text, lo, hi), maxlen=MAX_STATEMENTS):
            starts.append((match.start(), match.end(), form))
    for start, end, form in sorted(starts, key=lambda s: s[0], reverse=True):
        answer = _statement_answer(text[end : min(hi, end + STATEMENT_WINDOW)], form)
        if answer is not None:
            return _Statement(start, answer)
        if start < after:
            break
    return None


def _statement_answer(window: str, form: StatementForm) -> str | None:
    """Read the answer that follows a final-answer marker (a box, a math span, or a short phrase)."""
    if form.terminator is not None:
        window = window.split(form.terminator, 1)[0]
    lead = _STATEMENT_LEAD.match(window)
    window = window[lead.end() if lead else 0 :]
    for opener, closer in MATH_OPENERS:
        if window.startswith(opener):
            body = window[len(opener) :].lstrip()
            for cmd in BOX_COMMANDS:
                if body.startswith(cmd):
                    box = _read_box(body, 0, len(cmd), len(body))
                    return canonical_answer(box.content) if box else None
            end = body.find(closer)
            window = body if end < 0 else body[:end]
            break
    else:
        for cmd in BOX_COMMANDS:
            if window.startswith(cmd):
                box = _read_box(window, 0, len(cmd), len(window))
                return canonical_answer(box.content) if box else None
        stop = _PHRASE_END.search(window)
        window = window if stop is None else window[: stop.start()]
    phrase = window.strip()
    if not phrase or len(phrase) > MAX_ANSWER_CHARS:
        return None
    value = as_integer(phrase)
    if value is not None:
        return str(value)
    if _WORD_RUN.search(phrase.replace("\\text", "")) is None:
        return canonical_answer(phrase)  # a math expression: the answer is not an integer
    if form.loose:
        numbers = {canonical_answer(n) for n in _NUMBER.findall(phrase)}
        if len(numbers) == 1:
            return numbers.pop()
    return None


def _weak_answer(final: str, finish_reason: str | None) -> str | None:
    """Final number of the concluding sentence or math expression of a finished response, else None."""
    tail = final[-(WEAK_WINDOW + 200) :].rstrip()
    for _ in range(len(END_MARKERS)):
        stripped = next((tail[: -len(m)].rstrip() for m in END_MARKERS if tail.endswith(m)), None)
        if stripped is None:
            break
        tail = stripped
    if not tail or (finish_reason != "stop" and not tail.endswith(FINISHED_ENDINGS)):
        return None  # ends mid-sentence: there is no concluding sentence to read
    pieces = [p for p in _SENTENCE_SPLIT.split(tail[-WEAK_WINDOW:]) if p.strip()]
    for piece in reversed(pieces[-WEAK_SENTENCES:]):
        value = _sentence_number(piece)
        if value is not None:
            return value
    return None


def _span_value(span: str) -> str | None:
    """Value of a math span: its right-hand side if that is one number (`= 204`, `= \\frac{1}{2}`)."""
    rhs = clean_latex(span.rsplit("=", 1)[-1])
    value = as_integer(rhs)
    if value is not None:
        return str(value)
    if _NUMBER_ATOM.fullmatch(rhs.replace(" ", "")):
        return canonical_answer(rhs)
    numbers = _NUMBER.findall(span)
    return canonical_answer(numbers[-1]) if numbers else None


def _sentence_number(sentence: str) -> str | None:
    """The number a reader takes from one sentence: last math span's final number, else the stated one."""
    spans = [next(g for g in m.groups() if g is not None) for m in _MATH_SEGMENT.finditer(sentence)]
    for span in reversed(spans):
        value = _span_value(span)
        if value is not None:
            return value
    stated = _NUMBER_AFTER_VERB.findall(sentence)
    numbers = stated or _NUMBER.findall(sentence)
    if numbers:
        return canonical_answer(numbers[-1].rstrip(","))
    words = _WORDS_AFTER_VERB.findall(sentence)
    if words:
        number = words_to_int(words[-1])
        return None if number is None else str(number)
    return None
