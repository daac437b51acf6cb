"""Each stage's public surface is pinned: `__all__` names exactly what it exports, every name resolves,
and the legacy import paths that notebooks and dashboards use keep working."""

from __future__ import annotations

import importlib

import pytest

SURFACES = {
    "evaluator.benchmarks": {"DATA_DIR_ENV", "NAMES", "Benchmark", "DatasetError", "RegistrySet", "id_sort_key",
                             "load_benchmark", "registry_set"},
    "evaluator.backends": {"BACKENDS", "Backend", "BackendError", "LiveStats", "create_backend"},
    "evaluator.run": {"PRESETS", "ModelPreset", "PromptTemplate", "RunConfig", "RunProgress", "RunStore",
                      "backend_config", "build_request", "execute", "find_preset", "load_config", "load_errors",
                      "load_samples", "load_template", "run_sync"},
    "evaluator.grading": {"AMBIGUOUS", "FROM_REASONING", "HEDGED", "NO_ANSWER", "OK", "OUT_OF_RANGE", "STATUSES", "TRUNCATED",
                          "WEAK", "Extraction", "Grade", "error_record", "extract_answer", "grade_extraction",
                          "grade_response", "graded_record", "regrade"},
    "evaluator.metrics": {"PairedComparison", "ProblemRow", "ProblemSamples", "RunMetrics", "expected_maj_at_k",
                          "majority_vote", "paired_comparison", "pass_at_k", "per_problem", "problem_table",
                          "summarize", "summarize_run"},
    "evaluator.reports": {"ReportError", "RunView", "compare_table", "export_runs", "load_run", "load_runs",
                          "write_compare_html", "write_report"},
    "evaluator.imports": {"FORMATS", "ForeignSample", "ImportFileError", "ImportedRun", "import_runs",
                          "imported_summary", "read_foreign"},
    "evaluator.errors": {"BackendError", "DatasetError", "EvaluatorError", "ImportFileError", "OverrideError", "PricesError",
                         "ReportError", "StoreError", "TemplateError"},
}


@pytest.mark.parametrize("module_name", sorted(SURFACES))
def test_all_is_the_pinned_surface_and_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == SURFACES[module_name]
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{module_name}.{name}"


def test_legacy_paths_still_import() -> None:
    from evaluator.grade import grade_response
    from evaluator.grading import grade_response as current
    from evaluator.metrics import majority_vote, pass_at_k

    assert grade_response is current
    assert grade_response("The answer is \\boxed{73}.", (73,)).correct
    assert pass_at_k(4, 2, 1) == 0.5
    assert majority_vote(["73", "73", "5"], "73") == 1.0


def test_every_user_error_is_an_evaluator_error() -> None:
    from evaluator import errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.EvaluatorError)
    assert issubclass(errors.TemplateError, ValueError)  # callers that caught ValueError still do
