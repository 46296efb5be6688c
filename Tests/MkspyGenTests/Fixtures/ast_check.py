"""Checks that adversarial text cannot change a rendered program, for MkspyGenTests.

    python ast_check.py JOB.json

JOB is {"cases": [{"label", "adversarial", "benign", "class_name", "expect"}]}: two sources
rendered from the same spec shape, one with hostile text everywhere and one with plain
text. With every string constant blanked, both must parse to the same AST (same classes,
same statements). Then the hostile texts must read back exactly: docstrings from the AST
(and from __doc__ where Python keeps it as written, before 3.13), field descriptions,
Pydantic field descriptions, Literal members and demos from the imported module. Prints
{"results": [{"label", "errors"}]}.
"""

import ast
import importlib
import json
import os
import sys
import tempfile
import traceback
import typing
import warnings

warnings.simplefilter("ignore")


class Blank(ast.NodeTransformer):
    def visit_Constant(self, node):
        if isinstance(node.value, str):
            return ast.copy_location(ast.Constant(value=""), node)
        return node


def shape(source):
    return ast.dump(Blank().visit(ast.parse(source)), include_attributes=False)


def check(case, index, root):
    errors = []
    expect = case["expect"]
    if shape(case["adversarial"]) != shape(case["benign"]):
        errors.append("the adversarial program's structure differs from the benign one's")
    tree = ast.parse(case["adversarial"])
    docstrings = {n.name: ast.get_docstring(n, clean=False) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    for name, text in expect.get("docstrings", {}).items():
        if docstrings.get(name) != text:
            errors.append(f"docstring of {name} in the AST is {docstrings.get(name)!r}, expected {text!r}")

    name = f"mkspy_adversarial_{index}"
    with open(os.path.join(root, name + ".py"), "w", encoding="utf-8") as f:
        f.write(case["adversarial"])
    module = importlib.import_module(name)
    if sys.version_info < (3, 13):
        for cls, text in expect.get("docstrings", {}).items():
            if getattr(module, cls).__doc__ != text:
                errors.append(f"{cls}.__doc__ is {getattr(module, cls).__doc__!r}, expected {text!r}")
    for key, text in expect.get("descriptions", {}).items():
        cls, field = key.split(".")
        signature = getattr(module, cls)
        desc = signature.fields[field].json_schema_extra.get("desc")
        if desc != text:
            errors.append(f"desc of {key} is {desc!r}, expected {text!r}")
    for key, text in expect.get("model_descriptions", {}).items():
        cls, field = key.split(".")
        desc = getattr(module, cls).model_fields[field].description
        if desc != text:
            errors.append(f"description of {key} is {desc!r}, expected {text!r}")
    for alias, values in expect.get("enums", {}).items():
        members = list(typing.get_args(getattr(module, alias)))
        if members != values:
            errors.append(f"{alias} has members {members!r}, expected {values!r}")
    program = getattr(module, case["class_name"])()
    for path, demos in expect.get("demos", {}).items():
        target = program
        for part in path.split("."):
            target = getattr(target, part)
        got = [dict(d.toDict()) for d in target.demos]
        if got != demos:
            errors.append(f"demos of {path} are {got!r}, expected {demos!r}")
    return errors


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    results = []
    with tempfile.TemporaryDirectory() as root:
        sys.path.insert(0, root)
        for i, case in enumerate(cases):
            try:
                errors = check(case, i, root)
            except Exception:
                errors = [traceback.format_exc(limit=6)]
            results.append({"label": case["label"], "errors": errors})
    json.dump({"results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
