"""Independent computations of the demo set's answers (the demo problems are our own, written for this project)."""

from __future__ import annotations

import math
from itertools import product


def _divisors_sum(n: int) -> int:
    return sum(d for d in range(1, n + 1) if n % d == 0)


def _subset_sums(values: range, target: int) -> int:
    ways = [1] + [0] * target
    for v in values:
        for s in range(target, v - 1, -1):
            ways[s] += ways[s - v]
    return ways[target]


def _fib(n: int) -> int:
    a, b = 1, 1
    for _ in range(n - 1):
        a, b = b, a + b
    return a


def _trailing_zeros(n: int) -> int:
    f, zeros = math.factorial(n), 0
    while f % 10 == 0:
        f //= 10
        zeros += 1
    return zeros


COMPUTED: dict[str, int] = {
    "demo-1": sum(1 for n in range(1, 1000) if n % 7 == 0 and n % 11 != 0),
    "demo-2": _divisors_sum(360) % 1000,
    "demo-3": pow(3, 2026, 1000),
    "demo-4": sum(1 for a in range(1, 100) if math.gcd(a, 100 - a) == 1),
    "demo-5": _subset_sums(range(1, 13), 30),
    "demo-6": sum(int(d) for d in str(2**50)),
    "demo-7": next(n for n in range(1, 1000) if math.factorial(n) % 10**20 == 0),
    "demo-8": sum(1 for x, y in product(range(-10, 11), repeat=2) if x * x + y * y <= 100),
    "demo-9": _trailing_zeros(2026),
    "demo-10": _fib(100) % 1000,
    "demo-11": sum(1 for n in range(1, 501) if (n * n + n + 1) % 7 == 0),
    "demo-12": sum(1 for a, b, c in product(range(1, 21), repeat=3) if a < b < c and (a + b + c) % 5 == 0),
}
