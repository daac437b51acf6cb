"""aime-eval: evaluate reasoning models on AIME-style math problems."""

__version__ = "0.1.0"
