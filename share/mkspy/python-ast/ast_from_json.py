#!/usr/bin/env python3
"""Rebuilds CPython `ast` objects from the JSON of ast_to_json.py / pyast / mkspy-check --ast.

usage: ast_from_json.py FILE.json   (prints ast.dump(tree, include_attributes=True))
"""
import ast
import json
import sys

POS = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def untag(t):
    (k, v), = t.items()
    return {"int": int, "float": float.fromhex, "complex": lambda s: complex(0, float.fromhex(s)),
            "str": str, "bytes": bytes.fromhex,
            "str_utf8_hex": lambda s: bytes.fromhex(s).decode("utf-8", "surrogatepass"),
            "bool": bool, "none": lambda _: None, "ellipsis": lambda _: ...}[k](v)


def from_obj(o):
    if isinstance(o, list):
        return [from_obj(x) for x in o]
    if not isinstance(o, dict):
        return o
    if "error" in o and "_type" not in o:
        e = o["error"]
        raise SyntaxError(e["message"], ("<json>", e["lineno"], e["col_offset"] + 1, None))
    cls = getattr(ast, o["_type"])
    tagged = cls in (ast.Constant, ast.MatchSingleton)
    kw = {}
    for f in cls._fields:
        v = o.get(f)
        kw[f] = untag(v) if tagged and f == "value" else from_obj(v)
    node = cls(**kw)
    for a in POS:
        if a in o:
            setattr(node, a, o[a])
    return node


def loads(text):
    return from_obj(json.loads(text))


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print(ast.dump(loads(f.read()), include_attributes=True, indent=1))
