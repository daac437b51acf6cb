"""Read the records of a .jsonl or .json file with a location for every error: `file:line: what`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def read_json_records(path: Path, error: type[Exception], list_key: str | None = None) -> Iterator[tuple[str, Any]]:
    """(where, object) per record: one per line of a .jsonl file, or per item of a .json list (or of
    `obj[list_key]` when the file holds an object). Unreadable files and bad JSON raise `error`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from exc
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
        items = data.get(list_key) if list_key and isinstance(data, dict) else data
        if not isinstance(items, list):
            extra = f" (or an object with a '{list_key}' list)" if list_key else ""
            raise error(f"{path}: expected a JSON list of records{extra}")
        for i, obj in enumerate(items, 1):
            yield f"{path}: item {i}", obj
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{path}:{lineno}: invalid JSON ({exc.msg}); each line must be one JSON object") from exc
        yield f"{path}:{lineno}", obj
