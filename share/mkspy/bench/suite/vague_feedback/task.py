"""vague_feedback: keyword routing under a metric whose feedback is a bare score, with rules
that show up in one train example only.

World: 14 keyword rules (5 with one train example) and 2 more in val and test only; a ticket
with no keyword goes to other. The metric's feedback is only "This trajectory got a score of
X." Task model: a rule stated (or shown by a demo) for the ticket's keyword applies; else the
first queue the prompt lists (other, billing, bug, ...) that no sentence rules out for that
keyword. Reflection model: it reads the scores: a ticket scored 1.0 states its keyword's rule
with the queue it got, a ticket scored 0 rules that queue out for its keyword; so a rule is
found by elimination, one wrong queue per reading.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "other"
LABELS = ["other", "billing", "bug", "account", "feature_request", "security"]
RULES = {"amber": "security", "birch": "bug", "coral": "account", "delta": "feature_request", "elm": "billing",
         "fennel": "security", "gorse": "bug", "heron": "account", "iris": "feature_request", "jade": "billing",
         "kelp": "security", "loam": "feature_request", "moss": "account", "nettle": "bug"}
ONCE = ["jade", "kelp", "loam", "moss", "nettle"]
TAIL = {"rowan": "bug", "sedge": "account"}
INSTRUCTION = "Route the support ticket to the queue that should handle it."

SPEC = {
    "name": "vague_feedback",
    "description": "Route a support ticket to the queue that handles it.",
    "types": {"Queue": LABELS},
    "inputs": {"message": "str"},
    "outputs": {"label": "Queue"},
    "operations": [{"name": "route",
                    "inputs": {"message": {"type": "str", "desc": "the ticket as the customer wrote it"}},
                    "outputs": {"label": {"type": "Queue", "desc": "the queue that should handle the ticket"}},
                    "instruction": INSTRUCTION}],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 28, "val": 40, "test": 150}
EVERY = {**RULES, **TAIL}


def examples(split, rng):
    if split == "train":
        plan = [[k] for k in RULES for _ in range(1 if k in ONCE else 2)] + [[]] * 5
    else:
        plan = []
        for _ in range(SIZES[split]):
            r = rng.random()
            plan.append([] if r < 0.15 else [rng.choice(sorted(TAIL))] if r < 0.21 else [rng.choice(sorted(RULES))])
    rng.shuffle(plan)
    return [{"message": simlm.message(rng, keys), "label": EVERY[keys[0]] if keys else DEFAULT} for keys in plan]


def judge(gold, pred):
    score = 1.0 if pred["label"] == gold["label"] else 0.0
    return score, f"This trajectory got a score of {score}."


def respond(prompt):
    message = prompt.inputs.get("message", "")
    choices = prompt.choices("label") or LABELS
    label = simlm.route(prompt.instruction, message, prompt.demos)
    if label in choices:
        return {"label": label}
    keys = simlm.salient(message)
    ruled_out = simlm.avoided(prompt.instruction).get(keys[0], set()) if keys else set()
    return {"label": next((c for c in choices if c not in ruled_out), choices[0])}


def reflect(refl):
    new = []
    for ex in refl.examples:
        keys = simlm.salient(str(ex.inputs.get("message", "")))
        got = str(ex.outputs.get("label", "") if isinstance(ex.outputs, dict) else "").strip()
        if len(keys) == 1 and got:
            new.append(simlm.route_sentence(keys[0], got) if ex.score >= 1.0
                       else f"Messages that mention '{keys[0]}' do not go to {got}.")
    return simlm.extend(refl.current, list(dict.fromkeys(new)))
