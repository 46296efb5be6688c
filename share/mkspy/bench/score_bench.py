#!/usr/bin/env python3
"""Benchmark mkspy-score against plain dspy.Evaluate on the LM stand-in.

10 candidates x 100 examples, the stand-in answering after 50 ms, 8 at a time. Prints, for
mkspy-score -j 8 and for dspy.Evaluate(num_threads=8) run on each candidate in turn, the
wall time and its ratio to the ideal (LM calls x latency / 8). Run it with a Python that has
dspy; MKSPY_PYTHON is set to that Python for mkspy-score.

    score_bench.py [--mkspy-score PATH] [--candidates 10] [--examples 100] [--latency-ms 50] [-j 8]
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SHARE = os.path.join(ROOT, "share", "mkspy")
EXAMPLE = os.path.join(SHARE, "examples", "sentiment_python_metric")
PROGRAM = os.path.join(ROOT, "Tests", "MkspyScoreTests", "Fixtures", "sentiment_program.py")


def machine_cpu():
    """CPU seconds the whole machine has spent (every process: the tool, its runtime, the stand-in)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def find_binary(name):
    for build in (".build/release", ".build/debug"):
        path = os.path.join(ROOT, build, name)
        if os.path.exists(path):
            return path
    return name


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mkspy-score", default=find_binary("mkspy-score"))
    p.add_argument("--mkspy-spec", default=find_binary("mkspy-spec"))
    p.add_argument("--candidates", type=int, default=10)
    p.add_argument("--examples", type=int, default=100)
    p.add_argument("--latency-ms", type=float, default=50)
    p.add_argument("-j", "--jobs", type=int, default=8)
    p.add_argument("--model", default="openai/gpt-4o-mini",
                   help="the model name both sides send to the stand-in; a name DSPy knows skips its slow price search")
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="mkspy-score-bench-")
    labels = ["positive", "negative", "neutral", "mixed"]
    data = os.path.join(work, "data.jsonl")
    with open(data, "w") as f:
        for i in range(args.examples):
            f.write(json.dumps({"id": f"b-{i}", "review": f"Bench review {i}: item {i * 7} arrived.", "sentiment": labels[i % 4]}) + "\n")

    spec = json.loads(subprocess.run([args.mkspy_spec, os.path.join(EXAMPLE, "spec.json")], capture_output=True, text=True).stdout)
    for key in ("kind", "ok", "diagnostics"):
        spec.pop(key, None)
    source = open(PROGRAM).read()
    programs, candidates = [], os.path.join(work, "candidates.jsonl")
    with open(candidates, "w") as f:
        for n in range(args.candidates):
            text = source.replace("the product overall.", f"the product overall (variant {n}).")
            path = os.path.join(work, f"program_{n}.py")
            open(path, "w").write(text)
            programs.append(path)
            genome = {op["name"]: {"strategy": op["strategy"], "instruction": f"{op['instruction']} ({n})", "fields": {}, "demos": []}
                      for op in spec["operations"]}
            f.write(json.dumps({"kind": "candidate", "id": f"bench-{n}", "spec": spec, "genome": genome, "parents": [],
                                "origin": "seed", "generation": 0, "source": text, "check": {"ok": True, "diagnostics": [],
                                          "source_sha256": hashlib.sha256(text.encode()).hexdigest()}}) + "\n")

    def stand_in():
        proc = subprocess.Popen([sys.executable, os.path.join(SHARE, "standin", "standin_lm.py"), "--answers", data,
                                 "--latency-ms", str(args.latency_ms), "--max-seconds", "900"], stdout=subprocess.PIPE, text=True)
        return proc, json.loads(proc.stdout.readline())["port"]

    calls = args.candidates * args.examples
    ideal = calls * args.latency_ms / 1000 / args.jobs
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{args.candidates} candidates x {args.examples} examples, {args.latency_ms:g} ms latency, {args.jobs} at a time: "
          f"ideal {ideal:.2f} s ({calls} calls x {args.latency_ms:g} ms / {args.jobs})")

    def mkspy_score(label, env, candidates_file, data_file=data):
        proc, port = stand_in()
        started = time.time()
        before = machine_cpu()
        out = subprocess.run([args.mkspy_score, "--data", data_file, "--lm", args.model, "--lm-base", f"http://127.0.0.1:{port}/v1",
                              "--lm-key", "bench", "--cache", os.path.join(work, f"cache-{label}"), "-j", str(args.jobs), "-q",
                              candidates_file], capture_output=True, text=True, env=env)
        seconds = time.time() - started
        cpu = machine_cpu() - before
        proc.kill()
        records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        scored = sum(r.get("summary", {}).get("scored", 0) for r in records)
        return seconds, cpu, scored, out.returncode

    env = dict(os.environ, MKSPY_PYTHON=sys.executable)
    # The runtime server imports DSPy once and serves every later run: start it before timing,
    # as dspy.Evaluate below runs with DSPy already imported.
    one = os.path.join(work, "one-example.jsonl")
    with open(data) as f, open(one, "w") as w:
        w.write(f.readline())
    mkspy_score("warm-up", env, candidates, one)
    for label, extra, about in (("server", {}, "runtime server running"),
                                ("own-worker", {"MKSPY_RUNTIME_IDLE": "0"}, "MKSPY_RUNTIME_IDLE=0: a worker of its own, DSPy imported in the run")):
        seconds, cpu, scored, status = mkspy_score(label, dict(env, **extra), candidates)
        print(f"mkspy-score -j {args.jobs}:            {seconds:6.2f} s  ({seconds / ideal:.2f} x ideal; {cpu:.1f} s CPU; "
              f"{scored} examples scored, exit {status}; {about})")

    proc, port = stand_in()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "true")
    import importlib.util

    import dspy

    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
    dspy.configure(lm=dspy.LM(args.model, api_base=f"http://127.0.0.1:{port}/v1", api_key="bench"))
    rows = [json.loads(line) for line in open(data)]
    devset = [dspy.Example(review=r["review"], sentiment=r["sentiment"]).with_inputs("review") for r in rows]

    def exact(gold, pred, trace=None):
        return float(gold["sentiment"] == pred["sentiment"])

    loaded = []
    for n, path in enumerate(programs):
        spec = importlib.util.spec_from_file_location(f"bench_program_{n}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        loaded.append(module.SentimentPythonMetric())
    started = time.time()
    cpu_started = machine_cpu()
    total = 0.0
    for program in loaded:
        result = dspy.Evaluate(devset=devset, metric=exact, num_threads=args.jobs, display_progress=False)(program)
        total += result.score
    seconds = time.time() - started
    cpu = machine_cpu() - cpu_started
    proc.kill()
    print(f"dspy.Evaluate(num_threads={args.jobs}):   {seconds:6.2f} s  ({seconds / ideal:.2f} x ideal; {cpu:.1f} s CPU; candidates one after "
          f"another in one process, DSPy already imported; mean score {total / len(loaded):.1f}%)")

if __name__ == "__main__":
    main()
