"""Imports: other harnesses' generation dumps turned into ordinary run directories, scored by our grader.

- `readers`: one reader per format (the `READERS` table; `FORMATS` is its keys) into
  `ForeignSample`s; a reader only reads;
- `detect`: which format a file is in, from its first row's fields (`evaluate import` without --format);
- `textmatch`: which benchmark problem a foreign question text is (never trusting positions);
- `runs`: `import_runs(...)` maps, grades and writes one run directory per model in the dump.
"""

from evaluator.errors import ImportFileError
from evaluator.imports.readers import FORMATS, ForeignSample, read_foreign
from evaluator.imports.runs import ImportedRun, import_runs, imported_summary

__all__ = ["FORMATS", "ForeignSample", "ImportFileError", "ImportedRun", "import_runs", "imported_summary",
           "read_foreign"]
