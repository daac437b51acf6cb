"""Legacy import path (`evaluator.grade.grade_response`), kept for notebooks and dashboards.

New code imports from `evaluator.grading`.
"""

from evaluator.grading import Extraction, Grade, extract_answer, grade_extraction, grade_response

__all__ = ["Extraction", "Grade", "extract_answer", "grade_extraction", "grade_response"]
