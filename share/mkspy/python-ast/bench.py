#!/usr/bin/env python3
"""Parsing speed: the Swift parser (pyast --bench, build it with -c release) next to
CPython's ast.parse, single-threaded, on the same files in the same run.

usage: bench.py [--bin PATH] [--repeat N] [PATH...]   (default: the 3.13 stdlib)
Run with CPython 3.13. Files are read into memory before timing; both sides build a
full AST. Files CPython rejects, */bad* and lib2to3 test data are left out.
"""
import argparse
import ast
import fnmatch
import os
import subprocess
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import DEFAULT, EXCLUDE, py_files, require_pyast  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release/pyast")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("paths", nargs="*", default=[DEFAULT])
    args = ap.parse_args()
    require_pyast(args.bin)
    warnings.simplefilter("ignore")
    files, sources = [], []
    for f in py_files(args.paths):
        if any(fnmatch.fnmatch(f, e) for e in EXCLUDE):
            continue
        with open(f, "rb") as fh:
            src = fh.read()
        try:
            ast.parse(src)
        except (SyntaxError, ValueError):
            continue
        files.append(f)
        sources.append(src)
    total = sum(map(len, sources))
    sw = sw_cpu = py = py_cpu = float("inf")
    for _ in range(args.repeat):
        out = subprocess.run([args.bin, "--bench", *files], capture_output=True, text=True, check=True)
        nbytes, secs, ok, cpu = out.stdout.split()
        sw, sw_cpu = min(sw, float(secs)), min(sw_cpu, float(cpu))
        t0, c0 = time.perf_counter(), time.process_time()
        for s in sources:
            ast.parse(s)
        py, py_cpu = min(py, time.perf_counter() - t0), min(py_cpu, time.process_time() - c0)
    mb = total / 1e6
    print(f"{len(files)} files, {mb:.1f} MB, best of {args.repeat}; MB/s by wall clock (and by CPU time)")
    print(f"swift PythonSyntax: {mb / sw:6.1f} MB/s ({mb / sw_cpu:.1f})  {sw:.2f} s  ({ok} parsed)")
    print(f"CPython ast.parse:  {mb / py:6.1f} MB/s ({mb / py_cpu:.1f})  {py:.2f} s")


if __name__ == "__main__":
    main()
