"""What a run will cost before it runs: samples, tokens, dollars, wall time, and whether vLLM's cache fits.

Pure arithmetic over what is known, each figure saying where it comes from:
- output tokens per sample: measured on samples the run already holds (a pilot, or an interrupted run), else
  `max_tokens` as an upper bound (no model's mean length on a contest is assumed: a wrong guess would
  look like a measurement);
- prompt tokens per sample: measured likewise, else the prompt's characters / 4 (an estimate, said so);
- dollars: the price table (`run.pricing`, `$AIME_EVAL_PRICES`) or `--price-in/--price-out` per 1M tokens;
- wall time: samples x measured seconds per sample / samples in flight (API: `--concurrency`; vLLM: the
  memory plan's sequences that fit at the measured length); unknown without a measured latency.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Forecast", "TokenFigure", "forecast"]

#: Characters per token of English/LaTeX prompts for the estimate without a measurement (a common rule of thumb).
CHARS_PER_TOKEN = 4.0


@dataclass(frozen=True, kw_only=True)
class TokenFigure:
    """Tokens per sample and where the figure comes from."""

    per_sample: float
    source: str


@dataclass(frozen=True, kw_only=True)
class Forecast:
    """The forecast of the samples still to generate (`samples`), next to what the run already holds."""

    samples: int
    held: int
    prompt: TokenFigure
    output: TokenFigure
    price_in: float | None  # USD per 1M tokens
    price_out: float | None
    price_source: str
    seconds_per_sample: float | None
    in_flight: int | None
    in_flight_source: str
    kv_note: str | None = None

    @property
    def prompt_tokens(self) -> float:
        return self.samples * self.prompt.per_sample

    @property
    def output_tokens(self) -> float:
        return self.samples * self.output.per_sample

    @property
    def cost_usd(self) -> float | None:
        if self.price_in is None or self.price_out is None:
            return None
        return (self.prompt_tokens * self.price_in + self.output_tokens * self.price_out) / 1_000_000

    @property
    def wall_s(self) -> float | None:
        if self.seconds_per_sample is None or not self.in_flight:
            return None
        return math.ceil(self.samples / self.in_flight) * self.seconds_per_sample

    def lines(self) -> list[str]:
        """The forecast as the terminal prints it, one figure per line."""
        cost = self.cost_usd
        wall = self.wall_s
        lines = [
            f"samples to generate: {self.samples:,}" + (f" ({self.held:,} already in the run)" if self.held else ""),
            f"prompt tokens: {self.prompt_tokens:,.0f} ({self.prompt.per_sample:,.0f} per sample, {self.prompt.source})",
            f"output tokens: {self.output_tokens:,.0f} ({self.output.per_sample:,.0f} per sample, {self.output.source})",
            "cost: " + (f"${cost:,.2f} at ${self.price_in:g} in / ${self.price_out:g} out per 1M tokens "
                        f"({self.price_source})" if cost is not None else f"unknown ({self.price_source})"),
            "wall time: " + (f"{_duration(wall)} ({self.samples:,} samples x {self.seconds_per_sample:.1f} s / "
                             f"{self.in_flight} in flight, {self.in_flight_source})" if wall is not None
                             else f"unknown ({self.in_flight_source})"),
        ]
        if self.kv_note:
            lines.append(f"KV cache: {self.kv_note}")
        return lines


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def forecast(
    *,
    samples: int,
    held: Sequence[Mapping[str, Any]],
    prompt_chars: float,
    max_tokens: int,
    prices: tuple[float, float] | None,
    price_source: str,
    in_flight: int | None,
    in_flight_source: str,
    kv_note: str | None = None,
) -> Forecast:
    """The forecast for `samples` more samples, from the run's finished sample records `held` (their
    measured tokens and latencies win over estimates). `prompt_chars`: mean prompt length in characters."""
    measured = [r for r in held if r.get("completion_tokens") is not None]
    if measured:
        output = TokenFigure(per_sample=sum(int(r["completion_tokens"]) for r in measured) / len(measured),
                             source=f"measured on {len(measured):,} sample(s) of this run")
    else:
        output = TokenFigure(per_sample=float(max_tokens),
                             source="upper bound: max_tokens; a --pilot measures it")
    with_prompt = [r for r in held if r.get("prompt_tokens") is not None]
    if with_prompt:
        prompt = TokenFigure(per_sample=sum(int(r["prompt_tokens"]) for r in with_prompt) / len(with_prompt),
                             source="measured")
    else:
        prompt = TokenFigure(per_sample=prompt_chars / CHARS_PER_TOKEN,
                             source=f"estimated at {CHARS_PER_TOKEN:g} characters per token")
    latencies = [float(r["latency_s"]) for r in held if r.get("latency_s") is not None]
    seconds = sum(latencies) / len(latencies) if latencies else None
    flight_source = in_flight_source if seconds is not None else "no measured latency yet; a --pilot measures it"
    return Forecast(
        samples=samples, held=len(held), prompt=prompt, output=output,
        price_in=prices[0] if prices else None, price_out=prices[1] if prices else None, price_source=price_source,
        seconds_per_sample=seconds, in_flight=in_flight, in_flight_source=flight_source, kv_note=kv_note,
    )
