"""Scores the cases PythonMetricsTests made with mkspy's Python metrics (mkspy_worker.metrics),
both directly and as dspy.GEPA calls them (dspy.Example gold, dspy.Prediction pred).

    python metric_agreement.py SHARE_DIR JOB.json

JOB is {"cases": [{"metric", "gold", "prediction", "outputs"}]}; prints {"results": [[score,
feedback], ...]} in order, or {"disagree": ...} when the two ways differ.
"""

import json
import sys

sys.path.insert(0, sys.argv[1] + "/worker")
import dspy  # noqa: E402
from mkspy_worker.metrics import evaluate, metric_from  # noqa: E402

with open(sys.argv[2], encoding="utf-8") as f:
    cases = json.load(f)["cases"]
results = []
for case in cases:
    direct = evaluate(case["metric"], case["gold"], case["prediction"], case["outputs"])
    gold = dspy.Example(**case["gold"]).with_inputs()
    verdict = metric_from(case["metric"], outputs=case["outputs"])(gold, dspy.Prediction(**case["prediction"]), None, None, None)
    if (verdict.score, verdict.feedback) != direct:
        print(json.dumps({"disagree": [case, list(direct), [verdict.score, verdict.feedback]]}))
        sys.exit(1)
    results.append(list(direct))
print(json.dumps({"results": results}, ensure_ascii=False))
