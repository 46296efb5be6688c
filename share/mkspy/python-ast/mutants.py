#!/usr/bin/env python3
"""Negative differential test: accept/reject agreement with CPython 3.13 on token mutants.

usage: mutants.py [--bin PATH] [--count N] [--seed S] [--max-bytes B] [DIR...]
Builds N mutants (default 10000, seed 1) of stdlib files (default: the 3.13 stdlib; files
up to B bytes, default 20000, that CPython parses, excluding */bad*, lib2to3 data, and
files declaring an encoding other than utf-8/latin-1, which we reject by design) by
deleting, duplicating or swapping random tokens, then asks CPython (ast.parse) and the Swift
parser (pyast --batch) whether each is valid. Prints the agreement and the disagreements;
exits 1 below 99.9 %. Mutants both accept must also give the same AST (reported apart).
Run with CPython 3.13.
"""
import argparse
import ast
import io
import os
import random
import sys
import tempfile
import tokenize
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import pyast_batch, require_pyast  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import DEFAULT, EXCLUDE, py_files  # noqa: E402
import ast_from_json  # noqa: E402
import fnmatch  # noqa: E402

SKIP = {tokenize.ENDMARKER, tokenize.DEDENT, tokenize.NL, tokenize.COMMENT, tokenize.ENCODING}


def cpython_accepts(src: bytes):
    try:
        ast.parse(src)
        return True, ""
    except (SyntaxError, ValueError) as e:
        return False, f"{type(e).__name__}: {getattr(e, 'msg', e)} ({getattr(e, 'lineno', '?')}:{getattr(e, 'offset', '?')})"
    except (MemoryError, RecursionError) as e:
        return False, type(e).__name__


def spans(text):
    """(start, end) string offsets of the mutable tokens of `text`."""
    starts, off = [], 0
    for line in text.splitlines(keepends=True):
        starts.append(off)
        off += len(line)
    starts.append(off)
    out = []
    for t in tokenize.generate_tokens(io.StringIO(text).readline):
        if t.type in SKIP:
            continue
        a = starts[t.start[0] - 1] + t.start[1] if t.start[0] - 1 < len(starts) else len(text)
        b = starts[t.end[0] - 1] + t.end[1] if t.end[0] - 1 < len(starts) else len(text)
        if b > a:
            out.append((a, b))
    return out


def mutate(text, toks, rng):
    i = rng.randrange(len(toks))
    a, b = toks[i]
    op = rng.choice(["delete", "duplicate", "swap"])
    if op == "delete":
        return op, a, text[:a] + text[b:]
    if op == "duplicate":
        return op, a, text[:b] + " " + text[a:b] + text[b:]
    if i + 1 >= len(toks):
        return "delete", a, text[:a] + text[b:]
    c, d = toks[i + 1]
    return op, a, text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release/pyast")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-bytes", type=int, default=20000)
    ap.add_argument("--show", type=int, default=30)
    ap.add_argument("--keep", help="write the mutants into this directory (m<N>.py) and keep them")
    ap.add_argument("paths", nargs="*", default=[DEFAULT])
    args = ap.parse_args()
    require_pyast(args.bin)
    warnings.simplefilter("ignore")
    rng = random.Random(args.seed)
    pool = []
    for f in py_files(args.paths):
        if any(fnmatch.fnmatch(f, e) for e in EXCLUDE) or os.path.getsize(f) > args.max_bytes:
            continue
        with open(f, "rb") as fh:
            raw = fh.read()
        head = raw.split(b"\n", 2)[:2]
        if any(b"coding" in h and b"utf-8" not in h.lower() and b"latin-1" not in h.lower() for h in head):
            continue  # other encodings are rejected by design
        try:
            text = raw.decode("utf-8")
            ast.parse(raw)
            toks = spans(text)
        except Exception:
            continue
        if toks:
            pool.append((f, text, toks))
    print(f"{len(pool)} files in the pool")
    cases = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = args.keep or tmpdir
        os.makedirs(tmp, exist_ok=True)
        paths = []
        for k in range(args.count):
            f, text, toks = rng.choice(pool)
            op, at, mutant = mutate(text, toks, rng)
            src = mutant.encode("utf-8")
            p = os.path.join(tmp, f"m{k}.py")
            with open(p, "wb") as fh:
                fh.write(src)
            paths.append(p)
            cases.append((f, op, text.count("\n", 0, at) + 1, src))
        lines = pyast_batch(args.bin, paths)
    if lines is None:
        return 2
    disagree, ast_diff = [], []
    accepted = 0
    for (f, op, line, src), ours in zip(cases, lines):
        theirs, why = cpython_accepts(src)
        accepted += theirs
        mine = not ours.startswith('{"error"')
        if mine != theirs:
            disagree.append((f, op, line, theirs, why, ours[:200] if not mine else ""))
        elif mine and ast.dump(ast_from_json.loads(ours), include_attributes=True) != \
                ast.dump(ast.parse(src), include_attributes=True):
            ast_diff.append((f, op, line))
    for f, op, line in ast_diff[:args.show]:
        print(f"AST DIFFERS {f} {op} near line {line}")
    for f, op, line, theirs, why, ours in disagree[:args.show]:
        print(f"DISAGREE {f} {op} near line {line}: CPython {'accepts' if theirs else 'rejects (' + why + ')'}; "
              f"we {'reject ' + ours if ours else 'accept'}")
    n = len(cases)
    pct = 100.0 * (n - len(disagree)) / n
    print(f"mutants {n}, CPython accepts {accepted}, agreement {n - len(disagree)}/{n} = {pct:.2f}%; "
          f"accepted by both with a different AST: {len(ast_diff)}")
    return 0 if pct >= 99.9 else 1


if __name__ == "__main__":
    sys.exit(main())
