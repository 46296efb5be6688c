"""tiny_val_noisy: keyword routing with a val set of 14, a test set of 150, a task model sampled
at temperature, and gold answers with mistakes in them (in train and val, not in test).

World: 14 keyword rules (4 with one train example) and 2 more in test only; a ticket with no
keyword goes to other. Three train tickets are mislabelled ('cobalt' as security, 'willow' as
account, 'juniper' as bug: one of each keyword's three train tickets), and so are two val
tickets ('cobalt' as security, 'willow' as account: each keyword's only val ticket); their
feedback states the wrong rule. An instruction that writes the wrong rules gains on val and
loses on test. Task model: a stated rule (or a demo) applies to a ticket that mentions its
keyword (a later statement of a keyword wins); it follows what it read with probability 0.85,
else answers other, drawn anew each time a prompt is asked. Reflection model: the rule sentences
of the failed examples' feedback, one per keyword (the queue most of them state, ties to the
first seen); a rule that contradicts one of the instruction replaces it, a new one is appended.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "other"
FOLLOW = 0.85
COMMON = {"quartz": "billing", "cobalt": "billing", "ember": "bug", "willow": "bug", "lattice": "account",
          "saffron": "account", "harbor": "feature_request", "juniper": "feature_request", "prism": "security",
          "marble": "security"}
RARE = {"velvet": "billing", "orchid": "bug", "thistle": "account", "pebble": "feature_request"}
TAIL = {"falcon": "security", "garnet": "bug"}
RULES = {**COMMON, **RARE}
EVERY = {**RULES, **TAIL}
WRONG = {"cobalt": "security", "willow": "account", "juniper": "bug"}  # the mislabels' gold answers
WRONG_IN_VAL = ["cobalt", "willow"]
INSTRUCTION = "Route the support ticket to the queue that should handle it."

SPEC = {
    "name": "tiny_val_noisy",
    "description": "Route a support ticket to the queue that handles it.",
    "types": {"Queue": ["billing", "bug", "account", "feature_request", "security", "other"]},
    "inputs": {"message": "str"},
    "outputs": {"label": "Queue"},
    "operations": [{"name": "route",
                    "inputs": {"message": {"type": "str", "desc": "the ticket as the customer wrote it"}},
                    "outputs": {"label": {"type": "Queue", "desc": "the queue that should handle the ticket"}},
                    "instruction": INSTRUCTION}],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 38, "val": 14, "test": 150}


def examples(split, rng):
    """[(keywords, mislabelled?)] planned, then written as tickets."""
    if split == "train":
        plan = [([k], k in WRONG and i == 0) for k in COMMON for i in range(3)] + [([k], False) for k in RARE]
        plan += [([], False)] * 4
    elif split == "val":
        others = rng.sample(sorted(k for k in RULES if k not in WRONG_IN_VAL), SIZES["val"] - 4)
        plan = [([k], True) for k in WRONG_IN_VAL] + [([], False)] * 2 + [([k], False) for k in others]
    else:
        plan = []
        for _ in range(SIZES[split]):
            r = rng.random()
            plan.append(([] if r < 0.12 else [rng.choice(sorted(TAIL))] if r < 0.2 else [rng.choice(sorted(RULES))], False))
    rng.shuffle(plan)
    return [{"message": simlm.message(rng, keys),
             "label": (WRONG[keys[0]] if wrong else EVERY[keys[0]]) if keys else DEFAULT} for keys, wrong in plan]


def judge(gold, pred):
    return simlm.route_judge(gold, pred, EVERY, DEFAULT)


def respond(prompt):
    if prompt.draw("follow") >= FOLLOW:
        return {"label": DEFAULT}
    label = simlm.route(prompt.instruction, prompt.inputs.get("message", ""), prompt.demos)
    return {"label": label if label in prompt.choices("label") else DEFAULT}


def reflect(refl):
    return simlm.voted_routes(refl)
