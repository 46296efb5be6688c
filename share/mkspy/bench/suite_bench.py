#!/usr/bin/env python3
"""dspy.GEPA (its defaults, and its own best settings) and mkspy side by side on the simulated
tasks of share/mkspy/bench/suite, over seeds and budgets of metric calls: each one's best val
score, the test score of the program it picks, and how soon mkspy reaches GEPA's val.

Each task (suite/<task>/) has a spec, a metric with dspy.GEPA's signature that both optimizers
call, train/val/test splits, and a simulator of its own (task model and reflection model, on
127.0.0.1; see suite/README.md). GEPA optimizes the same program mkspy starts from: the seed
candidate's rendered source (mkspy-spec spec.json | mkspy-gen), exec'd. mkspy runs the README's
loop, one pipeline per step. Both have the program's LM uncached (GEPA: dspy.LM(cache=False);
mkspy-score: --lm-arg cache=false) and the same concurrency (-j: GEPA's num_threads, mkspy-score's
and mkspy-evolve's -j). Every run gets a fresh simulator. Test scores come from one evaluation
of the chosen program on test, by the same function and metric for all three.

Run it with the Python that has dspy==3.4.1 and gepa 0.1.4, the mkspy binaries in --bin:

    suite_bench.py [--tasks a,b] [--split tune|report|heldout|all] [--seeds 0,1,2,3,4] [--budgets 200,400,800]
                   [--jobs 8] [--latency-ms 0] [--only gepa|gepa-best|mkspy] [--evolve-args FLAGS]
                   [--parallel N] [--out DIR] [--bin DIR]
    suite_bench.py --overhead [--busy-core] [--confined] [--tasks ...] [--seeds 0] [--budgets 400] ...
    suite_bench.py --fail-rate 0.1 [--fail-mix 500,429,...] ...    a provider that fails, for both

(suite_bench.sh builds the release binaries and runs it.) --out keeps every run's directory and
result: a rerun with the same --out skips the runs already done. --overhead times the loop, one
run at a time: mkspy's overhead per step at 0 ms latency, (wall time - LM busy time) / steps,
where the busy time is the union of the simulator's request intervals; the part of it beyond what
dspy.Evaluate (the peer) needs for the run's scored pairs, timed the same way; and the wall-clock ratio
mkspy / GEPA at 100 ms latency (with --busy-core, while another process keeps a core busy).
"""

import argparse
import importlib.util
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import types
import urllib.request
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.join(HERE, "suite")
SHARE = os.path.dirname(HERE)
SYSTEMS = ("gepa", "gepa-best", "mkspy")
RATIO_LATENCY_MS = 100
# dspy.GEPA's own best settings, from the gepa and dspy docs (see the results header):
GEPA_BEST = {"reflection_minibatch_size": 5, "gepa_kwargs": {"cache_evaluation": True}}
GEPA_BEST_WHY = (
    "reflection_minibatch_size (5 unless --gepa-best-args says otherwise: gepa's batch-sampling guide says 5-10 for "
    "classification with many categories, and a reflection that reads more failures learns more), "
    "cache_evaluation=True (gepa.optimize: a (candidate, example) pair is never paid twice, as in mkspy); "
    "candidate_selection_strategy='pareto', use_merge=True, skip_perfect_score=True kept (the docs' "
    "recommendation for general optimization; current_best would be greedy on noisy tasks)")


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_of():
    """task -> 'tune', 'report' or 'heldout', from suite/split.json."""
    with open(os.path.join(SUITE, "split.json"), encoding="utf-8") as f:
        split = json.load(f)
    return {t: half for half in ("tune", "report", "heldout") for t in split.get(half, [])}


class Task:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(SUITE, name)
        with open(os.path.join(self.dir, "spec.json"), encoding="utf-8") as f:
            self.spec = json.load(f)
        self.rows = {s: read(os.path.join(self.dir, f"{s}.jsonl")) for s in ("train", "val", "test")}

    def path(self, split):
        return os.path.join(self.dir, f"{split}.jsonl")

    def examples(self, dspy, split):
        inputs = list(self.spec["inputs"])
        return [dspy.Example(**{k: v for k, v in r.items() if k != "id"}).with_inputs(*inputs) for r in self.rows[split]]

    def metric(self):
        spec = importlib.util.spec_from_file_location(f"suite_metric_{self.name}", os.path.join(self.dir, "metric.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.metric


# ---------------------------------------------------------------------------------------
# The simulator

class Simulator:
    """A task's simulator on 127.0.0.1, for one run."""

    def __init__(self, task, latency_ms, log, faults=None):
        """`faults`: (rate, mix), requests that fail as a provider does (standin_lm.py's --fail-rate, --fail-mix)."""
        fail = ["--fail-rate", str(faults[0]), "--fail-mix", faults[1], "--hang-seconds", "3"] if faults else []
        self.proc = subprocess.Popen([sys.executable, os.path.join(SUITE, "simlm.py"), "--task", os.path.join(task.dir, "task.py"),
                                      "--port", "0", "--latency-ms", str(latency_ms), "--max-seconds", "14400", *fail],
                                     stdout=subprocess.PIPE, stderr=log, text=True)
        self.port = json.loads(self.proc.stdout.readline())["port"]
        self.base = f"http://127.0.0.1:{self.port}"

    def get(self, path):
        with urllib.request.urlopen(self.base + path) as r:
            return json.load(r)

    def busy(self, start, end):
        """Seconds within [start, end] during which the simulator was answering some request."""
        total, reach = 0.0, start
        for a, b in sorted(self.get("/intervals")["intervals"]):
            a, b = max(a, reach), min(b, end)
            if b > a:
                total += b - a
                reach = b
        return total

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def lm(dspy, port):
    return dspy.LM("openai/standin", api_base=f"http://127.0.0.1:{port}/v1", api_key="standin", cache=False, num_retries=3)


# ---------------------------------------------------------------------------------------
# Programs and scores

def program_from(dspy, source):
    """An instance of the dspy.Module a rendered source defines."""
    module = types.ModuleType("suite_program")
    exec(compile(source, "program.py", "exec"), module.__dict__)
    classes = [v for v in vars(module).values()
               if isinstance(v, type) and issubclass(v, dspy.Module) and v.__module__ == "suite_program"]
    return classes[-1]()


def evaluate(dspy, program, examples, metric, port, jobs):
    """Mean metric score of a program on examples (an example whose program fails scores 0)."""
    model = lm(dspy, port)

    def one(ex):
        try:
            with dspy.context(lm=model):
                return float(metric(ex, program(**ex.inputs())).score)
        except Exception:
            return 0.0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        scores = list(pool.map(one, examples))
    return sum(scores) / len(scores)


def peer_time(dspy, task, archive, metric, jobs):
    """dspy.Evaluate, the peer, on the (candidate, example) pairs an mkspy run scored: each
    candidate's program on its examples, num_threads=jobs, on a fresh simulator at 0 ms. Returns
    (wall s, LM busy s, pairs): what DSPy itself needs for the run's metric calls."""
    sources, pairs = {}, {}
    for record in read(archive):
        if record.get("kind") != "candidate":
            continue
        sources.setdefault(record["id"], record.get("source"))
        for eid, entry in (record.get("scores") or {}).items():
            if isinstance(entry, dict) and isinstance(entry.get("score"), (int, float)):
                pairs.setdefault(record["id"], set()).add(eid)
    rows = {r["id"]: r for split in ("train", "val") for r in task.rows[split]}
    inputs = list(task.spec["inputs"])
    example = lambda eid: dspy.Example(**{k: v for k, v in rows[eid].items() if k != "id"}).with_inputs(*inputs)
    score = lambda gold, pred, trace=None: float(getattr(metric(gold, pred), "score", 0.0))
    with open(os.devnull, "w") as log:
        sim = Simulator(task, 0, log)
        try:
            model = lm(dspy, sim.port)
            started = time.monotonic()
            with dspy.context(lm=model):
                for cid, eids in pairs.items():
                    dspy.Evaluate(devset=[example(e) for e in sorted(eids)], metric=score, num_threads=jobs,
                                  display_progress=False)(program_from(dspy, sources[cid]))
            ended = time.monotonic()
            return ended - started, sim.busy(started, ended), sum(len(e) for e in pairs.values())
        finally:
            sim.stop()


def best_curve(points):
    """[(calls, score)] → the best-so-far step curve, by calls."""
    curve, best = [], None
    for calls, score in sorted(points, key=lambda p: p[0]):
        if best is None or score > best + 1e-12:
            best = score
            curve.append((calls, score))
    return curve


def at(curve, calls):
    best = None
    for c, s in curve:
        if c <= calls:
            best = s
    return best


def curve_from_archive(archive, val_ids):
    """mkspy's best val against metric calls, replayed from the archive: a candidate counts
    from the call that completes its val (calls counted in archive order, each scored
    (candidate, example) pair once). Returns (curve, calls). One function, so that it can be
    swapped for mkspy-evolve's own records."""
    scores, complete, points, calls = {}, set(), [], 0
    for record in read(archive):
        if record.get("kind") != "candidate" or "id" not in record:
            continue
        seen = scores.setdefault(record["id"], {})
        for eid, entry in (record.get("scores") or {}).items():
            if isinstance(entry, dict) and isinstance(entry.get("score"), (int, float)) and eid not in seen:
                seen[eid] = entry["score"]
                calls += 1
        if record["id"] not in complete and all(e in seen for e in val_ids):
            complete.add(record["id"])
            points.append((calls, sum(seen[e] for e in val_ids) / len(val_ids)))
    return best_curve(points), calls


# ---------------------------------------------------------------------------------------
# Runs

def seed_source(task, env):
    out = subprocess.run(f"mkspy-spec {shlex.quote(os.path.join(task.dir, 'spec.json'))} | mkspy-gen", shell=True, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[0])["source"]


def mkspy_env(port, workdir, conf):
    env = dict(os.environ, MKSPY_LM="openai/standin", MKSPY_LM_BASE=f"http://127.0.0.1:{port}/v1", MKSPY_LM_KEY="standin",
               MKSPY_PYTHON=sys.executable, MKSPY_SHARE=SHARE, DSPY_CACHEDIR=os.path.join(workdir, "dspy-cache"))
    if not conf.get("confined"):
        env["MKSPY_SANDBOX"] = "none"  # GEPA runs the same programs unconfined: the search is compared, not bubblewrap
    if conf["bin"]:
        env["PATH"] = os.path.abspath(conf["bin"]) + os.pathsep + env["PATH"]
    return env


def run_gepa(dspy, task, sim, seed, budget, conf, best, workdir):
    import contextlib
    metric = task.metric()
    model = lm(dspy, sim.port)
    dspy.configure(lm=model)
    program = program_from(dspy, conf["source"])
    options = dict(conf.get("gepa_best") or GEPA_BEST) if best else {}
    gepa = dspy.GEPA(metric=metric, max_metric_calls=budget, reflection_lm=model, num_threads=conf["jobs"], seed=seed,
                     track_stats=True, **options)
    train, val = task.examples(dspy, "train"), task.examples(dspy, "val")
    started = time.monotonic()
    with open(os.path.join(workdir, "gepa.log"), "w") as log, contextlib.redirect_stderr(log), contextlib.redirect_stdout(log):
        optimized = gepa.compile(program, trainset=train, valset=val)
    ended = time.monotonic()
    results = optimized.detailed_results
    total = results.total_metric_calls
    # A candidate's val is known once its val is paid: discovery count + the val it ran.
    curve = best_curve((min(c + len(val), total), s) for c, s in zip(results.discovery_eval_counts, results.val_aggregate_scores))
    best = {name: {"instruction": p.signature.instructions, "demos": len(p.demos)} for name, p in optimized.named_predictors()}
    return optimized, {"curve": curve, "calls": total, "val": max(results.val_aggregate_scores), "started": started,
                       "ended": ended, "candidates": len(results.candidates), "best": best}


def run_mkspy(dspy, task, sim, seed, budget, conf, workdir):
    env = mkspy_env(sim.port, workdir, conf)
    q = lambda p: shlex.quote(p)
    spec, train, val = (q(os.path.join(task.dir, "spec.json")), q(task.path("train")), q(task.path("val")))
    seeds, archive, nxt = (os.path.join(workdir, f) for f in ("seeds.jsonl", "archive.jsonl", "next.jsonl"))
    evolve = (f"mkspy-evolve -q --train {train} --val {val} -j {conf['jobs']} --seed {seed} --max-calls {budget} "
              f"--cache {q(os.path.join(workdir, 'lm-cache'))} {conf['evolve_args']}")
    step = (f"{evolve} {q(seeds)} {q(archive)} | tee {q(nxt)} | mkspy-gen | mkspy-check -q | mkspy-score -q -j {conf['jobs']} "
            f"--lm-arg cache=false --data {train} --data {val} >> {q(archive)}")
    with open(os.path.join(workdir, "loop.log"), "w") as log:
        started = time.monotonic()
        subprocess.run(f"mkspy-spec {spec} | mkspy-gen > {q(seeds)}", shell=True, env=env, check=True, stderr=log)
        open(archive, "w").close()
        steps = 0
        while True:  # the README's loop: one pipeline per step, while it went through and asked for something
            # mkspy-score's status decides, as in the README (1: a refused candidate); mkspy-evolve's must be 0
            status = subprocess.run(["bash", "-c", step + '; s=("${PIPESTATUS[@]}"); [ "${s[0]}" = 0 ] || exit 9; exit "${s[4]}"'],
                                    env=env, stderr=log).returncode
            if status > 1:
                raise RuntimeError(f"mkspy loop step {steps} exited {status}; see {workdir}/loop.log")
            if os.path.getsize(nxt) == 0:
                break
            steps += 1
        ended = time.monotonic()
    # mkspy's val is the one its search kept: all of val, unless the budget cut it (mkspy-evolve(1), --max-calls)
    explained = subprocess.run(f"{evolve} --explain {q(archive)}", shell=True, env=env, capture_output=True, text=True, check=True)
    search = next(r for r in map(json.loads, explained.stdout.splitlines()) if r["kind"] == "search")
    curve, calls = curve_from_archive(archive, search["val"])
    best = subprocess.run(f"{evolve} --best {q(archive)}", shell=True, env=env, capture_output=True, text=True)
    record = json.loads(best.stdout) if best.returncode == 0 else None  # None: no candidate ran all of val
    genome = {name: {"instruction": m.get("instruction"), "strategy": m.get("strategy"), "demos": len(m.get("demos") or [])}
              for name, m in ((record or {}).get("genome") or {}).items()}
    return record and record["source"], {"curve": curve, "calls": calls, "val": curve[-1][1] if curve else None,
                                         "val_n": len(search["val"]),
                                         "started": started, "ended": ended, "steps": steps, "best": genome,
                                         "candidates": len({json.loads(line)["id"] for line in open(archive)})}


def warm_up(task, conf, out):
    """Starts mkspy's runtime server (DSPy imported once) before any timer, as GEPA's process has
    imported DSPy before its timer starts: the seed scored on one example, on a simulator of its own."""
    workdir = tempfile.mkdtemp(prefix="warm-up-", dir=out)
    with open(os.path.join(workdir, "sim.log"), "w") as log:
        sim = Simulator(task, 0, log)
        try:
            one = os.path.join(workdir, "one.jsonl")
            with open(one, "w") as f:
                f.write(json.dumps(task.rows["train"][0]) + "\n")
            subprocess.run(f"mkspy-spec {shlex.quote(os.path.join(task.dir, 'spec.json'))} | mkspy-gen | mkspy-check -q | "
                           f"mkspy-score -q --lm-arg cache=false --data {shlex.quote(one)} > /dev/null", shell=True,
                           env=mkspy_env(sim.port, workdir, conf), check=True)
        finally:
            sim.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def run_dir(out, task, seed, system, budget, latency):
    return os.path.join(out, "runs", f"latency{latency:g}", task, f"seed{seed}", f"{system}-{budget}")


def job(conf):
    """One task and seed: every budget and system asked, each in a fresh simulator; writes each
    run's result.json (runs with one already are skipped)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "true")
    import logging
    import dspy
    for name in ("dspy", "gepa", "LiteLLM", "litellm"):
        logging.getLogger(name).setLevel(logging.ERROR)
    task = Task(conf["task"])
    conf["source"] = seed_source(task, mkspy_env(0, conf["out"], conf))
    seed, latency = conf["seed"], conf["latency_ms"]
    metric = task.metric()
    if conf["reference"]:  # the seed program's own scores, once per task
        path = os.path.join(conf["out"], "runs", f"latency{latency:g}", task.name, "reference.json")
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(os.path.join(os.path.dirname(path), "reference-sim.log"), "w") as log:
                sim = Simulator(task, 0, log)
                try:
                    program = program_from(dspy, conf["source"])
                    ref = {s: evaluate(dspy, program, task.examples(dspy, s), metric, sim.port, conf["jobs"]) for s in ("val", "test")}
                finally:
                    sim.stop()
            with open(path, "w") as f:
                json.dump(ref, f)
    for budget in conf["budgets"]:
        for system in conf["systems"]:
            workdir = run_dir(conf["out"], task.name, seed, system, budget, latency)
            if os.path.exists(os.path.join(workdir, "result.json")):
                continue
            shutil.rmtree(workdir, ignore_errors=True)
            os.makedirs(workdir)
            if system == "mkspy":
                warm_up(task, conf, workdir)
            with open(os.path.join(workdir, "sim.log"), "w") as log:
                sim = Simulator(task, latency, log, conf.get("faults"))
                try:
                    if system == "mkspy":
                        source, run = run_mkspy(dspy, task, sim, seed, budget, conf, workdir)
                        program = program_from(dspy, source or conf["source"])
                    else:
                        program, run = run_gepa(dspy, task, sim, seed, budget, conf, system == "gepa-best", workdir)
                    stats = sim.get("/stats")
                    run["busy_s"] = sim.busy(run["started"], run["ended"])
                finally:
                    sim.stop()
                # The chosen program's test, on a simulator that does not fail: the search is measured, not the faults.
                test = Simulator(task, latency, log)
                try:
                    run["test"] = evaluate(dspy, program, task.examples(dspy, "test"), metric, test.port, conf["jobs"])
                finally:
                    test.stop()
            if conf.get("peer") and system == "mkspy" and latency == 0:
                run["peer_wall_s"], run["peer_busy_s"], run["peer_pairs"] = peer_time(
                    dspy, task, os.path.join(workdir, "archive.jsonl"), metric, conf["jobs"])
            run.update(task=task.name, seed=seed, budget=budget, system=system, latency_ms=latency,
                       wall_s=run.pop("ended") - run.pop("started"), lm_calls=stats["calls"],
                       peak_in_flight=stats["peak_in_flight"])
            with open(os.path.join(workdir, "result.json"), "w") as f:
                json.dump(run, f)


# ---------------------------------------------------------------------------------------
# The grid and its figures

def run_grid(args, tasks, systems, budgets, latency, parallel):
    """Every (task, seed) as one job process; returns every run's result."""
    confs = [{"task": t, "seed": s, "budgets": budgets, "systems": systems, "latency_ms": latency, "jobs": args.jobs,
              "evolve_args": args.evolve_args, "gepa_best": args.gepa_best, "bin": args.bin, "confined": args.confined, "out": args.out,
              "reference": s == args.seed_list[0], "peer": args.overhead,
              "faults": (args.fail_rate, args.fail_mix) if args.fail_rate > 0 else None}
             for t in tasks for s in args.seed_list]

    def launch(conf):
        logs = os.path.join(args.out, "logs")
        os.makedirs(logs, exist_ok=True)
        log_path = os.path.join(logs, f"{conf['task']}-seed{conf['seed']}-latency{latency:g}.log")
        with open(log_path, "a") as log:
            done = subprocess.run([sys.executable, os.path.abspath(__file__), "--job", json.dumps(conf)], stdout=log, stderr=log)
        if done.returncode != 0:
            print(f"suite_bench: job {conf['task']} seed {conf['seed']} failed (status {done.returncode}); see {log_path}",
                  file=sys.stderr, flush=True)
        else:
            print(f"  done: {conf['task']} seed {conf['seed']}", file=sys.stderr, flush=True)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(launch, confs))
    results = []
    for c in confs:
        for b in budgets:
            for system in systems:
                path = os.path.join(run_dir(args.out, c["task"], c["seed"], system, b, latency), "result.json")
                if os.path.exists(path):
                    with open(path) as f:
                        results.append(json.load(f))
    return results


def mean_sd(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    m = sum(values) / len(values)
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return m, sd


def fmt(values):
    m, sd = mean_sd(values)
    if m is None:
        return "-"
    n = len([v for v in values if v is not None])
    return f"{m:.3f} ± {sd:.3f}" + (f" n={n}" if n < len(values) else "")


def mean_curve(runs, step=10, end=800):
    """The mean over runs of their best-val curves, every `step` calls (None until every run has a value)."""
    points = []
    for c in range(step, end + 1, step):
        values = [at(r["curve"], c) for r in runs]
        points.append((c, sum(values) / len(values) if values and all(v is not None for v in values) else None))
    return points


def reach(points, target):
    return next((c for c, v in points if v is not None and v >= target - 1e-9), None)


def reach_text(label, mk_points, target):
    c = reach(mk_points, target)
    last = next((v for _, v in reversed(mk_points) if v is not None), None)
    where = f"at {c} calls" if c is not None else f"not within {mk_points[-1][0]} calls (it ends at {last:.3f})" if last is not None else "never"
    return f"{label}'s {target:.3f} {where}"


def report(results, tasks, halves, args, budgets, systems, references):
    top = max(budgets)
    pick = lambda task, system, budget: [r for r in results if r["task"] == task and r["system"] == system and r["budget"] == budget]
    for t in tasks:
        task = Task(t)
        ref = references.get(t)
        print(f"\n== {t} ({halves[t]}): {len(task.rows['train'])} train, {len(task.rows['val'])} val, {len(task.rows['test'])} test"
              + (f"; seed program val {ref['val']:.3f}, test {ref['test']:.3f}" if ref else ""))
        print(f"  {'system':10s} {'budget':>6s}  {'best val':>15s}  {'test':>15s}  {'test - val':>15s}  {'calls':>6s}")
        for system in systems:
            for b in budgets:
                runs = pick(t, system, b)
                if not runs:
                    continue
                gap = [r["test"] - r["val"] if r["val"] is not None else None for r in runs]
                print(f"  {system:10s} {b:6d}  {fmt([r['val'] for r in runs]):>15s}  {fmt([r['test'] for r in runs]):>15s}  "
                      f"{fmt(gap):>15s}  {sum(r['calls'] for r in runs) / len(runs):6.0f}"
                      + (f"  (val: {runs[0]['val_n']} of {len(task.rows['val'])} kept)" if runs[0].get("val_n", len(task.rows["val"])) < len(task.rows["val"]) else ""))
        mk = pick(t, "mkspy", top)
        if mk and "mkspy" in systems:
            points = mean_curve(mk, end=top)
            texts = [reach_text(g, points, mean_sd([r["val"] for r in pick(t, g, top)])[0])
                     for g in ("gepa", "gepa-best") if pick(t, g, top)]
            if texts:
                print(f"  mkspy's mean val curve ({top}-call runs) reaches " + "; ".join(texts))
    for half in ("tune", "report", "heldout"):
        members = [t for t in tasks if halves[t] == half]
        if not members:
            continue
        print(f"\n== suite, {half} tasks ({', '.join(members)}): mean over tasks, ± sd over seeds of that mean")
        print(f"  {'system':10s} {'budget':>6s}  {'best val':>15s}  {'test':>15s}  {'test - val':>15s}")
        for system in systems:
            for b in budgets:
                per_seed = {}
                for s in args.seed_list:
                    runs = [r for r in results if r["system"] == system and r["budget"] == b and r["seed"] == s and r["task"] in members]
                    if len(runs) == len(members):
                        vals = [r["val"] for r in runs]
                        per_seed[s] = (sum(vals) / len(vals) if None not in vals else None,
                                       sum(r["test"] for r in runs) / len(runs))
                if not per_seed:
                    continue
                vals = [v for v, _ in per_seed.values()]
                tests = [t_ for _, t_ in per_seed.values()]
                gaps = [t_ - v if v is not None else None for v, t_ in per_seed.values()]
                print(f"  {system:10s} {b:6d}  {fmt(vals):>15s}  {fmt(tests):>15s}  {fmt(gaps):>15s}")
        if "mkspy" in systems:
            curves = [mean_curve(pick(t, "mkspy", top), end=top) for t in members if pick(t, "mkspy", top)]
            if len(curves) == len(members):
                points = [(c, sum(cv[i][1] for cv in curves) / len(curves) if all(cv[i][1] is not None for cv in curves) else None)
                          for i, (c, _) in enumerate(curves[0])]
                texts = []
                for g in ("gepa", "gepa-best"):
                    finals = [mean_sd([r["val"] for r in pick(t, g, top)])[0] for t in members]
                    if all(f is not None for f in finals):
                        texts.append(reach_text(g, points, sum(finals) / len(finals)))
                if texts:
                    print(f"  mkspy's mean val curve over these tasks ({top}-call runs) reaches " + "; ".join(texts))


def overhead(args, tasks):
    """Timing, one run at a time: mkspy's overhead per step at 0 ms, and mkspy / GEPA wall-clock at 100 ms."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy_core else None
    try:
        zero = run_grid(args, tasks, ["gepa", "mkspy"], args.budget_list, 0, 1)
        slow = run_grid(args, tasks, ["gepa", "mkspy"], args.budget_list, RATIO_LATENCY_MS, 1)
    finally:
        if busy:
            busy.terminate()
            busy.wait()
    print("\n== overhead at 0 ms latency: (wall - LM busy) per mkspy loop step, and per metric call for both")
    per_step = []
    for r in zero:
        if r["system"] != "mkspy":
            continue
        g = next(x for x in zero if x["system"] == "gepa" and x["task"] == r["task"] and x["seed"] == r["seed"] and x["budget"] == r["budget"])
        own = (r["wall_s"] - r["busy_s"]) / max(1, r["steps"])
        per_step.append(own)
        print(f"  {r['task']:22s} seed {r['seed']} budget {r['budget']}: mkspy {r['wall_s']:.1f} s wall, {r['busy_s']:.1f} s LM busy, "
              f"{r['steps']} steps: {own * 1000:.0f} ms a step, {(r['wall_s'] - r['busy_s']) / r['calls'] * 1000:.1f} ms a metric call; "
              f"GEPA {g['wall_s']:.1f} s wall, {g['busy_s']:.1f} s busy: {(g['wall_s'] - g['busy_s']) / g['calls'] * 1000:.1f} ms a metric call")
    m, sd = mean_sd(per_step)
    if m is not None:
        print(f"  mkspy's overhead per step: {m * 1000:.0f} ± {sd * 1000:.0f} ms (mean ± sd over {len(per_step)} runs)")
    # What of it is DSPy's own work: the same pairs through dspy.Evaluate, the peer, in one process.
    beyond = []
    for r in zero:
        if r["system"] != "mkspy" or "peer_wall_s" not in r:
            continue
        peer = r["peer_wall_s"] - r["peer_busy_s"]
        beyond.append((r["wall_s"] - r["busy_s"] - peer) / max(1, r["steps"]))
        print(f"  {r['task']:22s} the run's {r['peer_pairs']} scored pairs in dspy.Evaluate (num_threads {args.jobs}): {r['peer_wall_s']:.1f} s wall, "
              f"{r['peer_busy_s']:.1f} s LM busy; mkspy beyond it: {beyond[-1] * 1000:.0f} ms a step")
    m, sd = mean_sd(beyond)
    if m is not None:
        print(f"  mkspy's overhead per step beyond dspy.Evaluate's for the same metric calls: {m * 1000:.0f} ± {sd * 1000:.0f} ms "
              f"(its reflections' DSPy work included)")
    print(f"\n== wall-clock at {RATIO_LATENCY_MS} ms latency, -j {args.jobs}{', one core kept busy by another process' if args.busy_core else ''}"
          f"{'; mkspy confined by bubblewrap' if args.confined else ''}")
    ratios = []
    for r in slow:
        if r["system"] != "mkspy":
            continue
        g = next(x for x in slow if x["system"] == "gepa" and x["task"] == r["task"] and x["seed"] == r["seed"] and x["budget"] == r["budget"])
        ratios.append(r["wall_s"] / g["wall_s"])
        print(f"  {r['task']:22s} seed {r['seed']} budget {r['budget']}: mkspy {r['wall_s']:.1f} s ({r['calls']} calls, {r['steps']} steps), "
              f"GEPA {g['wall_s']:.1f} s ({g['calls']} calls): {ratios[-1]:.2f}×")
    m, sd = mean_sd(ratios)
    if m is not None:
        print(f"  mkspy / GEPA wall-clock: {m:.2f} ± {sd:.2f} (mean ± sd over {len(ratios)} runs)")


def main():
    ap = argparse.ArgumentParser(description="dspy.GEPA vs mkspy on the simulated task suite")
    ap.add_argument("--tasks", help="comma-separated task names (default: those of --split)")
    ap.add_argument("--split", choices=["tune", "report", "heldout", "all"], default="all", help="all: tune and report, not heldout")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--budgets", default="200,400,800")
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--only", choices=SYSTEMS)
    ap.add_argument("--evolve-args", default="", help="more mkspy-evolve flags, e.g. '--children 1'")
    ap.add_argument("--gepa-best-args", default="{}",
                    help="JSON of dspy.GEPA arguments that replace gepa-best's, e.g. '{\"reflection_minibatch_size\": 16}'")
    ap.add_argument("--parallel", type=int, default=1, help="(task, seed) jobs at once; for score figures at latency 0 only")
    ap.add_argument("--out", help="run directories and results.json (default: a new temporary directory)")
    ap.add_argument("--bin", help="directory of the mkspy binaries (default: PATH)")
    ap.add_argument("--overhead", action="store_true", help="time the loop instead (one run at a time)")
    ap.add_argument("--busy-core", action="store_true", help="with --overhead: keep one core busy with another process")
    ap.add_argument("--confined", action="store_true",
                    help="mkspy's candidates under bubblewrap where it is installed, as the README's loop runs them (default: unconfined, as GEPA's)")
    ap.add_argument("--fail-rate", type=float, default=0,
                    help="a share of the simulator's requests fail as a provider does, in the search (not in the test evaluation)")
    ap.add_argument("--fail-mix", default="500,429,malformed,html,cut,empty,timeout", help="the kinds of failure (standin_lm.py)")
    ap.add_argument("--job", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.job:
        return job(json.loads(args.job))
    halves = split_of()
    tasks = args.tasks.split(",") if args.tasks else [t for t in sorted(halves)
                                                      if halves[t] == args.split or (args.split == "all" and halves[t] != "heldout")]
    unknown = [t for t in tasks if not os.path.isfile(os.path.join(SUITE, t, "task.py"))]
    if unknown:
        ap.error(f"no such task: {', '.join(unknown)} (tasks: {', '.join(sorted(halves))})")
    for t in tasks:
        halves.setdefault(t, "unsplit")
    args.seed_list = [int(s) for s in args.seeds.split(",")]
    args.gepa_best = {**GEPA_BEST, **json.loads(args.gepa_best_args)}
    args.budget_list = [int(b) for b in args.budgets.split(",")]
    args.out = os.path.abspath(args.out or tempfile.mkdtemp(prefix="suite-bench-"))
    args.bin = os.path.abspath(args.bin) if args.bin else None
    if args.latency_ms > 0 and args.parallel > 1 and not args.overhead:
        ap.error("--parallel is for score figures at latency 0: timed runs go one at a time")
    os.makedirs(args.out, exist_ok=True)
    import dspy
    from importlib.metadata import version
    command = "python share/mkspy/bench/suite_bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    print(f"# {command}")
    print(f"# dspy {dspy.__version__}, gepa {version('gepa')}; {os.cpu_count()} cores; {time.strftime('%b %d %Y')}")
    started = time.time()
    if args.overhead:
        overhead(args, tasks)
        print(f"\nruns: {args.out}/runs; {time.time() - started:.0f} s in all")
        return
    systems = [args.only] if args.only else list(SYSTEMS)
    print(f"tasks: {', '.join(f'{t} ({halves[t]})' for t in tasks)}; seeds {args.seeds}; budgets {args.budgets} metric calls; "
          f"-j {args.jobs}; simulator latency {args.latency_ms:g} ms; {args.parallel} runs at once"
          + (f"; {args.fail_rate:g} of the search's LM requests fail ({args.fail_mix})" if args.fail_rate > 0 else ""))
    print("gepa:      dspy.GEPA(metric=..., max_metric_calls=B, reflection_lm=lm, num_threads=J, seed=s), its defaults")
    print(f"gepa-best: the same with {', '.join(f'{k}={v!r}' for k, v in args.gepa_best.items())}: {GEPA_BEST_WHY}")
    print("mkspy:     the README's loop, mkspy-evolve's defaults but -j J --seed s --max-calls B"
          + (f" {args.evolve_args}" if args.evolve_args else "") + "; best = mkspy-evolve --best")
    print("the program's LM uncached for all (GEPA: dspy.LM(cache=False); mkspy-score: --lm-arg cache=false); a fresh simulator a run; "
          "val: the best fully evaluated candidate's mean val; test: that program's mean on test; a candidate's val counts from "
          "the call that completes it (GEPA: its discovery count + the val it ran); GEPA's calls may pass B (it ends the iteration "
          "it is in, and pays its seed's full val whatever B is); mkspy's val is on the val its search kept: all of it, unless "
          "val is over a quarter of B (then B/4 of its examples); '-': no candidate ran all of that within B "
          "(its test is then that of the one --best names)", flush=True)
    results = run_grid(args, tasks, systems, args.budget_list, args.latency_ms, args.parallel)
    references = {}
    for t in tasks:
        path = os.path.join(args.out, "runs", f"latency{args.latency_ms:g}", t, "reference.json")
        if os.path.exists(path):
            with open(path) as f:
                references[t] = json.load(f)
    report(results, tasks, halves, args, args.budget_list, systems, references)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"command": command, "results": results, "references": references}, f, indent=1)
    print(f"\n{len(results)} runs in {time.time() - started:.0f} s; results: {args.out}/results.json")


if __name__ == "__main__":
    main()
