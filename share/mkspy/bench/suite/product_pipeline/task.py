"""product_pipeline: two modules, identify (message -> product) then route (product -> queue);
the metric sees only the queue. The task model is sampled: it follows a rule it read 9 times in 10.

World: 18 codenames of 6 products (12 codenames with two train examples, 6 with one), each
product routed to a queue; a ticket naming no product goes to other. Task model: identify
names the product the instruction (or a demo) gives the ticket's codename, else repeats the
codename; route gives the queue the instruction (or a demo) gives that product, else other;
each follows what it read with probability 0.9, drawn anew each time a prompt is asked.
Reflection model: for a module that writes `product`, the codename sentences of the feedback;
for one that writes `queue`, the product sentences, plus one for the very product value it saw
when that is not a product (a shortcut that holds for one codename only).
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

DEFAULT = "other"
FOLLOW = 0.9
QUEUE_OF = {"Atlas": "billing", "Beacon": "shipping", "Comet": "returns", "Dynamo": "warranty", "Echo": "billing", "Fjord": "shipping"}
PRODUCT_OF = {"bluebird": "Atlas", "granite": "Atlas", "meadow": "Atlas", "sparrow": "Beacon", "tidewater": "Beacon",
              "cypress": "Beacon", "lantern": "Comet", "mosaic": "Comet", "drumlin": "Comet", "quiver": "Dynamo",
              "rosette": "Dynamo", "solstice": "Dynamo", "trellis": "Echo", "umbra": "Echo", "vortex": "Echo",
              "wisteria": "Fjord", "yonder": "Fjord", "zenith": "Fjord"}
ONCE = ["meadow", "cypress", "drumlin", "solstice", "vortex", "zenith"]  # one train example each

SPEC = {
    "name": "product_pipeline",
    "description": "Name the product a support ticket is about, then route the ticket to the queue for that product.",
    "types": {"Queue": ["billing", "shipping", "returns", "warranty", "other"]},
    "inputs": {"message": "str"},
    "outputs": {"queue": "Queue"},
    "operations": [
        {"name": "identify",
         "inputs": {"message": {"type": "str", "desc": "the ticket as the customer wrote it"}},
         "outputs": {"product": {"type": "str", "desc": "the product the ticket is about"}},
         "instruction": "Name the product the support ticket is about."},
        {"name": "route",
         "inputs": {"product": {"type": "str", "desc": "the product the ticket is about"}},
         "outputs": {"queue": {"type": "Queue", "desc": "the queue that handles tickets about the product"}},
         "instruction": "Give the queue that handles tickets about the product."},
    ],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 34, "val": 40, "test": 150}


def examples(split, rng):
    if split == "train":
        plan = [[c] for c in PRODUCT_OF for _ in range(1 if c in ONCE else 2)] + [[]] * 4
    else:
        plan = [[] if rng.random() < 0.1 else [rng.choice(sorted(PRODUCT_OF))] for _ in range(SIZES[split])]
    rng.shuffle(plan)
    return [{"message": simlm.message(rng, keys), "queue": QUEUE_OF[PRODUCT_OF[keys[0]]] if keys else DEFAULT} for keys in plan]


def judge(gold, pred):
    expected, got = gold["queue"], pred["queue"]
    if got == expected:
        return 1.0, f"Correct: {expected}."
    head = f"Wrong: answered {got}, expected {expected}."
    keys = simlm.mentioned(gold["message"], PRODUCT_OF)
    if not keys:
        return 0.0, f"{head} The message names no product, and such tickets go to {DEFAULT}."
    c = keys[0]
    return 0.0, (f"{head} The message mentions '{c}'. {simlm.codename_sentence(c, PRODUCT_OF[c])} "
                 f"{simlm.product_sentence(PRODUCT_OF[c], expected)}")


def respond(prompt):
    follows = prompt.draw("follow") < FOLLOW
    if "product" in prompt.names:
        message = prompt.inputs.get("message", "")
        product = simlm.identify(prompt.instruction if follows else "", message, prompt.demos if follows else ())
        return {"product": product}
    queue = simlm.product_queue(prompt.instruction, prompt.inputs.get("product"), prompt.demos) if follows else None
    return {"queue": queue if queue in prompt.choices("queue") else DEFAULT}


def reflect(refl):
    outputs = refl.module_outputs
    if "product" in outputs:
        return simlm.extend(refl.current, simlm.learned(refl.failures, simlm.CODENAME))
    new = simlm.learned(refl.failures, simlm.PRODUCT_ROUTE)
    for ex in refl.failures:
        seen = simlm.salient(str(ex.inputs.get("product", "")))
        expected = re.search(r"expected (\w+)\.", ex.feedback)
        named = {p.lower() for p in re.findall(r"of the product (\w+)", ex.feedback)}
        if len(seen) == 1 and expected and named and seen[0] not in named:
            new.append(simlm.product_sentence(seen[0], expected.group(1)))
    return simlm.extend(refl.current, new)
