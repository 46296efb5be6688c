#!/usr/bin/env python3
"""Writes the benchmark's task, share/mkspy/bench/rules_task/: a ticket-routing spec whose right
answers follow eight hidden keyword rules (invented words, so no LM could know them), a metric
whose feedback states the rule a wrong answer broke, and train/val/test splits. Deterministic."""

import json
import os
import random

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules_task")
LABELS = ["billing", "bug", "account", "feature_request", "other"]
RULES = [("quartz", "billing"), ("ember", "bug"), ("lattice", "account"), ("harbor", "feature_request"),
         ("cobalt", "billing"), ("willow", "bug"), ("prism", "account"), ("juniper", "feature_request")]
OPENERS = ["Hi team,", "Hello,", "Good morning.", "Quick question:", "Hey there,", "To whom it may concern:"]
SUBJECTS = ["dashboard", "report", "workspace", "export", "team page", "settings screen", "mobile app", "API"]
PROBLEMS = ["looks different since yesterday", "needs a closer look", "is on my mind today",
            "came up in our weekly meeting", "has a question attached", "is what this is about"]
CLOSERS = ["Thanks!", "Cheers.", "Best regards.", "Talk soon.", ""]

SPEC = {
    "name": "route_ticket",
    "description": "Route a customer support ticket to the queue that handles it.",
    "types": {"Queue": LABELS},
    "inputs": {"message": "str"},
    "outputs": {"label": "Queue"},
    "operations": [{
        "name": "route",
        "inputs": {"message": {"type": "str", "desc": "the ticket as the customer wrote it"}},
        "outputs": {"label": {"type": "Queue", "desc": "the queue that should handle the ticket"}},
        "instruction": "Route the support ticket to the queue that should handle it.",
    }],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}


def message(rng, keyword):
    parts = [rng.choice(OPENERS)]
    subject = rng.choice(SUBJECTS)
    if keyword:
        parts.append(f"the {keyword} {subject} {rng.choice(PROBLEMS)}.")
    else:
        parts.append(f"the {subject} {rng.choice(PROBLEMS)}.")
    parts.append(rng.choice(CLOSERS))
    return " ".join(p for p in parts if p)


def split(rng, name, n):
    rows = []
    for i in range(n):
        if i % 5 == 4:
            keyword, label = None, "other"
        elif name == "train" and i < 10:  # every rule can be learned from train
            keyword, label = RULES[i - i // 5]
        else:
            keyword, label = RULES[rng.randrange(len(RULES))]
        rows.append({"id": f"{name}-{i + 1:03d}", "message": message(rng, keyword), "label": label})
    return rows


def main():
    os.makedirs(HERE, exist_ok=True)
    rng = random.Random(7)
    with open(os.path.join(HERE, "rules.json"), "w") as f:
        json.dump({"field": "label", "default": "other",
                   "rules": [{"keyword": k, "label": v} for k, v in RULES]}, f, indent=1)
        f.write("\n")
    with open(os.path.join(HERE, "spec.json"), "w") as f:
        json.dump(SPEC, f, indent=2)
        f.write("\n")
    for name, n in (("train", 24), ("val", 24), ("test", 48)):
        with open(os.path.join(HERE, f"{name}.jsonl"), "w") as f:
            for row in split(rng, name, n):
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
