#!/usr/bin/env python3
"""Held-out selection (mkspy-evolve --finalists) against --best, on the mkspy runs of a suite_bench.py --out.

For each finished mkspy run: the task's test set is split in two, its first HOLDOUT examples (file order) the held-out
set and the rest the measure. --best is val's choice; --finalists N, scored on the held-out set by mkspy-score and the
best there kept (ties to the better on val), is held-out selection, which pays N x HOLDOUT more metric calls. Both
choices are then measured on the rest, on a fresh simulator. Printed: mean over seeds per task and budget, and over
the tasks.

    holdout_bench.py --out DIR [--tasks a,b] [--finalists 3] [--holdout 50] [--jobs 8] [--bin DIR]

Run it with the Python that has dspy (the runtime mkspy sets up), after suite_bench.py filled DIR.
"""

import argparse
import glob
import json
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite_bench as sb  # noqa: E402


def measure(dspy, task, run, args):
    """(rest-of-test of --best, rest-of-test of the held-out choice, extra metric calls) of one run directory."""
    conf = {"bin": args.bin}
    with tempfile.TemporaryDirectory(prefix="holdout-") as work, open(os.path.join(work, "sim.log"), "w") as log:
        holdout = os.path.join(work, "holdout.jsonl")
        with open(holdout, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in task.rows["test"][:args.holdout])
        sim = sb.Simulator(task, 0, log)
        try:
            q = shlex.quote
            scored = subprocess.run(
                f"mkspy-evolve -q --finalists {args.finalists} --train {q(task.path('train'))} --val {q(task.path('val'))} "
                f"{q(os.path.join(run, 'archive.jsonl'))} | mkspy-gen | mkspy-check -q | "
                f"mkspy-score -q -j {args.jobs} --lm-arg cache=false --data {q(holdout)}",
                shell=True, env=sb.mkspy_env(sim.port, work, conf), capture_output=True, text=True, check=True).stdout
            finalists = [json.loads(line) for line in scored.splitlines()]
            held = sorted(finalists, key=lambda r: -(r["summary"]["data"][holdout]["mean"] or 0))[0]  # stable: ties keep val's order
            rest = task.examples(dspy, "test")[args.holdout:]
            metric = task.metric()
            test = {r["id"]: sb.evaluate(dspy, sb.program_from(dspy, r["source"]), rest, metric, sim.port, args.jobs)
                    for r in (finalists[0], held)}
        finally:
            sim.stop()
    return test[finalists[0]["id"]], test[held["id"]], sum(r["summary"]["scored"] for r in finalists)


def main():
    ap = argparse.ArgumentParser(description="held-out selection (mkspy-evolve --finalists) against --best")
    ap.add_argument("--out", required=True, help="a suite_bench.py --out with mkspy runs")
    ap.add_argument("--tasks", help="comma-separated task names (default: every task with mkspy runs)")
    ap.add_argument("--finalists", type=int, default=3)
    ap.add_argument("--holdout", type=int, default=50, help="test examples held out for selection (the first, in file order)")
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--bin", help="directory of the mkspy binaries (default: PATH)")
    args = ap.parse_args()
    import dspy
    runs = sorted(glob.glob(os.path.join(args.out, "runs", "latency0", "*", "seed*", "mkspy-*", "result.json")))
    rows = {}
    for path in runs:
        result = json.load(open(path))
        if args.tasks and result["task"] not in args.tasks.split(","):
            continue
        task = sb.Task(result["task"])
        rows.setdefault((task.name, result["budget"]), []).append(measure(dspy, task, os.path.dirname(path), args))
        print(f"  done: {task.name} {result['budget']} seed {result['seed']}", file=sys.stderr)
    print(f"# python share/mkspy/bench/holdout_bench.py --out {args.out}" + (f" --tasks {args.tasks}" if args.tasks else "")
          + f" --finalists {args.finalists} --holdout {args.holdout}")
    print(f"test's first {args.holdout} examples held out, the rest of test the measure: --best (val's choice) against "
          f"--finalists {args.finalists} scored on the held-out set (its best kept); mean over seeds")
    print(f"  {'task':22s} {'budget':>6s}  {'--best':>7s}  {'held-out':>8s}  {'change':>7s}  extra calls")
    for budget in sorted({b for _, b in rows}):
        members = [(t, rows[(t, b)]) for t, b in sorted(rows) if b == budget]
        for name, values in members:
            best, held, extra = (sum(v[i] for v in values) / len(values) for i in range(3))
            print(f"  {name:22s} {budget:6d}  {best:7.3f}  {held:8.3f}  {held - best:+7.3f}  {extra:.0f}")
        means = [sum(sum(v[i] for v in values) / len(values) for _, values in members) / len(members) for i in range(2)]
        print(f"  {'mean over tasks':22s} {budget:6d}  {means[0]:7.3f}  {means[1]:8.3f}  {means[1] - means[0]:+7.3f}")


if __name__ == "__main__":
    main()
