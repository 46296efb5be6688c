#!/usr/bin/env python3
"""Compares the Swift parser (pyast) with CPython's ast on many files.

usage: compare.py [--bin PATH] [--show N] [PATH...]
PATHs are files or directories (default: the CPython 3.13 stdlib). Files CPython fails to
parse, */bad*, and */lib2to3/tests/data/* are excluded. Prints counts and mismatches.
Run with CPython 3.13 (~/.pyenv/versions/3.13.0/bin/python3).
"""
import argparse
import ast
import fnmatch
import os
import pickle
import subprocess
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ast_from_json  # noqa: E402

DEFAULT = os.path.expanduser("~/.pyenv/versions/3.13.0/lib/python3.13")
EXCLUDE = ["*/bad*", "*/lib2to3/tests/data/*"]


def py_files(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
            continue
        for root, dirs, files in os.walk(p):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(".py"):
                    yield os.path.join(root, f)


def first_diff(a, b):
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return f"...{a[max(0, i - 150):i + 100]}\n      vs ...{b[max(0, i - 150):i + 100]}"



def require_pyast(binary):
    """Exits with status 2 and says what to build when the pyast binary is missing."""
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"{os.path.basename(sys.argv[0])}: no pyast binary at {binary}: build it with "
              "'swift build -c release' from the package root, or give its path with --bin PATH", file=sys.stderr)
        sys.exit(2)


def pyast_batch(binary, paths):
    """One JSON line per file from `pyast --batch`, or None (with the reason printed)."""
    out = subprocess.run([binary, "--batch"], input="\n".join(paths) + "\n",
                         capture_output=True, text=True, errors="surrogateescape")
    lines = out.stdout.split("\n")[:-1]
    if out.returncode != 0 or len(lines) != len(paths):
        print(f"pyast failed (rc {out.returncode}, {len(lines)} lines for {len(paths)} files)\n{out.stderr[-2000:]}")
        return None
    return lines

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release/pyast")
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--cache", help="pickle file caching CPython's dumps between runs")
    ap.add_argument("paths", nargs="*", default=[DEFAULT])
    args = ap.parse_args()
    require_pyast(args.bin)
    files = [f for f in py_files(args.paths) if not any(fnmatch.fnmatch(f, e) for e in EXCLUDE)]
    expected, excluded = {}, 0
    warnings.simplefilter("ignore")
    cache = {}
    if args.cache and os.path.exists(args.cache):
        with open(args.cache, "rb") as fh:
            cache = pickle.load(fh)
    for f in files:
        key = (f, os.stat(f).st_mtime_ns)
        if key not in cache:
            with open(f, "rb") as fh:
                src = fh.read()
            try:
                cache[key] = ast.dump(ast.parse(src), include_attributes=True)
            except (SyntaxError, ValueError):
                cache[key] = None
        if cache[key] is None:
            excluded += 1
        else:
            expected[f] = cache[key]
    if args.cache:
        with open(args.cache, "wb") as fh:
            pickle.dump(cache, fh)
    todo = [f for f in files if f in expected]
    lines = pyast_batch(args.bin, todo)
    if lines is None:
        return 2
    bad = []
    for f, line in zip(todo, lines):
        try:
            ours = ast.dump(ast_from_json.loads(line), include_attributes=True)
        except SyntaxError as e:
            bad.append((f, f"we reject: {e.msg} at {e.lineno}:{e.offset}"))
            continue
        if ours != expected[f]:
            bad.append((f, first_diff(ours, expected[f])))
    for f, why in bad[:args.show]:
        print(f"MISMATCH {f}\n      {why}")
    enc = sum(1 for _, why in bad if "encoding problem" in why)
    print(f"matched {len(todo) - len(bad)} / {len(todo)} files "
          f"({excluded} excluded: CPython rejects them; {enc} of the mismatches declare an "
          f"encoding other than utf-8/latin-1, rejected by design)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
