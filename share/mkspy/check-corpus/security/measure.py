#!/usr/bin/env python3
"""Recall and false positives of mkspy-check's security rules on this corpus.

dangerous/*.py each start with "# expect: SECnnn (what)": the file must get that rule as an
error. benign/*.py are look-alikes: none may get a SEC error. Files are checked with
--strict, where every finding is an error but the milder cases some rules leave as warnings
(a write that stays in the working directory). Run from the repository root after
`swift build`:

    python3 share/mkspy/check-corpus/security/measure.py [path/to/mkspy-check]
"""
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
tool = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.getcwd(), ".build", "debug", "mkspy-check")


def check(path, severity="error"):
    """The SEC rules mkspy-check --strict reports for one file with `severity`."""
    out = subprocess.run([tool, "-q", "--strict", path], capture_output=True, text=True).stdout
    record = json.loads(out)
    return {d["rule"] for d in record["diagnostics"] if d["rule"].startswith("SEC") and d["severity"] == severity}


def files(kind):
    folder = os.path.join(here, kind)
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".py"))


missed, wrong = [], []
dangerous = files("dangerous")
for path in dangerous:
    with open(path) as f:
        expected = f.readline().split()[2]
    found = check(path)
    if expected not in found:
        missed.append((os.path.basename(path), expected, sorted(found)))
flagged, warned = [], 0
benign = files("benign")
for path in benign:
    found = check(path)
    if found:
        flagged.append((os.path.basename(path), sorted(found)))
    warned += bool(check(path, "warning"))
for name, expected, found in missed:
    print(f"missed: {name}: expected {expected}, got {found}")
for name, found in flagged:
    print(f"false positive: {name}: {found}")
caught = len(dangerous) - len(missed)
print(f"recall: {caught}/{len(dangerous)} dangerous snippets flagged by their expected rule")
print(f"false positives: {len(flagged)}/{len(benign)} benign look-alikes got a security error"
      f" ({warned} got a security warning)")
print(f"reproduce: swift build --product mkspy-check && python3 share/mkspy/check-corpus/security/measure.py")
sys.exit(1 if missed or flagged else 0)
