#!/usr/bin/env python3
"""Provider faults never change a score: mkspy-score under injected faults against a fault-free run.

Scores C candidates x E examples on the LM stand-in once without faults, then, for each seed,
with --fail-rate R of a fault mix (500, 429, timeout, html, cut, stall, empty, slow), and once more on
its output (the rerun the unscored examples wait for). Prints per seed: the pairs whose score
differs from the fault-free run (must be 0), those left null after the run and after the rerun,
and the requests the stand-in answered against the calls in --log and in usage (must be equal).
Run it with a Python that has dspy; MKSPY_PYTHON is set to that Python for mkspy-score.

    fault_bench.py [--candidates 4] [--examples 24] [--fail-rate 0.2] [--seeds 1,2,3] [-j 8]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

from score_bench import EXAMPLE, PROGRAM, SHARE, find_binary


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mkspy-score", default=find_binary("mkspy-score"))
    p.add_argument("--mkspy-spec", default=find_binary("mkspy-spec"))
    p.add_argument("--candidates", type=int, default=4)
    p.add_argument("--examples", type=int, default=24)
    p.add_argument("--fail-rate", type=float, default=0.2)
    p.add_argument("--fail-mix", default="500,429,timeout,html,cut,stall,empty,slow")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("-j", "--jobs", type=int, default=8)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="mkspy-fault-bench-")
    labels = ["positive", "negative", "neutral", "mixed"]
    data, answers = os.path.join(work, "data.jsonl"), os.path.join(work, "answers.jsonl")
    with open(data, "w") as f, open(answers, "w") as a:
        for i in range(args.examples):
            row = {"id": f"f-{i}", "review": f"Fault review {i}: item {i * 7} arrived.", "sentiment": labels[i % 4]}
            f.write(json.dumps(row) + "\n")
            a.write(json.dumps(dict(row, sentiment=labels[(i + (i % 3 == 1)) % 4])) + "\n")  # a third answered wrong

    spec = json.loads(subprocess.run([args.mkspy_spec, os.path.join(EXAMPLE, "spec.json")], capture_output=True, text=True).stdout)
    for key in ("kind", "ok", "diagnostics"):
        spec.pop(key, None)
    source = open(PROGRAM).read()
    candidates = os.path.join(work, "candidates.jsonl")
    with open(candidates, "w") as f:
        for n in range(args.candidates):
            genome = {op["name"]: {"strategy": op["strategy"], "instruction": f"{op['instruction']} ({n})", "fields": {}, "demos": []}
                      for op in spec["operations"]}
            f.write(json.dumps({"kind": "candidate", "id": f"fault-{n}", "spec": spec, "genome": genome, "parents": [],
                                "origin": "seed", "generation": 0, "check": {"ok": True, "diagnostics": []},
                                "source": source.replace("the product overall.", f"the product overall (variant {n}).")}) + "\n")
    env = dict(os.environ, MKSPY_PYTHON=sys.executable)

    def score(standin_args, label, operand, log=None):
        proc = subprocess.Popen([sys.executable, os.path.join(SHARE, "standin", "standin_lm.py"), "--answers", answers,
                                 "--max-seconds", "900"] + standin_args, stdout=subprocess.PIPE, text=True)
        port = json.loads(proc.stdout.readline())["port"]
        command = [args.mkspy_score, "--data", data, "--lm", "openai/standin", "--lm-base", f"http://127.0.0.1:{port}/v1",
                   "--lm-key", "bench", "--cache", os.path.join(work, f"cache-{label}"), "-j", str(args.jobs), "-q",
                   "--lm-arg", "timeout=1"] + (["--log", log] if log else []) + [operand]
        out = subprocess.run(command, capture_output=True, text=True, env=env)
        stats = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats"))
        proc.kill()
        path = os.path.join(work, f"{label}.jsonl")
        open(path, "w").write(out.stdout)
        records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        return {r["id"]: r for r in records}, stats, path, out.returncode

    clean, _, _, _ = score([], "clean", candidates)
    pairs = args.candidates * args.examples
    print(f"{args.candidates} candidates x {args.examples} examples ({pairs} pairs), fault rate {args.fail_rate:g} of {args.fail_mix}, "
          f"LM timeout 1 s, retries 3 (the default)")
    for seed in args.seeds.split(","):
        log = os.path.join(work, f"calls-{seed}.jsonl")
        def faulty(seed):
            return ["--fail-rate", str(args.fail_rate), "--fail-mix", args.fail_mix, "--seed", str(seed),
                    "--hang-seconds", "2", "--slow-ms", "100"]
        first, stats, path, status = score(faulty(seed), f"faulty-{seed}", candidates, log)
        changed = sum(1 for cid, r in first.items() for eid, e in r["scores"].items()
                      if e["score"] is not None and e["score"] != clean[cid]["scores"][eid]["score"])
        null = sum(1 for r in first.values() for e in r["scores"].values() if e["score"] is None)
        logged = sum(1 for line in open(log) if line.strip()) if os.path.exists(log) else 0
        usage = sum(r["usage"]["lm_calls"] for r in first.values())
        # The rerun, faults still on (another seed: a fresh stand-in would repeat the same faults).
        again, _, _, _ = score(faulty(int(seed) + 1000), f"faulty-{seed}", path)
        left = sum(len(r.get("want") or []) for r in again.values())
        faults = ", ".join(f"{k} {v}" for k, v in sorted(stats["by_fault"].items()))
        print(f"seed {seed}: exit {status}; scores changed by a fault: {changed}; null after the run: {null}, after a rerun: {left}; "
              f"requests {stats['calls']}, in --log {logged}, in usage {usage}; faults: {faults}")


if __name__ == "__main__":
    main()
