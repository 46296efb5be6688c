#!/usr/bin/env python3
"""A deterministic LM stand-in whose answers improve only when the instruction states the task's
hidden rules, and whose reflection turns feedback into rules: the benchmark's stand-in for both
the task LM and the reflection LM, shared by dspy.GEPA and mkspy.

It is share/mkspy/standin/standin_lm.py (same endpoints, flags, latency, counters and faults)
with a different answer function:

  task prompts     the output field named in the rules file gets the rule's label when the
                   input mentions a rule's keyword AND some sentence of the system prompt (the
                   instruction) names both that keyword and that label; else the default label.
  reflection       GEPA's raw prompt ("I provided an assistant with the following instructions
                   ... ```...```") and mkspy's ProposeInstruction signature (output field
                   `new_instruction`): the current instruction plus one sentence per rule that
                   the feedback states and the instruction does not ("Messages that mention
                   'quartz' go to billing.").

    rules_lm.py --rules rules.json [standin_lm.py flags: --port, --latency-ms, --seed, ...]

rules.json: {"field": "label", "default": "other", "rules": [{"keyword": "quartz", "label": "billing"}, ...]}
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "standin"))
import standin_lm  # noqa: E402

RULES = {"field": "label", "default": "other", "rules": []}
RULE_TEXT = re.compile(r"messages that mention '([^']+)' go to ([a-z_]+)", re.I)


def stated(text, keyword, label):
    """Whether some sentence of `text` names both the keyword and the label."""
    for sentence in re.split(r"[.\n]", text.lower()):
        if keyword in sentence and re.search(r"\b" + re.escape(label) + r"\b", sentence):
            return True
    return False


def classify(system, message):
    lowered = message.lower()
    for rule in RULES["rules"]:
        if rule["keyword"] in lowered:
            return rule["label"] if stated(system, rule["keyword"], rule["label"]) else RULES["default"]
    return RULES["default"]


def improve(current, feedback):
    """The current instruction plus every rule the feedback states that it lacks."""
    new = current.rstrip()
    for keyword, label in RULE_TEXT.findall(feedback):
        keyword, label = keyword.lower(), label.lower()
        if not stated(new, keyword, label):
            new += f"\nMessages that mention '{keyword}' go to {label}."
    return new


def answer(body, answers):
    messages = body.get("messages") or []
    content = standin_lm.content_text
    system = "\n".join(content(m.get("content")) for m in messages if m.get("role") == "system")
    user = "\n".join(content(m.get("content")) for m in messages if m.get("role") == "user")
    if not system and "I provided an assistant with the following instructions" in user:
        parts = user.split("```")
        current = parts[1].strip("\n") if len(parts) > 2 else ""
        rest = "```".join(parts[2:])
        return "```\n" + improve(current, rest) + "\n```", False
    fields = standin_lm.output_fields(system)
    names = [name for name, _ in fields]
    inputs = standin_lm.input_values(messages)
    if "new_instruction" in names:
        values = {"new_instruction": improve(inputs.get("current_instruction", ""), inputs.get("examples_with_feedback", ""))}
    elif RULES["field"] in names:
        label = classify(system, " ".join(inputs.values()))
        notes = standin_lm.field_notes(system)
        values = {}
        for name, type_text in fields:
            if name == RULES["field"]:
                values[name] = label
            elif name == "reasoning":
                values[name] = "I apply the routing rules of the instruction."
            else:
                values[name] = standin_lm.default_value(name, type_text, notes.get(name), inputs)
    else:
        return standin_lm_answer(body, answers)
    if "Outputs will be a JSON object" in system or body.get("response_format"):
        return json.dumps(values, ensure_ascii=False), True
    return standin_lm.render_chat([(n, "") for n in values], values), False


standin_lm_answer = standin_lm.answer


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--rules" not in argv:
        raise SystemExit("rules_lm: --rules FILE is required")
    i = argv.index("--rules")
    with open(argv[i + 1], encoding="utf-8") as f:
        RULES.update(json.load(f))
    del argv[i:i + 2]
    standin_lm.answer = answer
    standin_lm.main(argv)


if __name__ == "__main__":
    main()
