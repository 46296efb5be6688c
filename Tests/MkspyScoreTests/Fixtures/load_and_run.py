"""What a user does with the state mkspy wrote, in a plain Python process: imports their
program, builds it, program.load(state file), runs it on examples.

    python load_and_run.py JOB.json

JOB is {"program": path, "class": name, "lm": {"model", "api_base", "api_key"},
"runs": [{"state": path, "examples": [{"id", ...inputs}], "inputs": [names]}]}. Prints
{"runs": [{"predictions": {id: prediction}, "instructions": {predictor: instructions},
"demos": {predictor: demos}}]}.
"""

import importlib
import json
import os
import sys

import dspy

with open(sys.argv[1], encoding="utf-8") as f:
    job = json.load(f)
sys.path.insert(0, os.path.dirname(job["program"]))
Program = getattr(importlib.import_module(os.path.splitext(os.path.basename(job["program"]))[0]), job["class"])
dspy.configure(lm=dspy.LM(job["lm"]["model"], api_base=job["lm"]["api_base"], api_key=job["lm"]["api_key"], cache=False))


def plain(value):
    if hasattr(value, "toDict"):
        value = value.toDict()
    return json.loads(json.dumps(value, default=str))


answers = []
for run in job["runs"]:
    program = Program()
    program.load(run["state"])
    predictions = {}
    for example in run["examples"]:
        predictions[example["id"]] = plain(program(**{k: example[k] for k in run["inputs"]}))
    answers.append({"predictions": predictions,
                    "instructions": {n: p.signature.instructions for n, p in program.named_predictors()},
                    "demos": {n: plain([d.toDict() if hasattr(d, "toDict") else d for d in p.demos])
                              for n, p in program.named_predictors()}})
print(json.dumps({"runs": answers}))
