"""Text from outside made harmless where it is shown or written: the terminal and spreadsheets.

Server fields, error bodies, dump fields, run folders and file names are untrusted. Printed raw, an
ESC sequence (`\\x1b[2J`, `\\x1b]0;title`) drives the terminal; written raw into a CSV cell, a leading
`=`, `+`, `-` or `@` makes a spreadsheet evaluate the cell as a formula. Names like these are still
accepted as names (a model may be called `=x`); they are neutralised only at the point of output:

- `terminal_text`: every control or format character (C0, DEL, C1, bidi overrides, line
  separators) shown as a visible escape (`\\x1b`), so nothing reaches the terminal as a command.
- `safe_repr`: `repr` of a value, bounded, for one-line messages.
- `csv_cell`: the OWASP rule for CSV injection, a `'` before a cell starting with `= + - @`, a tab
  or a carriage return.
"""

from __future__ import annotations

import unicodedata

__all__ = ["csv_cell", "safe_repr", "terminal_text"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV Injection": what a spreadsheet evaluates
_REPR_LIMIT = 200  # characters of a value quoted in a one-line message


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def terminal_text(text: object, *, newlines: bool = False) -> str:
    """`text` with every control and format character replaced by a visible escape (`\\x1b`); with
    `newlines`, a line feed stays (our own multi-line messages), else it is shown as `\\n` too.

    >>> terminal_text("evil\\x1b[2J")
    'evil\\\\x1b[2J'
    """
    text = str(text)
    if text.isprintable():  # the usual case, checked in C
        return text
    return "".join(_escaped(c) if _unsafe(c) and not (newlines and c == "\n") else c for c in text)


def safe_repr(value: object, limit: int = _REPR_LIMIT) -> str:
    """`repr(value)` cut to `limit` characters (repr already escapes control characters)."""
    text = repr(value)
    return terminal_text(text if len(text) <= limit else text[: limit - 3] + "...")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a string starting with `= + - @`, a tab or a carriage
    return gets a leading `'` (numbers are left alone: -0.5 is a number, not a formula).

    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("mock"), csv_cell(-0.5)
    ('\\'=HYPERLINK("http://x")', 'mock', -0.5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
