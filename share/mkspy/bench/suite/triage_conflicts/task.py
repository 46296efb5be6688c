"""triage_conflicts: tickets routed by keyword rules that conflict, some seen once or twice in train.

World: 28 keyword rules and 10 precedences (a ticket that mentions both keywords of a pair goes
where the winner says, each pair with one train example); 14 of the rules have one train
example each; 2 more rules show up in val and test only (no optimizer can learn them). Task model: a stated rule applies to a ticket
that mentions its keyword; of two stated rules that apply, a stated precedence decides, else the
rule stated last (so appending a rule can break a ticket that was right); demos teach a rule too.
Reflection model: the current instruction plus every rule and precedence sentence that the
feedback of the examples it read states and the instruction lacks.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "other"
COMMON = {"quartz": "billing", "ember": "bug", "lattice": "account", "harbor": "feature_request", "cobalt": "billing",
          "willow": "bug", "prism": "security", "juniper": "feature_request", "saffron": "account", "marble": "security",
          "raven": "billing", "sable": "bug", "thistle": "account", "umber": "feature_request"}
RARE = {"tundra": "security", "velvet": "billing", "orchid": "bug", "basalt": "account", "cinder": "feature_request",
        "kestrel": "billing", "lumen": "bug", "nectar": "account", "onyx": "security", "pebble": "feature_request",
        "quill": "security", "vesper": "billing", "wren": "bug", "yarrow": "account"}
TAIL = {"falcon": "security", "garnet": "bug"}
RULES = {**COMMON, **RARE, **TAIL}
WINS = [("ember", "quartz"), ("prism", "lattice"), ("harbor", "willow"), ("saffron", "cobalt"), ("tundra", "juniper"),
        ("marble", "kestrel"), ("raven", "sable"), ("thistle", "onyx"), ("quill", "umber"), ("vesper", "wren")]
INSTRUCTION = "Route the support ticket to the queue that should handle it."

SPEC = {
    "name": "triage_conflicts",
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
SIZES = {"train": 58, "val": 50, "test": 150}


def gold_label(keywords):
    if not keywords:
        return DEFAULT
    if len(keywords) == 2:
        return RULES[next(w for w, l in WINS if {w, l} == set(keywords))]
    return RULES[keywords[0]]


def examples(split, rng):
    if split == "train":
        plan = [[k] for k in COMMON for _ in range(2)] + [[k] for k in RARE] + [list(pair) for pair in WINS] + [[]] * 6
    else:
        plan = []
        for _ in range(SIZES[split]):
            r = rng.random()
            plan.append([] if r < 0.15 else rng.sample(rng.choice(WINS), 2) if r < 0.35 else
                        [rng.choice(sorted(TAIL))] if r < 0.40 else [rng.choice(sorted(RARE))] if r < 0.65 else
                        [rng.choice(sorted(COMMON))])
    rng.shuffle(plan)
    return [{"message": simlm.message(rng, keys), "label": gold_label(keys)} for keys in plan]


def judge(gold, pred):
    expected, got = gold["label"], pred["label"]
    if got == expected:
        return 1.0, f"Correct: {expected}."
    keys = simlm.mentioned(gold["message"], RULES)
    head = f"Wrong: answered {got}, expected {expected}."
    if not keys:
        return 0.0, f"{head} The message mentions no routing keyword, and such messages go to {DEFAULT}."
    if len(keys) == 1:
        return 0.0, f"{head} The message mentions '{keys[0]}': {simlm.route_sentence(keys[0], expected).lower()}"
    w, l = next((w, l) for w, l in WINS if {w, l} == set(keys))
    return 0.0, (f"{head} The message mentions '{w}' and '{l}'. {simlm.route_sentence(w, RULES[w])} "
                 f"{simlm.route_sentence(l, RULES[l])} {simlm.precedence_sentence(w, l)}")


def respond(prompt):
    label = simlm.route(prompt.instruction, prompt.inputs.get("message", ""), prompt.demos)
    return {"label": label if label in prompt.choices("label") else DEFAULT}


def reflect(refl):
    pattern = f"(?:{simlm.ROUTE})|(?:{simlm.PRECEDENCE})"
    return simlm.extend(refl.current, simlm.learned(refl.failures, pattern))
