#!/usr/bin/env python3
"""Writes FILE.json (CPython's AST in the ast_to_json format) next to every FILE.py given,
or every .py file in the directories given; with --hash, writes FILE.fnv instead: the
FNV-1a 64-bit hash (16 hex digits) and byte length of that JSON, for big files. Run with
CPython 3.13:
    ~/.pyenv/versions/3.13.0/bin/python3 share/mkspy/python-ast/make_goldens.py \
        Tests/PythonSyntaxTests/Fixtures/features Tests/PythonSyntaxTests/Fixtures/stdlib
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ast_to_json import source_to_json  # noqa: E402


def fnv1a64(data: bytes) -> str:
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


hashed = "--hash" in sys.argv
for arg in [a for a in sys.argv[1:] if a != "--hash"]:
    paths = [arg] if os.path.isfile(arg) else sorted(
        os.path.join(arg, f) for f in os.listdir(arg) if f.endswith(".py"))
    for p in paths:
        with open(p, "rb") as f:
            out = source_to_json(f.read())
        if hashed:
            data = out.encode("utf-8", "surrogatepass")
            with open(p[:-3] + ".fnv", "w") as f:
                f.write(f"{fnv1a64(data)} {len(data)}\n")
        else:
            with open(p[:-3] + ".json", "w", encoding="utf-8", newline="\n") as f:
                f.write(out)
        if out.startswith('{"error"'):
            print(f"{p}: CPython rejects it: {out.strip()}")
