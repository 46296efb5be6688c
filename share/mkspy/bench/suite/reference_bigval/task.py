"""reference_bigval: a reference such as 'BIL-4417' whose format demos teach, with rich
feedback and a val set of 240 examples.

World: 14 keywords name the team of an order; an order with none belongs to GEN; the
reference is the team code, a hyphen and the order number. The metric gives 1.0 for the exact
reference, 0.5 for the right team in another format, else 0, with feedback that states the
team rule and the format. Task model: as in reference_demos (the demos' format when one shows
it, else for 50% of inputs when the instruction describes it, 15% when nothing does).
Reflection model: the current instruction plus the team and format sentences of the feedback
it lacks.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "GEN"
TEAM_OF = {"amber": "BIL", "birch": "BUG", "coral": "ACC", "delta": "SHP", "elm": "BIL", "fennel": "BUG", "gorse": "ACC",
           "heron": "SHP", "iris": "BIL", "jade": "BUG", "kelp": "ACC", "loam": "SHP", "moss": "BIL", "nettle": "BUG"}
INSTRUCTION = "Write the order's reference for the team that handles it. Team codes: GEN, BIL, BUG, ACC, SHP."

SPEC = {
    "name": "reference_bigval",
    "description": "Write an order's reference: the code of the team that handles it and the order number.",
    "inputs": {"message": "str"},
    "outputs": {"reference": "str"},
    "operations": [{"name": "write",
                    "inputs": {"message": {"type": "str", "desc": "the customer's message about an order"}},
                    "outputs": {"reference": {"type": "str", "desc": "the team code and the order number"}},
                    "instruction": INSTRUCTION}],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 60, "val": 240, "test": 200}


def examples(split, rng):
    rows = []
    for _ in range(SIZES[split]):
        keys = [] if rng.random() < 0.15 else [rng.choice(sorted(TEAM_OF))]
        number = rng.randrange(1000, 10000)
        team = TEAM_OF[keys[0]] if keys else DEFAULT
        rows.append({"message": simlm.message(rng, keys, f"Order {number}."), "reference": f"{team}-{number}"})
    return rows


def judge(gold, pred):
    expected, got = gold["reference"], str(pred["reference"] or "").strip()
    if got == expected:
        return 1.0, f"Correct: {expected}."
    keys = simlm.mentioned(gold["message"], TEAM_OF)
    rule = (simlm.belong_sentence(keys[0], expected[:3]) if keys else
            f"Orders that mention no team keyword belong to team {DEFAULT}.")
    if got.upper().startswith(expected[:3]):
        return 0.5, f"Partly right: the team {expected[:3]} is right. {simlm.format_sentence(expected)}"
    return 0.0, f"Wrong: answered {got}, expected {expected}. {rule} {simlm.format_sentence(expected)}"


def respond(prompt):
    return {"reference": simlm.reference(prompt, "reference", plain_rate=0.15, told_rate=0.5)}


def reflect(refl):
    new = simlm.learned(refl.failures, simlm.BELONG)
    if not simlm.statements(refl.current, simlm.FORMAT):
        new += simlm.learned(refl.failures, simlm.FORMAT)[:1]
    return simlm.extend(refl.current, new)
