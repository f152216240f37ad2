"""PlanQA evaluation: a dataset of questions with gold evidence, and a scorer for answer files.

`python -m eval run` scores answers (files in the assistant's JSON contract, or
configurations run in-process) and writes build/eval/report.json and report.md;
`python -m eval check` validates a dataset. See eval/README.md.
"""
from .answers import AnswerSet, load_answers
from .dataset import EvalItem, load_dataset
from .scorer import ConfigResult, score_answers

__all__ = ["AnswerSet", "ConfigResult", "EvalItem", "load_answers", "load_dataset", "score_answers"]
