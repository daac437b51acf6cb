"""Prices per 1M tokens (input, output) in USD, for the cost line of the summary. Overridable.

List prices change: these are the providers' published prices when this table was written
(docs/models.md names the sources). Override with a JSON file `{"model or preset": [in, out]}` named
by $AIME_EVAL_PRICES, or pass `prices=` to `cost_usd`. Reasoning tokens are billed as output tokens.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from evaluator.errors import PricesError

PRICES_ENV = "AIME_EVAL_PRICES"


PRICES: dict[str, tuple[float, float]] = {
    "deepseek-r1": (0.70, 2.50),  # OpenRouter deepseek/deepseek-r1, varies by routed host
    "deepseek/deepseek-r1": (0.70, 2.50),
    "deepseek-reasoner": (0.28, 0.42),  # api.deepseek.com, V3.2 pricing (cache miss)
    "o1": (15.00, 60.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
}


def price_table(prices: Mapping[str, tuple[float, float]] | None = None) -> dict[str, tuple[float, float]]:
    """The built-in table, updated from $AIME_EVAL_PRICES, then from `prices`."""
    table = dict(PRICES)
    path = os.environ.get(PRICES_ENV)
    if path:
        try:
            loaded = json.loads(Path(path).read_text(encoding="utf-8"))
            table.update({str(k): (float(v[0]), float(v[1])) for k, v in loaded.items()})
        except (OSError, ValueError, TypeError, IndexError, AttributeError) as exc:
            raise PricesError(f"${PRICES_ENV}={path}: cannot use it as a price table ({exc.__class__.__name__}: "
                              f"{exc}); it must be a JSON object {{\"model\": [input, output]}} in USD per 1M tokens") from exc
    table.update(prices or {})
    return table


def cost_usd(
    model_name: str,
    prompt_tokens: int,
    completion_tokens: int,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> float | None:
    """Cost of the given usage, or None when the model has no price (local servers, mock)."""
    price = price_table(prices).get(model_name)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000
