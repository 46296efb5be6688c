"""points_cot_noisy: loyalty points, a sum that goes wrong without reasoning first, from a task
model sampled at temperature: the same prompt may score differently each time it is asked.

World: 10 keywords each earn points (3 to 25); an order mentions one to three of them; its
points are their sum. Task model: as in fee_cot_bigval, each keyword's points as a sentence (or
a one-keyword demo) states them, with slips of 1 to 3 points on sums of two terms or more (50%
under dspy.Predict, 35% when told to add one at a time, 8% when reasoning first), and on any
answer a 6% lapse (off by one); every chance is drawn anew each time a prompt is asked.
Reflection model: the points sentences of the feedback the instruction lacks; when a wrong
answer's points were all stated already, the sentence that says to add them one at a time.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

POINTS = {"quartz": 12, "ember": 5, "lattice": 21, "harbor": 8, "cobalt": 17, "willow": 3, "prism": 25, "juniper": 10,
          "saffron": 14, "tundra": 6}
EARN = r"orders that mention '([\w-]+)' earn (\d+) points\."
STEPWISE = r"add the points one at a time and check the sum\."
INSTRUCTION = "Give the loyalty points the order earns, from what its message mentions."

SPEC = {
    "name": "points_cot_noisy",
    "description": "Give the loyalty points an order earns: the sum of the points of what its message mentions.",
    "inputs": {"message": "str"},
    "outputs": {"points": "int"},
    "operations": [{"name": "award",
                    "inputs": {"message": {"type": "str", "desc": "the customer's message about an order"}},
                    "outputs": {"points": {"type": "int", "desc": "the loyalty points the order earns"}},
                    "instruction": INSTRUCTION}],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 40, "val": 40, "test": 150}


def examples(split, rng):
    rows = []
    for _ in range(SIZES[split]):
        r = rng.random()
        keys = rng.sample(sorted(POINTS), 1 if r < 0.35 else 2 if r < 0.75 else 3)
        rows.append({"message": simlm.message(rng, keys), "points": sum(POINTS[k] for k in keys)})
    return rows


def earn_sentence(keyword):
    return f"Orders that mention '{keyword}' earn {POINTS[keyword]} points."


def judge(gold, pred):
    expected = int(gold["points"])
    try:
        got = int(pred["points"])
    except (TypeError, ValueError):
        got = pred["points"]
    if got == expected:
        return 1.0, f"Correct: {expected}."
    keys = simlm.mentioned(gold["message"], POINTS)
    return 0.0, (f"Wrong: answered {got}, expected {expected}. The message mentions {', '.join(repr(k) for k in keys)}. "
                 + " ".join(earn_sentence(k) for k in keys) + f" The sum is {' + '.join(str(POINTS[k]) for k in keys)} = {expected}.")


def respond(prompt):
    rate = 0.08 if prompt.cot else 0.35 if simlm.statements(prompt.instruction, STEPWISE) else 0.5
    value = simlm.total(prompt, "points", EARN, slip=prompt.draw("slip") < rate)
    if prompt.draw("lapse") < 0.06:
        value += 1 if prompt.draw("lapse sign") < 0.5 else -1
    return {"points": value}


def reflect(refl):
    new = simlm.learned(refl.failures, EARN)
    stated = simlm.amounts(refl.current, EARN)
    if any(all(k.lower() in stated for k in simlm.quoted(ex.feedback.split(". The sum")[0])) for ex in refl.failures):
        new.append("Add the points one at a time and check the sum.")
    return simlm.extend(refl.current, new)
