"""Labelled extraction cases shared by the test modules and scripts/bench_extract.py.

A `Case` is one response with the answer and status a careful human grader assigns. `tempting`
is, for cases without an answer, a number that appears in the text: the gold a naive grader
would wrongly match (the benchmark uses it to score "no answer" cases).
"""

from __future__ import annotations

from dataclasses import dataclass

THINK_FILLER = (
    "Let me set up the equations again. If the speed is s, then 9/s + t/60 = 4, and with s + 2 the "
    "walk takes 9/(s+2) + t/60 = 2.4 hours. Subtracting gives 9/s - 9/(s+2) = 1.6, so 18 = 1.6 s(s+2), "
    "which means s^2 + 2s - 11.25 = 0. Wait, let me double-check that arithmetic before going on, "
    "because 2.4 hours is 144 minutes and I do not want to mix minutes and hours here.\n\n"
)


@dataclass(frozen=True)
class Case:
    """One response and the verdict a careful grader gives it."""

    text: str
    answer: str | None
    status: str
    finish_reason: str | None = None
    tempting: str | None = None
    note: str = ""

    @property
    def id(self) -> str:
        return self.note or self.text[-40:]


def r1(thinking: list[str], final: str, *, open_tag: bool = False, filler: int = 3) -> str:
    """An R1-style response: thinking paragraphs (each followed by filler), `</think>`, then `final`."""
    body = "".join(THINK_FILLER * filler + part + "\n\n" for part in thinking)
    return ("<think>\n" if open_tag else "") + body + "</think>\n\n" + final


def sky(thinking: list[str], solution: str) -> str:
    """A Sky-T1-style response with its begin/end-of-thought and solution markers."""
    body = "".join(THINK_FILLER + part + "\n\n" for part in thinking)
    return (
        "<|begin_of_thought|>\n\n" + body + "<|end_of_thought|>\n\nEach step of the solution:\n\n"
        "<|begin_of_solution|>\n\n" + solution + "\n\n<|end_of_solution|>"
    )


def long_r1(answer: str, tokens: int = 30_000, tentative: tuple[str, ...] = ("12", "48")) -> str:
    """A ~`tokens`-token R1-style response (about 4 characters a token) ending in `\\boxed{answer}`."""
    paragraphs = max(1, tokens * 4 // len(THINK_FILLER))
    thinking = THINK_FILLER * paragraphs
    marks = "".join(f"So tentatively the answer is \\boxed{{{t}}}. Hmm, wait.\n\n" for t in tentative)
    final = (
        "**Solution.** Solving $s^2 + 2s - 11.25 = 0$ gives $s = 2.5$, so $t = 24$ minutes.\n\n"
        f"At $s + \\frac{{1}}{{2}} = 3$ km/h the walk takes 3 hours, so the total is $\\boxed{{{answer}}}$ minutes."
    )
    return "<think>\n" + thinking + marks + thinking[: len(thinking) // 4] + "</think>\n\n" + final
