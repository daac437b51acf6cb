"""Reports: a finished run read back (`RunView`) and shown as terminal tables, an HTML report, a
comparison dashboard of several runs, or a leaderboard export; published reference numbers beside them.

Numbers come from summary.json as stored; pages are static (no script) and escape all model text.
"""

from evaluator.errors import ReportError
from evaluator.reports.compare import compare_table, write_compare_html
from evaluator.reports.export import export_runs
from evaluator.reports.report import write_report
from evaluator.reports.runview import RunView, load_run, load_runs

__all__ = ["ReportError", "RunView", "compare_table", "export_runs", "load_run", "load_runs", "write_compare_html",
           "write_report"]
