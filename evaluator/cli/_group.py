"""The click group behind `evaluate`: usage errors in the same one-line form as our own errors."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup


class OneLineErrors(TyperGroup):
    """Option errors (`--k 0`, an unknown option) as one `error:` line and exit code 2, like our own
    errors, instead of click's usage block."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, windows_expand_args: bool = True, **extra: Any) -> Any:
        def invoke() -> Any:
            return super(OneLineErrors, self).main(args=args, prog_name=prog_name, complete_var=complete_var,
                                                    standalone_mode=False, windows_expand_args=windows_expand_args,
                                                    **extra)

        if not standalone_mode:
            return invoke()
        try:
            code = invoke()
        except typer.Abort:
            print("Aborted!", file=sys.stderr)
            sys.exit(1)
        except typer.TyperException as exc:  # click's usage errors (typer vendors click)
            ctx = getattr(exc, "ctx", None)
            message = " ".join(exc.format_message().split()) if hasattr(exc, "format_message") else str(exc)
            hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            print(f"error: {message}{hint}", file=sys.stderr)
            sys.exit(int(getattr(exc, "exit_code", 2)))
        sys.exit(code if isinstance(code, int) else 0)
