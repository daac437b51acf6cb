"""Errors a user can fix: the CLI prints `str(exc)` as one line and exits with code 2.

Every stage raises a subclass of `EvaluatorError`, so the CLI catches one class and anything else
(a bug) keeps its traceback. Messages name the file (and line) and say what to do.

    EvaluatorError
    ├── DatasetError        bad or missing problem data
    │   └── ImportFileError a foreign dump that cannot be imported as given
    ├── TemplateError       an unusable prompt template (also a ValueError, as before)
    ├── BackendError        bad key, server down, missing package, unknown model
    ├── StoreError          a run directory that is locked, holds another configuration, or a full disk
    ├── ReportError         no summary yet, unknown reference, unreadable run for a report
    ├── OverrideError       an unusable human-overrides file (`evaluate score RUN --override FILE`)
    └── PricesError         an unusable price table override
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "DatasetError",
    "EvaluatorError",
    "ImportFileError",
    "OverrideError",
    "PricesError",
    "ReportError",
    "StoreError",
    "TemplateError",
]


class EvaluatorError(Exception):
    """Something the user can fix; the CLI prints str(exc) and exits 2."""


class DatasetError(EvaluatorError):
    """Bad or missing problem data; the message says where and what to do."""


class ImportFileError(DatasetError):
    """A dump that cannot be imported as given; the message names the file and line (or row)."""


class TemplateError(EvaluatorError, ValueError):
    """An unreadable or unusable template file; the message names the file."""


class BackendError(EvaluatorError):
    """A failure the user can fix (bad key, server down, missing package): one clear line, exit 2."""


class StoreError(EvaluatorError):
    """A run directory problem the user can fix (locked, different configuration, disk full)."""


class ReportError(EvaluatorError):
    """A report/compare/export problem the user can fix (no summary yet, unknown reference, ...)."""


class OverrideError(EvaluatorError):
    """An overrides file that cannot be applied; the message names the file and line."""


class PricesError(EvaluatorError):
    """An unusable price table override; the message names the variable and the file."""
