"""long_precedence: conflicting keyword rules under a model that loses track of long
instructions, and a reflection model that sometimes rewrites the instruction compactly.

World: 16 keyword rules (4 with one train example), 6 precedences between pairs of them, 2
rules in val and test only. The seed instruction is a long-winded paragraph. Task model: as in
triage_conflicts (a stated precedence decides between two stated rules that apply, else the one
stated last), but past 50 words of instruction it loses track (answers other) on a share of
prompts that grows by 0.25% a word, up to 45%. Reflection model: 70% of the time the current
instruction plus the feedback's rule and precedence sentences it lacks; 30% a compact rewrite:
one line of task, one sentence per queue listing its keywords, then the precedences.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "other"
RULES = {"amber": "billing", "birch": "bug", "coral": "account", "delta": "feature_request", "elm": "security",
         "fennel": "billing", "gorse": "bug", "heron": "account", "iris": "feature_request", "jade": "security",
         "kelp": "billing", "loam": "bug", "moss": "account", "nettle": "feature_request", "oriole": "security",
         "poppy": "billing"}
ONCE = ["iris", "jade", "moss", "poppy"]
TAIL = {"rowan": "bug", "sedge": "account"}
WINS = [("birch", "amber"), ("elm", "coral"), ("delta", "gorse"), ("heron", "kelp"), ("oriole", "loam"), ("fennel", "nettle")]
INSTRUCTION = ("You are a helpful and diligent support assistant working for a busy software company. Every day the "
               "company receives many tickets from customers about all kinds of topics, and each of them has to reach "
               "the team that can deal with it. Read the ticket below and route the support ticket to the queue that "
               "should handle it, taking into account everything the customer says.")

SPEC = {
    "name": "long_precedence",
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
SIZES = {"train": 40, "val": 40, "test": 150}
EVERY = {**RULES, **TAIL}


def gold_label(keys):
    if not keys:
        return DEFAULT
    if len(keys) == 2:
        return EVERY[next(w for w, l in WINS if {w, l} == set(keys))]
    return EVERY[keys[0]]


def examples(split, rng):
    if split == "train":
        plan = [[k] for k in RULES for _ in range(1 if k in ONCE else 2)] + [list(p) for p in WINS] + [[]] * 6
    else:
        plan = []
        for _ in range(SIZES[split]):
            r = rng.random()
            plan.append([] if r < 0.15 else rng.sample(rng.choice(WINS), 2) if r < 0.4 else
                        [rng.choice(sorted(TAIL))] if r < 0.46 else [rng.choice(sorted(RULES))])
    rng.shuffle(plan)
    return [{"message": simlm.message(rng, keys), "label": gold_label(keys)} for keys in plan]


def judge(gold, pred):
    expected, got = gold["label"], pred["label"]
    if got == expected:
        return 1.0, f"Correct: {expected}."
    keys = simlm.mentioned(gold["message"], EVERY)
    head = f"Wrong: answered {got}, expected {expected}."
    if not keys:
        return 0.0, f"{head} The message mentions no routing keyword, and such messages go to {DEFAULT}."
    if len(keys) == 1:
        return 0.0, f"{head} The message mentions '{keys[0]}': {simlm.route_sentence(keys[0], expected).lower()}"
    w, l = next((w, l) for w, l in WINS if {w, l} == set(keys))
    return 0.0, (f"{head} The message mentions '{w}' and '{l}'. {simlm.route_sentence(w, EVERY[w])} "
                 f"{simlm.route_sentence(l, EVERY[l])} {simlm.precedence_sentence(w, l)}")


def respond(prompt):
    if simlm.diluted(prompt, free_words=50, per_word=0.0025, floor=0.55):
        return {"label": DEFAULT}
    label = simlm.route(prompt.instruction, prompt.inputs.get("message", ""), prompt.demos)
    return {"label": label if label in prompt.choices("label") else DEFAULT}


def compact(text):
    """The instruction's rules and precedences, one sentence per queue, under a one-line task."""
    by_label = {}
    for keyword, (_, label) in sorted(simlm.routes(text).items(), key=lambda kv: kv[1][0]):
        by_label.setdefault(label, []).append(f"'{keyword}'")
    lines = ["Route the ticket to its queue."]
    for label, keys in by_label.items():
        listed = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " or " + keys[-1]
        lines.append(f"Messages that mention {listed} go to {label}.")
    lines += [simlm.precedence_sentence(w, next(iter(pair - {w})) if len(pair) > 1 else w)
              for pair, w in simlm.precedences(text).items()]
    return "\n".join(lines)


def reflect(refl):
    pattern = f"(?:{simlm.ROUTE})|(?:{simlm.PRECEDENCE})"
    new = simlm.extend(refl.current, simlm.learned(refl.failures, pattern))
    return compact(new) if refl.draw("compact") < 0.3 else new
