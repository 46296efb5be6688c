"""fee_cot_bigval: an order's fee, the sum of surcharges; adding up goes wrong without reasoning
first; a val set of 200 examples.

World: 12 keywords each add a surcharge (2 to 19 dollars); an order mentions one to three of
them; the fee is their sum. Task model: each mentioned keyword's surcharge as a sentence (or a
one-keyword demo) states it, 0 when nothing does; with two terms or more it slips by 1 to 3
dollars on 50% of prompts under dspy.Predict (35% when the instruction says to add one at a
time), on 5% when it reasons first (dspy.ChainOfThought's `reasoning` field). Reflection
model: the surcharge sentences of the feedback the instruction lacks; when a wrong answer's
surcharges were all stated already, the sentence that says to add them one at a time.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

SURCHARGE = {"amber": 7, "birch": 12, "coral": 5, "delta": 16, "elm": 3, "fennel": 9, "gorse": 14, "heron": 2,
             "iris": 11, "jade": 19, "kelp": 4, "loam": 8}
ADD = r"orders that mention '([\w-]+)' add (\d+) dollars to the fee\."
STEPWISE = r"add the surcharges one at a time and check the sum\."
INSTRUCTION = "Compute the order's fee from the surcharges its message mentions."

SPEC = {
    "name": "fee_cot_bigval",
    "description": "Compute an order's fee, the sum of the surcharges its message mentions.",
    "inputs": {"message": "str"},
    "outputs": {"fee": "int"},
    "operations": [{"name": "compute",
                    "inputs": {"message": {"type": "str", "desc": "the customer's message about an order"}},
                    "outputs": {"fee": {"type": "int", "desc": "the order's fee in dollars"}},
                    "instruction": INSTRUCTION}],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 60, "val": 200, "test": 200}


def examples(split, rng):
    rows = []
    for _ in range(SIZES[split]):
        r = rng.random()
        keys = rng.sample(sorted(SURCHARGE), 1 if r < 0.4 else 2 if r < 0.75 else 3)
        rows.append({"message": simlm.message(rng, keys), "fee": sum(SURCHARGE[k] for k in keys)})
    return rows


def add_sentence(keyword):
    return f"Orders that mention '{keyword}' add {SURCHARGE[keyword]} dollars to the fee."


def judge(gold, pred):
    expected = int(gold["fee"])
    try:
        got = int(pred["fee"])
    except (TypeError, ValueError):
        got = pred["fee"]
    if got == expected:
        return 1.0, f"Correct: {expected}."
    keys = simlm.mentioned(gold["message"], SURCHARGE)
    return 0.0, (f"Wrong: answered {got}, expected {expected}. The message mentions {', '.join(repr(k) for k in keys)}. "
                 + " ".join(add_sentence(k) for k in keys) + f" The sum is {' + '.join(str(SURCHARGE[k]) for k in keys)} = {expected}.")


def respond(prompt):
    rate = 0.05 if prompt.cot else 0.35 if simlm.statements(prompt.instruction, STEPWISE) else 0.5
    return {"fee": simlm.total(prompt, "fee", ADD, slip=prompt.fixed("slip") < rate)}


def reflect(refl):
    new = simlm.learned(refl.failures, ADD)
    stated = simlm.amounts(refl.current, ADD)
    if any(all(k.lower() in stated for k in simlm.quoted(ex.feedback.split(". The sum")[0])) for ex in refl.failures):
        new.append("Add the surcharges one at a time and check the sum.")
    return simlm.extend(refl.current, new)
