"""The 终期评估报告 (closing evaluation) of a policy whose period is over: `data.py` gathers its inputs, `charts.py`
draws the headline indicators as PNG images, `sections.py` writes the body sections, `build.py` the document."""
from evaluation.build import build_evaluation
from evaluation.data import EvaluationData, evaluation_data

__all__ = ["EvaluationData", "build_evaluation", "evaluation_data"]
