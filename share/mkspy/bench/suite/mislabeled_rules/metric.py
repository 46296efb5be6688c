"""The task's metric, with dspy.GEPA's signature: the score and feedback of task.py's judge."""

import importlib.util
import os

import dspy

_HERE = os.path.dirname(os.path.abspath(__file__))
_SPEC = importlib.util.spec_from_file_location("suite_" + os.path.basename(_HERE), os.path.join(_HERE, "task.py"))
_TASK = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_TASK)


def metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
    score, feedback = _TASK.judge(gold, pred)
    return dspy.Prediction(score=score, feedback=feedback)
