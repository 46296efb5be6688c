"""escalation_pipeline: three modules, identify (message -> product), assess (message ->
severity) and route (product, severity -> queue); the metric sees only the queue, and the
reflection model often errs.

World: 16 codenames of 5 products (8 with one train example), each product routed to a queue;
8 symptom keywords (each in one or two train examples) make a ticket critical, and critical tickets go to urgent whatever the product; a ticket naming no
product goes to other. Task model: identify names the product the instruction (or a demo)
gives the first codename-like word, else repeats it; assess says critical when a stated
symptom sentence applies, else routine; route sends critical tickets to urgent when the
instruction says so, else the product's stated queue, else other. Reflection model: for each
module the feedback sentences about what it writes (codenames for `product`, symptoms for
`severity`, product queues and the urgent rule for `queue`, plus a one-codename shortcut for
a product value that is not a product), through the same faults as flaky_reflection: 40%
right, 20% cut short, 20% one new sentence mapped to a wrong value, 20% padded.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "other"
QUEUES = ["billing", "shipping", "returns", "warranty", "urgent", "other"]
QUEUE_OF = {"Atlas": "billing", "Beacon": "shipping", "Comet": "returns", "Dynamo": "warranty", "Echo": "billing"}
PRODUCT_OF = {"bluebird": "Atlas", "granite": "Atlas", "meadow": "Atlas", "sparrow": "Beacon", "tidewater": "Beacon",
              "cypress": "Beacon", "lantern": "Comet", "mosaic": "Comet", "drumlin": "Comet", "quiver": "Dynamo",
              "rosette": "Dynamo", "solstice": "Dynamo", "trellis": "Echo", "umbra": "Echo", "vortex": "Echo",
              "zenith": "Echo"}
ONCE = ["meadow", "cypress", "drumlin", "solstice", "vortex", "zenith", "granite", "tidewater"]
SYMPTOMS = ["smoke", "sparks", "outage", "breach", "leak", "meltdown", "overheat", "freeze"]
CRITICAL = r"tickets that mention '([\w-]+)' are critical\."
URGENT = "Critical tickets go to urgent."

SPEC = {
    "name": "escalation_pipeline",
    "description": "Name a ticket's product, judge how severe it is, and route it to the right queue.",
    "types": {"Severity": ["routine", "critical"], "Queue": QUEUES},
    "inputs": {"message": "str"},
    "outputs": {"queue": "Queue"},
    "operations": [
        {"name": "identify",
         "inputs": {"message": {"type": "str", "desc": "the ticket as the customer wrote it"}},
         "outputs": {"product": {"type": "str", "desc": "the product the ticket is about"}},
         "instruction": "Name the product the support ticket is about."},
        {"name": "assess",
         "inputs": {"message": {"type": "str", "desc": "the ticket as the customer wrote it"}},
         "outputs": {"severity": {"type": "Severity", "desc": "how severe the reported problem is"}},
         "instruction": "Judge how severe the problem in the support ticket is."},
        {"name": "route",
         "inputs": {"product": {"type": "str", "desc": "the product the ticket is about"},
                    "severity": {"type": "Severity", "desc": "how severe the reported problem is"}},
         "outputs": {"queue": {"type": "Queue", "desc": "the queue that handles the ticket"}},
         "instruction": "Give the queue that handles the ticket."},
    ],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 28, "val": 45, "test": 150}


def gold(keys):
    if any(k in SYMPTOMS for k in keys):
        return "urgent"
    return QUEUE_OF[PRODUCT_OF[keys[0]]] if keys else DEFAULT


def examples(split, rng):
    if split == "train":
        plan = [[c] for c in PRODUCT_OF for _ in range(1 if c in ONCE else 2)] + [[]] * 4
        rng.shuffle(plan)
        for i, keys in enumerate(plan[:10]):
            keys.append(SYMPTOMS[i % len(SYMPTOMS)])
    else:
        plan = [[] if rng.random() < 0.1 else [rng.choice(sorted(PRODUCT_OF))] for _ in range(SIZES[split])]
        for keys in plan:
            if rng.random() < 0.3:
                keys.append(rng.choice(SYMPTOMS))
    rng.shuffle(plan)
    return [{"message": simlm.message(rng, keys), "queue": gold(keys)} for keys in plan]


def judge(gold_, pred):
    expected, got = gold_["queue"], pred["queue"]
    if got == expected:
        return 1.0, f"Correct: {expected}."
    text = f"Wrong: answered {got}, expected {expected}."
    codes = simlm.mentioned(gold_["message"], PRODUCT_OF)
    symptoms = simlm.mentioned(gold_["message"], SYMPTOMS)
    if codes:
        text += f" The message mentions '{codes[0]}'. {simlm.codename_sentence(codes[0], PRODUCT_OF[codes[0]])}"
    if symptoms:
        text += f" It mentions '{symptoms[0]}'. Tickets that mention '{symptoms[0]}' are critical. {URGENT}"
    elif codes:
        text += f" {simlm.product_sentence(PRODUCT_OF[codes[0]], expected)}"
    else:
        text += f" The message names no product, and such tickets go to {DEFAULT}."
    return 0.0, text


def respond(prompt):
    text, message = prompt.instruction, prompt.inputs.get("message", "")
    if "product" in prompt.names:
        return {"product": simlm.identify(text, message, prompt.demos)}
    if "severity" in prompt.names:
        stated = {m.group(1).lower() for _, m in simlm.statements(text, CRITICAL)}
        stated |= {k for k, v in simlm.demo_rules(prompt.demos, "severity").items() if v == "critical"}
        return {"severity": "critical" if stated & set(simlm.salient(message)) else "routine"}
    severity = prompt.inputs.get("severity", "").strip().lower()
    if severity == "critical" and simlm.statements(text, re.escape(URGENT)):
        return {"queue": "urgent"}
    queue = simlm.product_queue(text, prompt.inputs.get("product"), prompt.demos)
    return {"queue": queue if queue in prompt.choices("queue") else DEFAULT}


def alternatives(sentence):
    if re.fullmatch(simlm.CODENAME, sentence, flags=re.I):
        return sorted(QUEUE_OF)
    if re.fullmatch(CRITICAL, sentence, flags=re.I):
        return ["routine"]
    return QUEUES


def reflect(refl):
    outputs = refl.module_outputs
    if "product" in outputs:
        new = simlm.learned(refl.failures, simlm.CODENAME)
    elif "severity" in outputs:
        new = simlm.learned(refl.failures, CRITICAL)
    else:
        new = simlm.learned(refl.failures, f"(?:{simlm.PRODUCT_ROUTE})|(?:{re.escape(URGENT)})")
        for ex in refl.failures:
            seen = simlm.salient(str(ex.inputs.get("product", "")))
            expected = re.search(r"expected (\w+)\.", ex.feedback)
            named = {p.lower() for p in re.findall(r"of the product (\w+)", ex.feedback)}
            if len(seen) == 1 and expected and named and seen[0] not in named and expected.group(1) != "urgent":
                new.append(simlm.product_sentence(seen[0], expected.group(1)))
    return simlm.flaky(refl, new, alternatives)
