#!/usr/bin/env python3
"""The reference mkspy-score is compared with: plain dspy.Evaluate on one program.

    evaluate_reference.py --program FILE.py --class NAME --data FILE.jsonl --inputs a,b
        --metric FILE.py:FUNCTION | --exact FIELD  --lm MODEL --lm-base URL [--lm-key KEY]
        [--threads N] [--cache DIR]

Prints one JSON object: {"scores": {example id: score}, "seconds": wall time of Evaluate}.
A metric that returns dspy.Prediction(score, feedback) is reduced to its score, as GEPA does.
"""

import argparse
import importlib.util
import json
import os
import sys
import time


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--program", required=True)
    p.add_argument("--class", dest="cls", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--inputs", required=True)
    p.add_argument("--metric")
    p.add_argument("--exact")
    p.add_argument("--lm", required=True)
    p.add_argument("--lm-base")
    p.add_argument("--lm-key", default="standin")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cache")
    args = p.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "true")
    import dspy

    if args.cache:
        dspy.configure_cache(enable_disk_cache=True, disk_cache_dir=args.cache)
    else:
        dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
    dspy.configure(lm=dspy.LM(args.lm, api_base=args.lm_base, api_key=args.lm_key))
    program = getattr(load(args.program, "reference_program"), args.cls)()
    inputs = args.inputs.split(",")
    rows = [json.loads(line) for line in open(args.data, encoding="utf-8") if line.strip()]
    devset = [dspy.Example(**{k: v for k, v in row.items() if k != "id"}).with_inputs(*inputs) for row in rows]
    if args.metric:
        path, function = args.metric.rsplit(":", 1)
        user_metric = getattr(load(path, "reference_metric"), function)

        def metric(gold, pred, trace=None):
            result = user_metric(gold, pred, trace, None, None)
            return float(getattr(result, "score", result))
    else:
        def metric(gold, pred, trace=None):
            return float(str(gold[args.exact]).strip().lower() == str(pred[args.exact]).strip().lower())
    evaluate = dspy.Evaluate(devset=devset, metric=metric, num_threads=args.threads, display_progress=False)
    started = time.time()
    result = evaluate(program)
    seconds = time.time() - started
    scores = {row.get("id", str(i)): float(score) for i, (row, (_, _, score)) in enumerate(zip(rows, result.results))}
    print(json.dumps({"scores": scores, "seconds": seconds}))


if __name__ == "__main__":
    main()
