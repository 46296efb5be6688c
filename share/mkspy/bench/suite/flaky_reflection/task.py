"""flaky_reflection: keyword routing whose reflection model often errs, and whose task model
loses track of long instructions.

World: 16 keyword rules (4 of them with one train example) and 2 more in val and test only;
a ticket with no keyword goes to other. Task model: a stated rule (or a demo) applies to a
ticket that mentions its keyword (a later statement of a keyword wins), else other; but past
60 words of instruction it loses track (answers other) on a share of prompts that grows by
0.2% a word, up to 40%. Reflection model: the current instruction plus the rule sentences of
the feedback it lacks, 40% of the time; else it cuts that instruction short mid-sentence
(20%), maps one new rule to a wrong queue (20%), or pads it with generic advice (20%).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "other"
LABELS = ["billing", "bug", "account", "feature_request", "security", "other"]
RULES = {"amber": "billing", "birch": "bug", "coral": "account", "delta": "feature_request", "elm": "security",
         "fennel": "billing", "gorse": "bug", "heron": "account", "iris": "feature_request", "jade": "security",
         "kelp": "billing", "loam": "bug", "moss": "account", "nettle": "feature_request", "oriole": "security",
         "poppy": "billing"}
ONCE = ["moss", "nettle", "oriole", "poppy"]
TAIL = {"rowan": "bug", "sedge": "account"}
INSTRUCTION = "Route the support ticket to the queue that should handle it."

SPEC = {
    "name": "flaky_reflection",
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
SIZES = {"train": 34, "val": 40, "test": 150}


def examples(split, rng):
    if split == "train":
        plan = [[k] for k in RULES for _ in range(1 if k in ONCE else 2)] + [[]] * 6
    else:
        plan = []
        for _ in range(SIZES[split]):
            r = rng.random()
            plan.append([] if r < 0.15 else [rng.choice(sorted(TAIL))] if r < 0.21 else [rng.choice(sorted(RULES))])
    rng.shuffle(plan)
    every = {**RULES, **TAIL}
    return [{"message": simlm.message(rng, keys), "label": every[keys[0]] if keys else DEFAULT} for keys in plan]


def judge(gold, pred):
    expected, got = gold["label"], pred["label"]
    if got == expected:
        return 1.0, f"Correct: {expected}."
    head = f"Wrong: answered {got}, expected {expected}."
    keys = simlm.mentioned(gold["message"], {**RULES, **TAIL})
    if not keys:
        return 0.0, f"{head} The message mentions no routing keyword, and such messages go to {DEFAULT}."
    return 0.0, f"{head} The message mentions '{keys[0]}': {simlm.route_sentence(keys[0], expected).lower()}"


def respond(prompt):
    if simlm.diluted(prompt, free_words=60, per_word=0.002, floor=0.6):
        return {"label": DEFAULT}
    label = simlm.route(prompt.instruction, prompt.inputs.get("message", ""), prompt.demos)
    return {"label": label if label in prompt.choices("label") else DEFAULT}


def reflect(refl):
    return simlm.flaky(refl, simlm.learned(refl.failures, simlm.ROUTE), lambda sentence: LABELS)
