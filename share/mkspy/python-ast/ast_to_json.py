#!/usr/bin/env python3
"""The reference definition of the AST JSON format (mkspy-check --ast, pyast).

One JSON object, keys sorted, no whitespace (json.dumps with sort_keys=True,
ensure_ascii=False, separators=(",", ":")), one trailing newline. Every node is an
object: "_type" is the CPython class name (Module, Name, Load, Add, ...), then every
field of that class under its CPython name (lists as arrays, absent optional fields as
null), plus lineno, col_offset, end_lineno, end_col_offset where the class has them
(columns count UTF-8 bytes). Constant.value and MatchSingleton.value are tagged:
{"int": "<decimal>"}, {"float": "<float.hex()>"}, {"complex": "<imag as float.hex()>"},
{"str": "<text>"} or {"str_utf8_hex": "<hex of utf-8 with surrogatepass>"} when the text
holds lone surrogates, {"bytes": "<hex>"}, {"bool": true}, {"none": null},
{"ellipsis": null}. A syntax error is {"error": {"col_offset", "lineno", "message"}}
(col_offset 0-based, in UTF-8 bytes).

usage: ast_to_json.py FILE.py   (prints the JSON of CPython's own parse)
"""
import ast
import json
import sys
import warnings


def tag(v):
    if v is None:
        return {"none": None}
    if v is Ellipsis:
        return {"ellipsis": None}
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": v.hex()}
    if isinstance(v, complex):
        return {"complex": v.imag.hex()}
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, str):
        try:
            v.encode("utf-8")
            return {"str": v}
        except UnicodeEncodeError:
            return {"str_utf8_hex": v.encode("utf-8", "surrogatepass").hex()}
    raise TypeError(f"unexpected constant {v!r}")


def to_obj(node):
    if isinstance(node, list):
        return [to_obj(x) for x in node]
    if not isinstance(node, ast.AST):
        return node
    d = {"_type": type(node).__name__}
    tagged = isinstance(node, (ast.Constant, ast.MatchSingleton))
    for f in node._fields:
        v = getattr(node, f, None)
        d[f] = tag(v) if tagged and f == "value" else to_obj(v)
    for a in node._attributes:
        if a in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            d[a] = getattr(node, a, None)
    return d


def dumps(obj):
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def source_to_json(source: bytes) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(source)
        except SyntaxError as e:
            return dumps({"error": {"message": e.msg, "lineno": e.lineno,
                                    "col_offset": (e.offset or 1) - 1}})
    return dumps(to_obj(tree))


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        sys.stdout.write(source_to_json(f.read()))
