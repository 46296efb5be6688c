"""The benchmark task's metric, with the dspy.GEPA signature: 1.0 for the right queue, else 0.0
and feedback that states the routing rule the answer broke."""

import json
import os

import dspy

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules.json"), encoding="utf-8") as _f:
    RULES = json.load(_f)


def metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
    expected, got = gold["label"], pred["label"]
    if got == expected:
        return dspy.Prediction(score=1.0, feedback=f"Correct: {expected}.")
    text = gold["message"].lower()
    rule = next((r for r in RULES["rules"] if r["keyword"] in text), None)
    if rule is None:
        why = f"The message matches no routing rule, and such messages go to {RULES['default']}."
    else:
        why = f"The message mentions '{rule['keyword']}': messages that mention '{rule['keyword']}' go to {rule['label']}."
    return dspy.Prediction(score=0.0, feedback=f"Wrong: answered {got}, expected {expected}. {why}")
