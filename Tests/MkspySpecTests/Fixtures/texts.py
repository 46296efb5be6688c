"""Python's own answers for the texts mkspy-spec computes, for MkspySpecTests.

    python texts.py JOB.json

JOB is {"prefixes": [names], "cleandoc": [texts], "repr": [texts], "unparse": [expressions]}.
Prints the same keys with DSPy's infer_prefix(name), inspect.cleandoc(text), repr(text) and
ast.unparse of each expression.
"""

import ast
import inspect
import json
import sys

from dspy.signatures.signature import infer_prefix

job = json.load(open(sys.argv[1]))
print(json.dumps({
    "prefixes": [infer_prefix(name) for name in job["prefixes"]],
    "cleandoc": [inspect.cleandoc(text) for text in job["cleandoc"]],
    "repr": [repr(text) for text in job["repr"]],
    "unparse": [ast.unparse(ast.parse(text, mode="eval").body) for text in job["unparse"]],
}))
