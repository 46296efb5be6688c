"""mislabeled_rules: keyword routing of IT helpdesk tickets whose train and val gold answers
hold a labeller's mistakes (not test's).

World: 16 keyword rules over five queues (4 rules with one train example) and 2 more in val and
test only; a ticket with no keyword goes to other. Five train tickets are mislabelled, one of
the four train tickets of each of five keywords, as a labeller who mixes up neighbouring queues
would: 'tango' as hardware, 'copper' as network, 'nimbus' as software, 'indigo' as access, and
'beacon' left in other. The same labeller made two of the val mistakes: 'copper' as network and
'indigo' as access, one of each keyword's three val tickets. Their feedback states the wrong
rule; the right rule is the majority in train and in val. Task model: a stated rule (or a demo)
applies to a ticket that mentions its keyword (a later statement of a keyword wins), else other;
deterministic. Reflection model: the rule sentences of the failed examples' feedback, one per
keyword (the queue most of them state, ties to the first seen); a rule that contradicts one of
the instruction replaces it, a new one is appended: a minibatch whose only failure for a keyword
is its mislabelled ticket writes the wrong rule over the right one.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "other"
LABELS = ["network", "hardware", "access", "software", "purchasing", "other"]
NOISY = {"tango": "network", "copper": "hardware", "nimbus": "access", "indigo": "software", "beacon": "purchasing"}
CLEAN = {"meadow": "network", "ripple": "network", "glacier": "hardware", "walnut": "hardware", "zephyr": "access",
         "summit": "software", "cedar": "purchasing"}
COMMON = {**NOISY, **CLEAN}
RARE = {"hazel": "network", "lotus": "hardware", "pylon": "access", "sierra": "software"}
TAIL = {"topaz": "purchasing", "vortex": "network"}
RULES = {**COMMON, **RARE}
EVERY = {**RULES, **TAIL}
WRONG = {"tango": "hardware", "copper": "network", "nimbus": "software", "indigo": "access", "beacon": "other"}
WRONG_IN_VAL = ["copper", "indigo"]  # the same keywords and wrong queues as in train
INSTRUCTION = "Route the IT helpdesk ticket to the queue that should handle it."

SPEC = {
    "name": "mislabeled_rules",
    "description": "Route an IT helpdesk ticket to the queue that handles it.",
    "types": {"Queue": LABELS},
    "inputs": {"message": "str"},
    "outputs": {"label": "Queue"},
    "operations": [{"name": "route",
                    "inputs": {"message": {"type": "str", "desc": "the ticket as the employee wrote it"}},
                    "outputs": {"label": {"type": "Queue", "desc": "the queue that should handle the ticket"}},
                    "instruction": INSTRUCTION}],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 48, "val": 40, "test": 150}


def examples(split, rng):
    """[(keywords, mislabelled?)] planned, then written as tickets."""
    if split == "train":
        plan = [([k], k in WRONG and i == 0) for k in COMMON for i in range(4 if k in NOISY else 3)]
        plan += [([k], False) for k in RARE] + [([], False)] * 3
    elif split == "val":
        plan = [([k], k in WRONG_IN_VAL and i == 0) for k in WRONG_IN_VAL for i in range(3)]
        plan += [([k], False) for k in COMMON if k not in WRONG_IN_VAL for _ in range(2)]
        plan += [([k], False) for k in RARE] + [([k], False) for k in TAIL for _ in range(2)] + [([], False)] * 6
    else:
        plan = []
        for _ in range(SIZES[split]):
            r = rng.random()
            plan.append(([] if r < 0.12 else [rng.choice(sorted(TAIL))] if r < 0.2 else
                         [rng.choice(sorted(RARE))] if r < 0.4 else [rng.choice(sorted(COMMON))], False))
    rng.shuffle(plan)
    return [{"message": simlm.message(rng, keys),
             "label": (WRONG[keys[0]] if wrong else EVERY[keys[0]]) if keys else DEFAULT} for keys, wrong in plan]


def judge(gold, pred):
    return simlm.route_judge(gold, pred, EVERY, DEFAULT)


def respond(prompt):
    label = simlm.route(prompt.instruction, prompt.inputs.get("message", ""), prompt.demos)
    return {"label": label if label in prompt.choices("label") else DEFAULT}


def reflect(refl):
    return simlm.voted_routes(refl)
