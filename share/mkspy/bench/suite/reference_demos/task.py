"""reference_demos: a reference such as 'BIL-4417' whose format demos teach, under a metric
whose feedback is a bare score.

World: 10 keywords name the team of an order (3 of them with one train example); an order with
none belongs to GEN; the reference is the team code, a hyphen and the order number. The metric
gives 1.0 for the exact reference, 0.5 for the right team in another format, else 0, and its
feedback is only "This trajectory got a score of X." (as GEPA words a metric without feedback).
Task model: the team a sentence or a demo gives the keyword, else the first team code of the
instruction that no sentence rules out for it; the format of the demos when one shows it, else
for 50% of inputs when the instruction describes it, 15% when nothing does (else 'bil order
4417'). Reflection model: it reads the scores: a 0 rules the team it wrote out for that keyword,
a 0.5 or 1.0 states it; a 1.0 also describes the format by that example.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "GEN"
TEAM_OF = {"quartz": "BIL", "ember": "BUG", "lattice": "ACC", "harbor": "SHP", "cobalt": "BIL", "willow": "BUG",
           "prism": "ACC", "juniper": "SHP", "saffron": "BIL", "tundra": "SHP"}
ONCE = ["prism", "juniper", "tundra"]
INSTRUCTION = "Write the order's reference for the team that handles it. Team codes: GEN, BIL, BUG, ACC, SHP."

SPEC = {
    "name": "reference_demos",
    "description": "Write an order's reference: the code of the team that handles it and the order number.",
    "inputs": {"message": "str"},
    "outputs": {"reference": "str"},
    "operations": [{"name": "write",
                    "inputs": {"message": {"type": "str", "desc": "the customer's message about an order"}},
                    "outputs": {"reference": {"type": "str", "desc": "the team code and the order number"}},
                    "instruction": INSTRUCTION}],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 40, "val": 40, "test": 150}


def examples(split, rng):
    if split == "train":
        plan = [[k] for k in TEAM_OF for _ in range(1 if k in ONCE else 4)] + [[]] * 9
    else:
        plan = [[] if rng.random() < 0.2 else [rng.choice(sorted(TEAM_OF))] for _ in range(SIZES[split])]
    rng.shuffle(plan)
    rows = []
    for keys in plan:
        number = rng.randrange(1000, 10000)
        team = TEAM_OF[keys[0]] if keys else DEFAULT
        rows.append({"message": simlm.message(rng, keys, f"Order {number}."), "reference": f"{team}-{number}"})
    return rows


def score(gold, pred):
    expected, got = gold["reference"], str(pred["reference"] or "").strip()
    return 1.0 if got == expected else 0.5 if got.upper().startswith(expected[:3]) else 0.0


def judge(gold, pred):
    s = score(gold, pred)
    return s, f"This trajectory got a score of {s}."


def respond(prompt):
    return {"reference": simlm.reference(prompt, "reference", plain_rate=0.15, told_rate=0.5)}


def reflect(refl):
    new = []
    for ex in refl.examples:
        keys = simlm.salient(str(ex.inputs.get("message", "")))
        got = str(ex.outputs.get("reference", "") if isinstance(ex.outputs, dict) else "").strip()
        team = (re.findall(r"[A-Za-z]{3}", got) or [""])[0].upper()
        described = simlm.statements("\n".join([refl.current] + new), simlm.FORMAT)
        if ex.score >= 1.0 and simlm.REFERENCE.match(got) and not described:
            new.append(simlm.format_sentence(got))
        if len(keys) == 1 and team:
            new.append(simlm.belong_sentence(keys[0], team) if ex.score > 0 else simlm.shun_sentence(keys[0], team))
    return simlm.extend(refl.current, list(dict.fromkeys(new)))
