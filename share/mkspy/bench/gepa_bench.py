#!/usr/bin/env python3
"""dspy.GEPA and mkspy side by side on the same task, the same LM stand-in and the same budget of
metric calls, over several seeds; prints each one's best val score against metric calls, its test
score and its wall-clock time.

The task (share/mkspy/bench/rules_task, written by make_rules_task.py) routes tickets by eight
hidden keyword rules; the stand-in (rules_lm.py) answers right only when the instruction states
the rule, and as the reflection LM it turns the metric's feedback into rules. Both optimizers
see the same metric (rules_task/metric.py, the dspy.GEPA signature with feedback), the same
train/val split, the same seed instruction, and the same concurrency limit (--jobs: GEPA's
num_threads; mkspy-score's and mkspy-evolve's -j), and the same LM settings: GEPA's dspy.LM
has cache=False, and so has mkspy-score's (--lm-arg cache=false; mkspy-evolve's few reflection
calls keep the run's own cache directory). mkspy runs the documented loop, one streaming
pipeline per step; the stand-in's count of calls answered at once is printed for each run, to
show that neither went past the limit.

Run it with the Python that has dspy==3.4.1 (and the gepa it pins), with the mkspy binaries on
PATH or in --bin:

    python gepa_bench.py [--seeds 0,1,2,3,4] [--budget 200] [--latency-ms 100] [--jobs 8]
                         [--children 1] [--bin .build/release] [--out DIR]
                         [--only gepa|mkspy] [--evolve-args FLAGS]

(share/mkspy/bench/gepa_bench.sh builds the release binaries and runs it.)
"""

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
TASK = os.path.join(HERE, "rules_task")
SHARE = os.path.dirname(HERE)


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def start_standin(latency_ms, log):
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "rules_lm.py"), "--rules", os.path.join(TASK, "rules.json"),
                             "--port", "0", "--latency-ms", str(latency_ms), "--max-seconds", "7200"],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    port = json.loads(proc.stdout.readline())["port"]
    return proc, port


def standin_stats(port):
    import urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats") as r:
        return json.load(r)


def load_metric():
    spec = importlib.util.spec_from_file_location("rules_metric", os.path.join(TASK, "metric.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.metric


def best_curve(points):
    """[(calls, score)] in discovery order → the best-so-far step curve."""
    curve, best = [], None
    for calls, score in sorted(points, key=lambda p: p[0]):
        if best is None or score > best:
            best = score
            curve.append((calls, score))
    return curve


def at(curve, calls):
    best = None
    for c, s in curve:
        if c <= calls:
            best = s
    return best


def calls_to_reach(curve, score):
    for c, s in curve:
        if s >= score - 1e-9:
            return c
    return None


def evaluate(dspy, program, examples, metric, jobs):
    def one(ex):
        try:
            return float(metric(ex, program(**ex.inputs())).score)
        except Exception:
            return 0.0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        scores = list(pool.map(one, examples))
    return sum(scores) / len(scores)


def examples(dspy, rows):
    return [dspy.Example(message=r["message"], label=r["label"]).with_inputs("message") for r in rows]


def run_gepa(dspy, port, seed, args, metric, data, workdir):
    from typing import Literal
    spec = json.load(open(os.path.join(TASK, "spec.json")))
    labels = tuple(spec["types"]["Queue"])

    class Route(dspy.Signature):
        message: str = dspy.InputField(desc="the ticket as the customer wrote it")
        label: Literal[labels] = dspy.OutputField(desc="the queue that should handle the ticket")  # type: ignore[valid-type]

    Route = Route.with_instructions(spec["operations"][0]["instruction"])
    lm = dspy.LM("openai/standin", api_base=f"http://127.0.0.1:{port}/v1", api_key="standin", cache=False, num_retries=3)
    dspy.configure(lm=lm)
    program = dspy.Predict(Route)
    gepa = dspy.GEPA(metric=metric, max_metric_calls=args.budget, reflection_lm=lm, num_threads=args.jobs,
                     track_stats=True, seed=seed, reflection_minibatch_size=3, log_dir=os.path.join(workdir, "gepa"))
    import contextlib
    started = time.time()
    with open(os.path.join(workdir, "gepa.log"), "w") as log, contextlib.redirect_stderr(log), contextlib.redirect_stdout(log):
        optimized = gepa.compile(program, trainset=data["train"], valset=data["val"])
    wall = time.time() - started
    peak = standin_stats(port)["peak_in_flight"]
    results = optimized.detailed_results
    curve = best_curve(zip(results.discovery_eval_counts, results.val_aggregate_scores))
    test = evaluate(dspy, optimized, data["test"], metric, args.jobs)
    return {"curve": curve, "calls": results.total_metric_calls, "val": max(results.val_aggregate_scores),
            "test": test, "wall_s": wall, "candidates": len(results.candidates), "peak_in_flight": peak}


def mkspy_env(port, workdir, args):
    env = dict(os.environ, MKSPY_LM="openai/standin", MKSPY_LM_BASE=f"http://127.0.0.1:{port}/v1", MKSPY_LM_KEY="standin",
               MKSPY_PYTHON=sys.executable, MKSPY_SHARE=SHARE, DSPY_CACHEDIR=os.path.join(workdir, "dspy-cache"))
    if args.bin:
        env["PATH"] = os.path.abspath(args.bin) + os.pathsep + env["PATH"]
    return env


def warm_up_runtime(args, out):
    """Starts mkspy's runtime server (DSPy imported once, kept for the runs that follow) before any
    timer, as GEPA's process has imported DSPy before its timer starts: one seed candidate scored
    on one train example, against a stand-in of its own."""
    workdir = os.path.join(out, "warm-up")
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    with open(os.path.join(workdir, "standin.log"), "w") as log:
        proc, port = start_standin(0, log)
        try:
            first = read(os.path.join(TASK, "train.jsonl"))[0]
            with open(os.path.join(workdir, "one.jsonl"), "w") as f:
                f.write(json.dumps(first) + "\n")
            subprocess.run(f"mkspy-spec {TASK}/spec.json | mkspy-gen | mkspy-check -q | mkspy-score -q --cache {workdir}/lm-cache "
                           f"--data {workdir}/one.jsonl > /dev/null", shell=True, env=mkspy_env(port, workdir, args), check=True)
        finally:
            proc.terminate()
            proc.wait()


def run_mkspy(dspy, port, seed, args, metric, data, workdir):
    env = mkspy_env(port, workdir, args)
    spec, train, val = (os.path.join(TASK, f) for f in ("spec.json", "train.jsonl", "val.jsonl"))
    seeds, archive, nxt = (os.path.join(workdir, f) for f in ("seeds.jsonl", "archive.jsonl", "next.jsonl"))
    sh = lambda cmd: subprocess.run(cmd, shell=True, env=env, check=True, stderr=subprocess.DEVNULL if not args.verbose else None)
    q = "" if args.verbose else "-q"
    started = time.time()
    sh(f"mkspy-spec {spec} | mkspy-gen > {seeds}")
    open(archive, "w").close()
    evolve = (f"mkspy-evolve {q} --train {train} --val {val} --children {args.children} -j {args.jobs} --seed {seed} "
              f"--max-calls {args.budget} --cache {workdir}/lm-cache {args.evolve_args}")
    steps = 0
    while True:  # the documented loop: one pipeline per step, until mkspy-evolve writes nothing
        sh(f"{evolve} {seeds} {archive} | tee {nxt} | mkspy-gen | mkspy-check {q} | mkspy-score {q} -j {args.jobs} "
           f"--lm-arg cache=false --data {train} --data {val} >> {archive}")
        if os.path.getsize(nxt) == 0:
            break
        steps += 1
    wall = time.time() - started
    peak = standin_stats(port)["peak_in_flight"]
    explained = [json.loads(line) for line in subprocess.run(f"{evolve} -q --explain {archive}", shell=True, env=env, check=True,
                                                             capture_output=True, text=True).stdout.splitlines()]
    search = next(r for r in explained if r["kind"] == "search")
    candidates = [r for r in explained if r["kind"] == "explain"]
    curve = best_curve((r["complete_at"], r["val"]["mean"]) for r in candidates if r["complete_at"] is not None)
    total = search["metric_calls"]
    best = json.loads(subprocess.run(f"{evolve} -q --best {archive}", shell=True, env=env, check=True,
                                     capture_output=True, text=True).stdout)
    module = types.ModuleType("mkspy_best")
    exec(compile(best["source"], "best.py", "exec"), module.__dict__)
    program = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, dspy.Module) and v.__module__ == "mkspy_best"][-1]()
    lm = dspy.LM("openai/standin", api_base=f"http://127.0.0.1:{port}/v1", api_key="standin", cache=False, num_retries=3)
    dspy.configure(lm=lm)
    test = evaluate(dspy, program, data["test"], metric, args.jobs)
    return {"curve": curve, "calls": total, "val": curve[-1][1] if curve else 0, "test": test, "wall_s": wall,
            "candidates": len(candidates), "steps": steps, "peak_in_flight": peak}


def main():
    ap = argparse.ArgumentParser(description="dspy.GEPA vs mkspy on the rules task")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--budget", type=int, default=200)
    ap.add_argument("--latency-ms", type=float, default=100)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--children", type=int, default=1)
    ap.add_argument("--bin", help="directory of the mkspy binaries (default: PATH)")
    ap.add_argument("--out", help="keep run directories and write results.json here")
    ap.add_argument("--evolve-args", default="", help="more mkspy-evolve flags, e.g. '--reflection-minibatch 3'")
    ap.add_argument("--only", choices=["gepa", "mkspy"])
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "true")
    import logging
    import dspy
    logging.getLogger("dspy").setLevel(logging.ERROR)
    logging.getLogger("gepa").setLevel(logging.ERROR)
    import gepa as gepa_package
    gepa_version = getattr(gepa_package, "__version__", None)
    if gepa_version is None:
        from importlib.metadata import version
        gepa_version = version("gepa")
    metric = load_metric()
    data = {name: examples(dspy, read(os.path.join(TASK, f"{name}.jsonl"))) for name in ("train", "val", "test")}
    out = args.out or tempfile.mkdtemp(prefix="gepa-bench-")
    os.makedirs(out, exist_ok=True)
    print(f"dspy {dspy.__version__}, gepa {gepa_version}; task rules_task: {len(data['train'])} train, {len(data['val'])} val, "
          f"{len(data['test'])} test; budget {args.budget} metric calls; stand-in latency {args.latency_ms:g} ms; "
          f"concurrency {args.jobs}; no LM cache for the program's calls (GEPA: dspy.LM(cache=False); mkspy-score: "
          f"--lm-arg cache=false); mkspy --children {args.children}; mkspy's runtime server is started before any timer, "
          f"as DSPy is imported in GEPA's process before its timer starts", flush=True)
    if args.only != "gepa":
        warm_up_runtime(args, out)
    results = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        for system in ("gepa", "mkspy"):
            if args.only and system != args.only:
                continue
            workdir = os.path.join(out, f"{system}-seed{seed}")
            shutil.rmtree(workdir, ignore_errors=True)
            os.makedirs(workdir)
            with open(os.path.join(workdir, "standin.log"), "w") as log:
                proc, port = start_standin(args.latency_ms, log)
                try:
                    run = (run_gepa if system == "gepa" else run_mkspy)(dspy, port, seed, args, metric, data, workdir)
                    run["lm_calls"] = standin_stats(port)["calls"]
                finally:
                    proc.terminate()
                    proc.wait()
            run.update(system=system, seed=seed)
            results.append(run)
            print(f"seed {seed} {system:5s}: best val {run['val']:.3f}, test {run['test']:.3f}, {run['calls']} metric calls, "
                  f"{run['lm_calls']} LM calls, at most {run['peak_in_flight']} at once, {run['wall_s']:.1f} s, {run['candidates']} candidates"
                  f"{', %d steps' % run['steps'] if 'steps' in run else ''}; "
                  f"curve {' '.join(f'{c}:{s:.2f}' for c, s in run['curve'])}", flush=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    if args.only:
        n = len(results)
        best = [r["curve"][-1] if r["curve"] else (None, 0) for r in results]
        print(f"\nmean over {n} seeds: best val {sum(b[1] for b in best) / n:.3f}, first reached after "
              f"{sum(b[0] or 0 for b in best) / n:.1f} metric calls, {sum(r['wall_s'] for r in results) / n:.2f} s"
              + (f", {sum(r['steps'] for r in results) / n:.2f} steps" if all("steps" in r for r in results) else ""))
        return
    print()
    checkpoints = sorted({max(1, args.budget * k // 6) for k in range(1, 7)})
    print("best val score after N metric calls (mean over seeds):")
    print("  calls  " + " ".join(f"{c:>6d}" for c in checkpoints))
    for system in ("gepa", "mkspy"):
        runs = [r for r in results if r["system"] == system]
        row = []
        for c in checkpoints:
            values = [at(r["curve"], c) for r in runs]
            row.append(f"{sum(v for v in values if v is not None) / len(values):6.3f}" if any(v is not None for v in values) else "     -")
        print(f"  {system:5s}  " + " ".join(row))
    print()
    wins = strict_wins = tests = walls = 0
    for seed in sorted({r["seed"] for r in results}):
        g = next(r for r in results if r["system"] == "gepa" and r["seed"] == seed)
        m = next(r for r in results if r["system"] == "mkspy" and r["seed"] == seed)
        reach = calls_to_reach(m["curve"], g["val"])
        gepa_reach = calls_to_reach(g["curve"], g["val"])
        half = reach is not None and reach <= g["calls"] / 2
        strict = reach is not None and reach <= gepa_reach / 2
        wins += half
        strict_wins += strict
        tests += m["test"] >= g["test"] - 1e-9
        walls += m["wall_s"] <= g["wall_s"] / 2
        print(f"seed {seed}: GEPA final val {g['val']:.3f}, first reached after {gepa_reach} of its {g['calls']} calls; mkspy reaches it after "
              f"{reach if reach is not None else 'never'} calls ({'≤' if half else '>'} half); test mkspy {m['test']:.3f} vs "
              f"GEPA {g['test']:.3f}; wall-clock mkspy {m['wall_s']:.1f} s vs GEPA {g['wall_s']:.1f} s "
              f"({m['wall_s'] / g['wall_s']:.2f}×)")
    mean = lambda system, key: sum(r[key] for r in results if r["system"] == system) / len([r for r in results if r["system"] == system])
    print(f"\nmean over seeds: val GEPA {mean('gepa', 'val'):.3f} mkspy {mean('mkspy', 'val'):.3f}; test GEPA {mean('gepa', 'test'):.3f} "
          f"mkspy {mean('mkspy', 'test'):.3f}; wall-clock GEPA {mean('gepa', 'wall_s'):.1f} s mkspy {mean('mkspy', 'wall_s'):.1f} s")
    print(f"goal 1 (mkspy reaches GEPA's final val with ≤ 1/2 of GEPA's calls): {wins} of {len(results) // 2} seeds; "
          f"with ≤ 1/2 of the calls GEPA took to first reach it: {strict_wins} of {len(results) // 2}")
    print(f"goal 2 (mkspy's test score at least GEPA's): {tests} of {len(results) // 2} seeds")
    print(f"goal 3 (mkspy's wall-clock ≤ 1/2 of GEPA's): {walls} of {len(results) // 2} seeds")
    print(f"results: {out}/results.json")


if __name__ == "__main__":
    main()
