#!/usr/bin/env python3
"""Writes each suite task's spec.json, metric.py and train/val/test splits from its task.py.
Deterministic: the same task.py always gives the same files.

    python3 share/mkspy/bench/suite/make_suite.py [TASK...]
"""

import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import simlm  # noqa: E402

METRIC = '''"""The task's metric, with dspy.GEPA's signature: the score and feedback of task.py's judge."""

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
'''


def tasks():
    return sorted(d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "task.py")))


def write(name):
    folder = os.path.join(HERE, name)
    task = simlm.load_task(os.path.join(folder, "task.py"))
    with open(os.path.join(folder, "spec.json"), "w") as f:
        f.write(json.dumps(task.SPEC, indent=2) + "\n")
    with open(os.path.join(folder, "metric.py"), "w") as f:
        f.write(METRIC)
    for split in ("train", "val", "test"):
        rows = task.examples(split, random.Random(f"{name}/{split}"))
        with open(os.path.join(folder, f"{split}.jsonl"), "w") as f:
            for i, row in enumerate(rows, 1):
                f.write(json.dumps({"id": f"{split}-{i:03d}", **row}) + "\n")


def main():
    for name in sys.argv[1:] or tasks():
        write(name)


if __name__ == "__main__":
    main()
