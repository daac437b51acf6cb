"""Find the final answer in a model response, as a careful human grader would (docs/grading.md).

Pure functions. Every step is bounded: boxes are found with `str.rfind` from the end and read
with a brace scan capped at MAX_BOX_CHARS, in the last BOX_REGION characters only; final-answer
statements are searched for only in the last STATEMENT_REGION characters of the final part and the
weak reading only in the last WEAK_WINDOW. The one scan over the whole text is the C-level `rfind`
for the end-of-thinking markers (whether thinking ever finished needs the whole text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final

from evaluator.benchmarks.registry import AIME_ANSWERS
from evaluator.grading._free_form import (
    END_MARKERS,
    WEAK_WINDOW,
    ends_unfinished,
    sentence_answer,
    weak_answer,
)
from evaluator.grading._spans import alternative_around, expressions_at, hedged_around, hedged_inside, negated
from evaluator.grading.normalise import (
    MAX_ANSWER_CHARS,
    as_integer,
    canonical_answer,
    integer_value,
)
from evaluator.types import Status

OK: Final = "ok"
FROM_REASONING: Final = "from_reasoning"
WEAK: Final = "weak"
NO_ANSWER: Final = "no_answer"
TRUNCATED: Final = "truncated"
AMBIGUOUS: Final = "ambiguous"
OUT_OF_RANGE: Final = "out_of_range"
HEDGED: Final = "hedged"
STATUSES: tuple[Status, ...] = (OK, FROM_REASONING, WEAK, NO_ANSWER, TRUNCATED, AMBIGUOUS, OUT_OF_RANGE, HEDGED)

AIME_RANGE = AIME_ANSWERS  # the answers of the AIME sets; other contests pass no range
MAX_TEXT_CHARS = 2_000_000  # longer inputs: only the end is read (that is where answers are)
MAX_BOX_CHARS = 1_000  # a box whose braces have not closed by then is not an answer
MAX_BOXES = 16  # boxes compared for ambiguity (the last ones of the final part)
MAX_BOX_PROBES = 64  # `\boxed` occurrences inspected per region, readable or not
MAX_STATEMENTS = 8  # final-answer statements tried per form (the last ones)
STATEMENT_WINDOW = 300  # characters after a statement marker that may hold its answer
STATEMENT_REGION = 4_000  # statements are looked for only in the last this-many characters of the final part
BOX_REGION = 64_000  # boxes: the last this-many characters of the final part (and of the reasoning)
THINK_OPEN_WINDOW = 1_000  # an opening think marker counts only near the start, where models emit it

THINK_END = ("</think>", "<|end_of_thought|>")
THINK_START = ("<think>", "<|begin_of_thought|>")
BOX_COMMANDS = ("\\boxed", "\\fbox")
MATH_OPENERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
__all__ = ["AIME_RANGE", "END_MARKERS", "STATUSES", "Extraction", "extract_answer"]


@dataclass(frozen=True)
class Extraction:
    """The final answer (canonical text, or None) and how it was found (`status`, `source`).

    `span` is the stated answer as written (LaTeX, at most MAX_ANSWER_CHARS): the whole list of
    `\\boxed{1}, \\boxed{2}`, the `7/4` of "the ratio is 7/4". Non-integer golds are compared with it.
    """

    answer: str | None
    status: Status
    source: str = "none"  # box | statement | weak | reasoning | none
    candidates: tuple[str, ...] = ()  # distinct boxed answers of the final part, oldest first
    span: str | None = None


@dataclass(frozen=True)
class StatementForm:
    """One explicit final-answer form: where its marker is, and how strictly to read what follows.

    `key` is a lower-case literal every marker contains: markers are located with `str.find` on it
    (C speed) and only then matched, at the key or (`line_start`) at the start of its line."""

    name: str
    marker: re.Pattern[str]
    loose: bool  # may pick the single integer out of a phrase ("Answer: there are 12 ways")
    terminator: str | None = None
    key: str = ""
    line_start: bool = False


STATEMENT_FORMS = (
    StatementForm("final_answer", re.compile(r"final[ \t]{0,3}answer[ \t*_]{0,4}(?:is\b|:|=|\n)", re.I), True,
                  key="final"),
    StatementForm("answer_line", re.compile(r"^[ \t>#*_]{0,8}answer[ \t*_]{0,4}:", re.I | re.M), True,
                  key="answer", line_start=True),
    StatementForm("answer_tag", re.compile(r"<answer>", re.I), True, "</answer>", key="<answer>"),
    StatementForm("hashes", re.compile(r"^[ \t]{0,3}####(?!#)", re.M), False, key="####", line_start=True),
)


@dataclass(frozen=True)
class _Box:
    start: int
    end: int
    content: str


@dataclass(frozen=True)
class _Statement:
    start: int
    answer: str
    span: str


_BRACE = re.compile(r"\\.|[{}]", re.S)
_BARE_BOX_ARG = re.compile(r"[^\s${}\\]{1,40}")
_STATEMENT_LEAD = re.compile(r"[\s*:_=#]{0,20}(?:is\b)?[\s*:_=#]{0,20}")
_PHRASE_END = re.compile(r"\n|\.(?:\s|$)|\$|\\\]|\\\)")
_SENTENCE_END = re.compile(r"\n|\.(?:\s|$)")
_WORD_RUN = re.compile(r"(?<!\\)\b[A-Za-z]{3,}\b")
# Between two boxes that together state one answer: `\boxed{1}, \boxed{2}`, `$\boxed{1}$ and $\boxed{2}$`.
_LIST_GAP = re.compile(r"[ \t$]{0,4}(?:,|;|and|\\text\{[ \t]{0,2}and[ \t]{0,2}\}|\\quad)[ \t$,]{0,6}(?:and[ \t$]{1,4})?")


def extract_answer(text: str, finish_reason: str | None = None, answer_range: range | None = None) -> Extraction:
    """The final answer of one response; `finish_reason` as the backend reported it ("stop", "length", None).

    `answer_range` is the contest's range of integer answers (AIME_RANGE for the AIME sets): an integer
    outside it keeps its value but gets status `out_of_range`. None (other contests): no range check."""
    found = _extract(text[-MAX_TEXT_CHARS:], finish_reason)
    value = integer_value(found.answer)
    if answer_range is not None and value is not None and value not in answer_range:
        return replace(found, status=OUT_OF_RANGE)
    return found


def _extract(text: str, finish_reason: str | None) -> Extraction:
    cut = max((i + len(m) if (i := text.rfind(m)) >= 0 else -1) for m in THINK_END)
    opened = any(m in text[:THINK_OPEN_WINDOW] for m in THINK_START)
    if cut < 0 and (finish_reason == "length" or (opened and finish_reason != "stop")):
        return Extraction(None, TRUNCATED)  # thinking never finished: no committed answer
    if cut < 0 and opened:  # stopped inside its thinking: every box there is a draft, not an answer
        return Extraction(None, NO_ANSWER)
    start = max(cut, 0)
    explicit = _explicit_answer(text, start, len(text))
    if explicit is not None:
        return explicit
    tail = text[max(start, len(text) - WEAK_WINDOW - 200) :]
    cut_off = finish_reason == "length" or (finish_reason is None and cut >= 0 and ends_unfinished(tail))
    if cut_off:  # stopped after thinking, before stating an answer: the reasoning's last box is committed
        boxes = _last_boxes(text, max(0, start - BOX_REGION), start, 1)
        if boxes:
            return _finish(canonical_answer(boxes[0].content), FROM_REASONING, "reasoning", span=boxes[0].content)
        return Extraction(None, TRUNCATED)
    weak = weak_answer(tail, finish_reason)
    if weak is not None:
        return _finish(weak[0], WEAK, "weak", span=weak[1])  # an empty answer: the sentence hedged
    return Extraction(None, NO_ANSWER)


def _finish(
    answer: str | None, status: Status, source: str, candidates: tuple[str, ...] = (), span: str | None = None
) -> Extraction:
    """Wrap an answer; an empty one is a hedge ("5 or 7", "not 7"): no answer, status `hedged`, span kept."""
    written = span.strip()[:MAX_ANSWER_CHARS] if span is not None else ""
    if answer == "":
        return Extraction(None, HEDGED, source, candidates, written or None)
    if answer is None:
        return Extraction(None, NO_ANSWER, source, candidates)
    return Extraction(answer, status, source, candidates, written or answer)


def _explicit_answer(text: str, lo: int, hi: int) -> Extraction | None:
    """Last box (or list of adjacent boxes) or explicit statement in text[lo:hi]; a later statement wins."""
    found = _last_boxes(text, max(lo, hi - BOX_REGION), hi, MAX_BOXES)
    found = [box for box in found if not negated(text, box.start)]  # "the answer is \boxed{11}, not \boxed{10}"
    boxes = [(box, answer) for box in _join_adjacent(text, found) if (answer := canonical_answer(box.content))]
    candidates = tuple(dict.fromkeys(answer for _, answer in reversed(boxes)))
    last_box_start = boxes[0][0].start if boxes else -1
    statement = _last_statement(text, max(lo, hi - STATEMENT_REGION), hi, after=last_box_start)
    if statement is not None and statement.start > last_box_start:
        return _finish(statement.answer, OK, "statement", candidates, statement.span)
    if not boxes:
        return None
    last = boxes[0][0]
    if hedged_inside(last.content) or alternative_around(text, last.start, last.end):
        return _finish("", OK, "box", candidates, last.content)  # `\boxed{5 \text{ or } 7}`, `\boxed{5} or \boxed{7}`
    chosen = statement is not None and statement.answer == boxes[0][1]
    status: Status = AMBIGUOUS if len(candidates) > 1 and not chosen else OK
    return _finish(boxes[0][1], status, "box", candidates, boxes[0][0].content)


def _join_adjacent(text: str, boxes: list[_Box]) -> list[_Box]:
    """Boxes newest first, with the newest run of boxes separated only by `,`/`and` joined into one list."""
    if len(boxes) < 2:
        return boxes
    run = [boxes[0]]
    for older in boxes[1:]:
        gap = text[older.end : run[-1].start]
        if len(gap) > 24 or not _LIST_GAP.fullmatch(gap):
            break
        run.append(older)
    if len(run) == 1:
        return boxes
    joined = ", ".join(box.content for box in reversed(run))
    return [_Box(run[-1].start, run[0].end, joined), *boxes[len(run) :]]


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
        return None if end is None or end == k + 1 else _Box(start, end + 1, text[k + 1 : end])
    if k > arg or (k < hi and text[k].isdigit()):
        bare = _BARE_BOX_ARG.match(text, k, hi)
        return None if bare is None else _Box(start, bare.end(), bare.group())
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
    region = text[lo:hi]
    lower = region.lower()
    for form in STATEMENT_FORMS:
        if len(lower) != len(region):  # lower-casing changed the length (rare non-ASCII): plain regex scan
            found = [(m.start(), m.end()) for m in form.marker.finditer(text, lo, hi)]
        else:
            found = _markers(text, lower, lo, hi, form)
        starts.extend((start, end, form) for start, end in found[-MAX_STATEMENTS:])
    for start, end, form in sorted(starts, key=lambda s: s[0], reverse=True):
        stated = _statement_answer(text[end : min(hi, end + STATEMENT_WINDOW)], form)
        if stated is not None:
            return _Statement(start, *stated)
        if start < after:
            break
    return None


def _markers(text: str, lower: str, lo: int, hi: int, form: StatementForm) -> list[tuple[int, int]]:
    """(start, end) of each `form` marker in text[lo:hi], oldest first, found through its key."""
    found: dict[int, int] = {}
    i = lower.find(form.key)
    while i >= 0:
        at = lo + i
        begin = max(lo, text.rfind("\n", lo, at) + 1) if form.line_start else at
        match = form.marker.match(text, begin, hi)
        if match is not None and match.start() <= at < match.end():
            found[match.start()] = match.end()
        i = lower.find(form.key, i + 1)
    return sorted(found.items())


def _statement_answer(window: str, form: StatementForm) -> tuple[str, str] | None:
    """(answer, span) that follows a final-answer marker (a box, a math span, or a short phrase)."""
    if form.terminator is not None:
        window = window.split(form.terminator, 1)[0]
    lead = _STATEMENT_LEAD.match(window)
    window = window[lead.end() if lead else 0 :]
    rest = sentence = ""  # what follows a math span ("or $7$" makes it a hedge); the sentence of a phrase
    for opener, closer in MATH_OPENERS:
        if window.startswith(opener):
            body = window[len(opener) :].lstrip()
            for cmd in BOX_COMMANDS:
                if body.startswith(cmd):
                    return _box_answer(body, cmd)
            end = body.find(closer)
            window, rest = (body, "") if end < 0 else (body[:end], body[end + len(closer) :])
            break
    else:
        for cmd in BOX_COMMANDS:
            if window.startswith(cmd):
                return _box_answer(window, cmd)
        stop = _PHRASE_END.search(window)
        sentence = _SENTENCE_END.split(window, 1)[0]  # for a phrase with math in it: "the minimum is $9\sqrt{15}$"
        window = window if stop is None else window[: stop.start()]
    phrase = window.strip()
    if not phrase or len(phrase) > MAX_ANSWER_CHARS:
        return None
    if hedged_inside(phrase) or hedged_around(rest, 0, 0):
        return "", phrase  # "Final answer: 5 or 7", "Answer: $5$ or $7$"
    value = as_integer(phrase)
    if value is not None:
        return str(value), phrase
    if _WORD_RUN.search(phrase.replace("\\text", "")) is None:
        answer = canonical_answer(phrase)  # a math expression, read whole: the answer is not an integer
        return None if answer is None else (answer, phrase)
    first = expressions_at(phrase, 0) if form.loose else None
    if first is not None and phrase.startswith(first):  # "Answer: 12 (since 3 x 4)": the value it opens with
        if alternative_around(phrase, 0, len(first)):
            return "", phrase
        answer = canonical_answer(first)
        return None if answer is None else (answer, first)
    if form.loose:  # a phrase ("there are 12 ways", "the value is $14+4\\sqrt{37}$"): read as a sentence
        return sentence_answer(sentence or phrase)
    return None


def _box_answer(window: str, cmd: str) -> tuple[str, str] | None:
    box = _read_box(window, 0, len(cmd), len(window))
    if box is not None and hedged_inside(box.content):
        return "", box.content
    answer = canonical_answer(box.content) if box else None
    return None if box is None or answer is None else (answer, box.content)
