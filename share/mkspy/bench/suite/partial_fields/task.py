"""partial_fields: one module with three outputs (category, priority, team), each decided by
rules of its own, some of which read another field; the metric gives partial credit (the mean
over the fields), and the seed instruction already knows some of the rules.

World: 16 topic keywords of 4 categories (4 with one train example) and 2 more in val and test
only; a ticket with no topic keyword is general. Priority: high when the message mentions an
alarm word (4, one with a single train example) or the ticket is about security, else normal.
Team: specialists when the message mentions a plan word ('enterprise', or 'partner' with a
single train example), else the team of the ticket's category. The seed instruction states the
default priority and the team of every category, but no topic, alarm or plan rule.
Task model: category from a stated topic rule (or a one-keyword demo), else the first category
listed (general); priority from a stated alarm rule, else the stated priority of the category it
gave, else the stated default, else the first priority listed (low); team from a stated plan
rule, else the stated team of the category it gave, else the first team listed (specialists).
Reflection model: the current instruction plus every rule sentence the feedback of the failed
examples states and the instruction lacks; 30% of the time a careless rewrite: the first line,
the instruction's rules for the fields the feedback faults, and the new rules: the rules of a
field the examples it read got right are dropped.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import simlm  # noqa: E402

FIELDS = ["category", "priority", "team"]
CATEGORIES = ["general", "billing", "technical", "account", "security"]
PRIORITIES = ["low", "normal", "high"]
TEAMS = ["specialists", "frontline", "finance", "engineering", "trust"]
COMMON = {"quartz": "billing", "cobalt": "billing", "raven": "billing", "ember": "technical", "willow": "technical",
          "sable": "technical", "lattice": "account", "saffron": "account", "juniper": "account", "prism": "security",
          "marble": "security", "harbor": "security"}
RARE = {"velvet": "billing", "orchid": "technical", "thistle": "account", "tundra": "security"}
TAIL = {"falcon": "security", "garnet": "technical"}
TOPICS = {**COMMON, **RARE, **TAIL}
ALARMS = ["outage", "deadline", "lockout", "chargeback"]  # chargeback: one train example
PLANS = ["enterprise", "partner"]  # partner: one train example
TEAM_OF = {"general": "frontline", "billing": "finance", "technical": "engineering", "account": "frontline",
           "security": "trust"}
PLAN_TEAM = "specialists"

ABOUT = r"messages that mention '([\w-]+)' are about (\w+)\."
ALARM = r"messages that mention '([\w-]+)' are (\w+) priority\."
RANK = r"(\w+) tickets are (\w+) priority\."
DEFAULT = r"tickets are (\w+) priority unless a rule says otherwise\."
STAFF = r"(\w+) tickets are handled by the (\w+) team\."
PLAN = r"messages that mention '([\w-]+)' are handled by the (\w+) team\."
RULE_FIELD = [(ABOUT, "category"), (ALARM, "priority"), (RANK, "priority"), (DEFAULT, "priority"),
              (STAFF, "team"), (PLAN, "team")]


def about_sentence(keyword, category):
    return f"Messages that mention '{keyword}' are about {category}."


def alarm_sentence(word):
    return f"Messages that mention '{word}' are high priority."


def rank_sentence(category, priority):
    return f"{category.capitalize()} tickets are {priority} priority."


def default_sentence():
    return "Tickets are normal priority unless a rule says otherwise."


def staff_sentence(category, team):
    return f"{category.capitalize()} tickets are handled by the {team} team."


def plan_sentence(word):
    return f"Messages that mention '{word}' are handled by the {PLAN_TEAM} team."


INSTRUCTION = " ".join(["Read the support ticket and give its category, its priority and the team that handles it.",
                        default_sentence()] + [staff_sentence(c, TEAM_OF[c]) for c in CATEGORIES[1:] + CATEGORIES[:1]])

SPEC = {
    "name": "partial_fields",
    "description": "Give a support ticket's category, priority and the team that handles it.",
    "types": {"Category": CATEGORIES, "Priority": PRIORITIES, "Team": TEAMS},
    "inputs": {"message": "str"},
    "outputs": {"category": "Category", "priority": "Priority", "team": "Team"},
    "operations": [{"name": "triage",
                    "inputs": {"message": {"type": "str", "desc": "the ticket as the customer wrote it"}},
                    "outputs": {"category": {"type": "Category", "desc": "what the ticket is about"},
                                "priority": {"type": "Priority", "desc": "how soon the ticket must be handled"},
                                "team": {"type": "Team", "desc": "the team that handles the ticket"}},
                    "instruction": INSTRUCTION}],
    "metric": {"kind": "python", "path": "metric.py", "function": "metric"},
}
SIZES = {"train": 36, "val": 40, "test": 150}


def gold(keys):
    topic = next((k for k in keys if k in TOPICS), None)
    category = TOPICS[topic] if topic else "general"
    priority = "high" if category == "security" or any(k in ALARMS for k in keys) else "normal"
    team = PLAN_TEAM if any(k in PLANS for k in keys) else TEAM_OF[category]
    return {"category": category, "priority": priority, "team": team}


def examples(split, rng):
    if split == "train":
        plan = [[k] for k in COMMON for _ in range(2)] + [[k] for k in RARE] + [[] for _ in range(8)]
        rng.shuffle(plan)
        extras = ["outage", "outage", "deadline", "deadline", "lockout", "lockout", "chargeback",
                  "enterprise", "enterprise", "enterprise", "enterprise", "partner"]
        for keys, extra in zip(rng.sample(plan, len(extras)), extras):
            keys.append(extra)
    else:
        plan = []
        for _ in range(SIZES[split]):
            r = rng.random()
            keys = [] if r < 0.15 else [rng.choice(sorted(TAIL))] if r < 0.21 else \
                [rng.choice(sorted(RARE))] if r < 0.41 else [rng.choice(sorted(COMMON))]
            if rng.random() < 0.25:
                keys.append(rng.choice(ALARMS))
            r = rng.random()
            if r < 0.2:
                keys.append("enterprise" if r < 0.15 else "partner")
            plan.append(keys)
    rng.shuffle(plan)
    return [{"message": simlm.message(rng, keys), **gold(keys)} for keys in plan]


def answer(pred, field):
    try:
        return str(pred[field]).strip()
    except (KeyError, AttributeError, TypeError):
        return ""


def judge(gold_, pred):
    got = {f: answer(pred, f) for f in FIELDS}
    wrong = [f for f in FIELDS if got[f] != gold_[f]]
    if not wrong:
        return 1.0, f"Correct: category {gold_['category']}, priority {gold_['priority']}, team {gold_['team']}."
    score = (len(FIELDS) - len(wrong)) / len(FIELDS)
    right = [f"{f} {gold_[f]}" for f in FIELDS if f not in wrong]
    text = f"{'Partly right' if right else 'Wrong'}, a score of {score:.2f}:"
    if right:
        text += f" {' and '.join(right)} {'is' if len(right) == 1 else 'are'} right."
    message = gold_["message"]
    topic = (simlm.mentioned(message, TOPICS) or [None])[0]
    alarm = (simlm.mentioned(message, ALARMS) or [None])[0]
    plan = (simlm.mentioned(message, PLANS) or [None])[0]
    for f in wrong:
        text += f" {f.capitalize()} is wrong: answered {got[f] or 'nothing'}, expected {gold_[f]}."
        if f == "category":
            text += (f" The message mentions '{topic}': {about_sentence(topic, gold_['category']).lower()}" if topic else
                     " The message mentions no topic keyword, and such tickets are general.")
        elif f == "priority":
            text += (f" The message mentions '{alarm}': {alarm_sentence(alarm).lower()}" if alarm else
                     f" The ticket is about security: {rank_sentence('security', 'high').lower()}"
                     if gold_["category"] == "security" else f" No rule raises it: {default_sentence().lower()}")
        else:
            text += (f" The message mentions '{plan}': {plan_sentence(plan).lower()}" if plan else
                     f" The ticket is about {gold_['category']}: {staff_sentence(gold_['category'], gold_['team']).lower()}")
    return score, text


def stated(text, pattern):
    """key -> value that a text states with `pattern` (groups: key, value); the last statement wins."""
    return {m.group(1).lower(): m.group(2).lower() for _, m in simlm.statements(text, pattern)}


def respond(prompt):
    text, message = prompt.instruction, prompt.inputs.get("message", "")
    present = simlm.salient(message)
    categories = prompt.choices("category") or CATEGORIES
    priorities = prompt.choices("priority") or PRIORITIES
    teams = prompt.choices("team") or TEAMS
    topics = {**simlm.demo_rules(prompt.demos, "category"), **stated(text, ABOUT)}
    category = next((topics[w] for w in present if w in topics), categories[0])
    alarms, ranks = stated(text, ALARM), stated(text, RANK)
    default = ([m.group(1).lower() for _, m in simlm.statements(text, DEFAULT)] or priorities[:1])[-1]
    priority = next((alarms[w] for w in present if w in alarms), ranks.get(category, default))
    plans, staff = stated(text, PLAN), stated(text, STAFF)
    team = next((plans[w] for w in present if w in plans), staff.get(category, teams[0]))
    return {"category": category if category in categories else categories[0],
            "priority": priority if priority in priorities else priorities[0],
            "team": team if team in teams else teams[0]}


def field_of(sentence):
    return next((f for pattern, f in RULE_FIELD if re.fullmatch(pattern, sentence, flags=re.I)), None)


def reflect(refl):
    new = simlm.learned(refl.failures, "|".join(f"(?:{p})" for p, _ in RULE_FIELD))
    if refl.draw("careless") >= 0.3:
        return simlm.extend(refl.current, new)
    faulted = {f for ex in refl.failures for f in FIELDS if f"{f.capitalize()} is wrong" in ex.feedback}
    lines = simlm.sentences(refl.current)
    kept = lines[:1] + [s for s in lines[1:] if field_of(s) in faulted]
    return simlm.extend("\n".join(kept), new)
