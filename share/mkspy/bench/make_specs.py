#!/usr/bin/env python3
"""Writes N varied, valid task specs as JSON Lines (for the mkspy-spec benchmark)."""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
rng = random.Random(7)
for i in range(n):
    k = rng.randint(1, 4)
    spec = {
        "name": f"task_{i}",
        "description": "Read a document and answer.",
        "types": {
            "Document": "str",
            "Score": "float",
            "Label": ["good", "bad", "unknown"],
            "Entry": {"title": "str", "weight": "Score"},
            "Entries": "list[Entry]",
        },
        "inputs": {"document": {"type": "Document", "desc": f"document {i}"}},
        "outputs": {"label": "Label", "total": "Score"},
        "operations": [
            {"name": "extract_entries", "inputs": {"document": "Document"},
             "outputs": {"entries": "Entries"}, "instruction": "List every entry." * k},
            {"name": "classify", "strategy": rng.choice(["predict", "cot"]),
             "signature": "entries: Entries, document: Document -> label: Label, total: Score",
             "instruction": "Classify the document."},
        ],
        "metric": {"kind": "exact", "field": "label"},
    }
    print(json.dumps(spec))
