"""`python -m evaluator.cli`: the same program as `evaluate`, for environments without the script."""

from evaluator.cli.app import main

main()
