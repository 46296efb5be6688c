#!/usr/bin/env python3
"""What the bench suite's LM simulators share: reading the prompts DSPy writes, drawing
deterministic chances, the small language of rules the simulated models read and write, the
message templates, and the server.

A task's simulator is its task.py (share/mkspy/bench/suite/<task>/task.py): it holds the
task's world and rules only. The server here is share/mkspy/standin/standin_lm.py (same
endpoints, flags, latency and faults) answering with the task's functions:

  respond(prompt)   the task model: the output values for a Prompt, decided only from what the
                    prompt holds (the instruction, the demos, the inputs)
  reflect(refl)     the reflection model: a new instruction for a Reflection, decided only from
                    what the reflection prompt holds (the current instruction, the examples'
                    inputs, outputs, scores and feedback)

A request is a reflection when it asks for `new_instruction`: dspy.GEPA's proposer (DSPy 3.4.1,
JSONAdapter, examples as a JSON list of {"Inputs", "Generated Outputs", "Feedback"}) and
mkspy's reflect.py (ChatAdapter, examples as markdown with a score each). Chances come from
a hash of the prompt and, for a stochastic model, of how many times that very prompt was asked
before: the same prompt asked again may get another answer, whatever order requests arrive in.

    simlm.py --task suite/<task>/task.py [standin_lm.py flags: --port, --latency-ms, --seed, ...]

Besides standin_lm.py's endpoints, GET /intervals gives [[start, end], ...] of every completion
request on time.monotonic() (the machine's clock, comparable across processes): the LM's busy
time is their union.
"""

import hashlib
import importlib.util
import json
import os
import re
import sys
import textwrap
import threading
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "standin"))
import standin_lm  # noqa: E402

OBJECTIVE = "In adhering to this structure, your objective is:"
HEADER = re.compile(r"^\[\[ ## (\w+) ## \]\]\s*$")


def unit(*parts):
    """A number in [0, 1) that depends only on its arguments."""
    return standin_lm.unit_hash(*parts)


def sections(text):
    """field -> text of the `[[ ## field ## ]]` sections of a ChatAdapter message."""
    values, current, lines = {}, None, []
    for line in (text or "").splitlines():
        m = HEADER.match(line.strip())
        if m:
            if current:
                values[current] = "\n".join(lines).strip()
            current, lines = m.group(1), []
        elif current:
            lines.append(line)
    if current:
        values[current] = "\n".join(lines).strip()
    values.pop("completed", None)
    return {k: re.split(r"\n\nRespond with ", v)[0].strip() for k, v in values.items()}


def reply_values(text):
    """The fields of an assistant message: a JSON object (JSONAdapter) or sections."""
    try:
        value = json.loads(text)
        if isinstance(value, dict):
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}
    except ValueError:
        pass
    return sections(text)


class Request:
    """One chat request: its system prompt, the instruction in it, its demos and inputs, and
    chances drawn from it."""

    def __init__(self, body, occurrence):
        messages = body.get("messages") or []
        text = standin_lm.content_text
        self.system = "\n".join(text(m.get("content")) for m in messages if m.get("role") == "system")
        at = self.system.find(OBJECTIVE)
        self.instruction = textwrap.dedent(self.system[at + len(OBJECTIVE):]).strip() if at >= 0 else ""
        self.outputs = standin_lm.output_fields(self.system)
        self.notes = standin_lm.field_notes(self.system)
        turns = [m for m in messages if m.get("role") in ("user", "assistant")]
        self.inputs = sections(text(turns[-1].get("content"))) if turns else {}
        self.demos = []  # each a dict of the demo's fields, inputs and outputs
        for user, assistant in zip(turns[:-1:2], turns[1:-1:2]):
            demo = sections(text(user.get("content")))
            demo.update(reply_values(text(assistant.get("content"))))
            self.demos.append(demo)
        self.json = bool(body.get("response_format")) or "Outputs will be a JSON object" in self.system
        self.key = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
        self.occurrence = occurrence

    @property
    def names(self):
        return [name for name, _ in self.outputs]

    @property
    def cot(self):
        """Whether the model is asked to reason first (dspy.ChainOfThought)."""
        return "reasoning" in self.names

    def fixed(self, *salt):
        """A chance that is the same every time this prompt is asked."""
        return unit(self.key, *salt)

    def draw(self, *salt):
        """A chance drawn anew each time this prompt is asked (a model sampled at temperature)."""
        return unit(self.key, self.occurrence, *salt)

    def choices(self, name):
        """The values an enumerated output field allows, in the order the prompt lists them."""
        note = self.notes.get(name) or ""
        return note.split("one of:", 1)[1].strip().split("; ") if "one of:" in note else []


class Example:
    """One example a reflection reads: the module's inputs and outputs, its score, its feedback."""

    def __init__(self, inputs, outputs, feedback, score):
        self.inputs, self.outputs, self.feedback = inputs, outputs, feedback or ""
        self.score = score if score is not None else score_in(self.feedback)

    @property
    def text(self):
        return " ".join(str(v) for v in self.inputs.values())


def score_in(feedback):
    """The score a feedback text states (GEPA's reflection prompt has no score of its own)."""
    m = re.search(r"score of ([0-9.]+)", feedback)
    if m:
        return float(m.group(1).rstrip("."))
    if feedback.startswith("Correct"):
        return 1.0
    if feedback.startswith("Partly"):
        return 0.5
    return 0.0


def gepa_examples(text):
    """dspy.GEPA's examples: a JSON list of {"Inputs", "Generated Outputs", "Feedback"}."""
    items = json.loads(text)
    return [Example(item.get("Inputs") or {}, item.get("Generated Outputs") or {}, item.get("Feedback"), None)
            for item in items if isinstance(item, dict)]


def mkspy_examples(text):
    """mkspy's examples: markdown blocks `# Example n`, `## Inputs`, `### field`, `## Score`, ..."""
    examples = []
    for block in re.split(r"^# Example \d+\s*$", text, flags=re.M)[1:]:
        parts = {}
        for part in re.split(r"^## ", block, flags=re.M)[1:]:
            title, _, body = part.partition("\n")
            parts[title.strip()] = body.strip()

        def fields(body):
            found = {}
            for piece in re.split(r"^### ", body, flags=re.M)[1:]:
                name, _, value = piece.partition("\n")
                found[name.strip()] = value.strip()
            return found
        try:
            score = float(parts.get("Score", ""))
        except ValueError:
            score = None
        examples.append(Example(fields(parts.get("Inputs", "")), fields(parts.get("Generated Outputs", "")),
                                parts.get("Feedback", ""), score))
    return examples


class Reflection(Request):
    """A request for a new instruction: the current one and the examples read."""

    def __init__(self, body, occurrence):
        super().__init__(body, occurrence)
        self.current = self.inputs.get("current_instruction", "")
        text = self.inputs.get("examples_with_feedback", "")
        try:
            self.examples = gepa_examples(text)
        except ValueError:
            self.examples = mkspy_examples(text)

    @property
    def module_outputs(self):
        """The output fields of the module the instruction is for, as its examples show them."""
        names = []
        for ex in self.examples:
            for name in ex.outputs if isinstance(ex.outputs, dict) else []:
                if name != "reasoning" and name not in names:
                    names.append(name)
        return names

    @property
    def failures(self):
        return [ex for ex in self.examples if ex.score < 1.0]


# ---------------------------------------------------------------------------------------
# The language of rules: sentences the reflection writes and the task model reads

def sentences(text):
    """The sentences of a text, in order; a sentence cut short (no final period) is kept as is."""
    parts = re.split(r"(?<=\.)\s+|\n+", text or "")
    return [p.strip() for p in parts if p.strip()]


def statements(text, pattern):
    """[(index of the sentence, match)] for each sentence of `text` that `pattern` matches in full."""
    found = []
    for i, sentence in enumerate(sentences(text)):
        m = re.fullmatch(pattern, sentence, flags=re.I)
        if m:
            found.append((i, m))
    return found


def quoted(text):
    """The words quoted in single quotes: 'kelp', 'orchid' or 'quartz' -> [kelp, orchid, quartz]."""
    return re.findall(r"'([\w-]+)'", text)


def learned(examples, pattern):
    """The sentences of the examples' feedback that `pattern` matches, first seen first, each once;
    a sentence is given a capital letter, as it would start a line of an instruction."""
    found = []
    for ex in examples:
        for sentence in re.split(r"(?<=\.)\s+|:\s+", ex.feedback):
            sentence = sentence.strip()
            if not sentence.endswith("."):
                sentence += "."
            if re.fullmatch(pattern, sentence, flags=re.I):
                sentence = sentence[0].upper() + sentence[1:]
                if sentence.lower() not in {s.lower() for s in found}:
                    found.append(sentence)
    return found


def extend(current, new):
    """The current instruction with each new sentence it does not already hold, one a line."""
    have = {s.lower() for s in sentences(current)}
    lines = [current.rstrip()] + [s for s in new if s.lower() not in have]
    return "\n".join(line for line in lines if line)


def words(text):
    return len((text or "").split())


# ---------------------------------------------------------------------------------------
# Routing: messages -> labels by keyword, the world of several tasks

ROUTE = r"messages that mention ((?:'[\w-]+'(?:, | or )?)+) go to (\w+)\."
PRECEDENCE = r"when a message mentions both '([\w-]+)' and '([\w-]+)', '([\w-]+)' decides\."
AVOID = r"messages that mention '([\w-]+)' do not go to (\w+)\."


def route_sentence(keyword, label):
    return f"Messages that mention '{keyword}' go to {label}."


def precedence_sentence(winner, loser):
    return f"When a message mentions both '{winner}' and '{loser}', '{winner}' decides."


def routes(text):
    """keyword -> (sentence index, label) that a text states; a later statement of a keyword wins."""
    found = {}
    for i, m in statements(text, ROUTE):
        for k in quoted(m.group(1)):
            found[k.lower()] = (i, m.group(2).lower())
    return found


def route_judge(gold, pred, keywords, default):
    """Score and feedback of a routing answer: the rule for the message's first keyword (by its
    gold label, right or not), or the default queue."""
    expected, got = gold["label"], pred["label"]
    if got == expected:
        return 1.0, f"Correct: {expected}."
    keys = mentioned(gold["message"], keywords)
    head = f"Wrong: answered {got}, expected {expected}."
    if not keys:
        return 0.0, f"{head} The message mentions no routing keyword, and such messages go to {default}."
    return 0.0, f"{head} The message mentions '{keys[0]}': {route_sentence(keys[0], expected).lower()}"


def voted_routes(refl):
    """A reflection model that keeps one rule per keyword: the queue most of the failed examples'
    feedback states (ties to the first seen); a rule contradicting the instruction's replaces it,
    a new one is appended. One failure on a mislabelled ticket overwrites a right rule."""
    votes, order = {}, []
    for ex in refl.failures:
        for sentence in learned([ex], ROUTE):
            for keyword, (_, label) in routes(sentence).items():
                votes.setdefault(keyword, Counter())[label] += 1
                order.append((keyword, label))
    text, new = refl.current, []
    stated = {k: label for k, (_, label) in routes(text).items()}
    for keyword, counts in votes.items():
        top = max(counts.values())
        label = next(l for k, l in order if k == keyword and counts[l] == top)
        sentence = route_sentence(keyword, label)
        if keyword in stated and stated[keyword] != label:
            for old in sentences(text):
                if keyword in routes(old):
                    text = text.replace(old, sentence)
        elif keyword not in stated:
            new.append(sentence)
    return extend(text, new)


def precedences(text):
    """{frozenset({a, b}): winner} that a text states."""
    found = {}
    for _, m in statements(text, PRECEDENCE):
        a, b, w = (g.lower() for g in m.groups())
        if w in (a, b) and a != b:
            found[frozenset((a, b))] = w
    return found


def avoided(text):
    """keyword -> labels a text says its messages do not go to."""
    found = {}
    for _, m in statements(text, AVOID):
        found.setdefault(m.group(1).lower(), set()).add(m.group(2).lower())
    return found


def demo_rules(demos, output):
    """keyword -> output value that demos show: a demo whose inputs hold one salient word teaches
    that word's value (as a reader generalizes from an example)."""
    found = {}
    for demo in demos:
        words_ = salient(" ".join(str(v) for k, v in demo.items() if k not in (output, "reasoning")))
        if len(words_) == 1 and output in demo:
            found[words_[0]] = str(demo[output]).strip()
    return found


def route(text, message, demos=(), output="label"):
    """The label a reader of `text` gives a message, or None when nothing stated applies. Of
    several stated keywords the message mentions, a stated precedence decides, else the one
    stated last (a reader follows the latest rule); demos apply when no sentence does."""
    stated = routes(text)
    present = salient(message)
    hits = sorted((stated[k][0], k, stated[k][1]) for k in present if k in stated)
    if not hits:
        shown = demo_rules(demos, output)
        hits = [(0, k, shown[k]) for k in present if k in shown]
        if not hits:
            return None
    order = precedences(text)
    for _, k, label in hits:
        if all(order.get(frozenset((k, j))) == k for _, j, _ in hits if j != k):
            return label
    return hits[-1][2]


# ---------------------------------------------------------------------------------------
# Products: codenames -> products -> queues, the world of the pipelines

CODENAME = r"'([\w-]+)' is the codename of the product (\w+)\."
PRODUCT_ROUTE = r"([\w-]+) tickets go to (\w+)\."


def codename_sentence(codename, product):
    return f"'{codename}' is the codename of the product {product}."


def product_sentence(product, queue):
    return f"{product} tickets go to {queue}."


def identify(text, message, demos=()):
    """The product a reader of `text` names for a message: the product of the first salient word
    the text (or a demo) names as a codename, else that word itself, else 'unknown'."""
    stated = {m.group(1).lower(): m.group(2) for _, m in statements(text, CODENAME)}
    stated = {**demo_rules(demos, "product"), **stated}
    present = salient(message)
    for w in present:
        if w in stated:
            return stated[w]
    return present[0] if present else "unknown"


def product_queue(text, product, demos=()):
    """The queue a reader of `text` gives a product's tickets, or None."""
    stated = {str(d.get("product", "")).strip().lower(): str(d.get("queue", "")).strip() for d in demos if "queue" in d}
    stated.update({m.group(1).lower(): m.group(2).lower() for _, m in statements(text, PRODUCT_ROUTE)})
    return stated.get((product or "").strip().lower())


# ---------------------------------------------------------------------------------------
# References: 'BIL-4417', a team code and an order number, in a format demos teach best

BELONG = r"orders that mention '([\w-]+)' belong to team ([A-Z]{3})\."
SHUN = r"orders that mention '([\w-]+)' do not belong to team ([A-Z]{3})\."
FORMAT = r"write the reference like [A-Z]{3}-\d{4}: the team code, a hyphen, then the order number\."
REFERENCE = re.compile(r"^[A-Z]{3}-\d{4}$")


def belong_sentence(keyword, team):
    return f"Orders that mention '{keyword}' belong to team {team}."


def shun_sentence(keyword, team):
    return f"Orders that mention '{keyword}' do not belong to team {team}."


def format_sentence(example):
    return f"Write the reference like {example}: the team code, a hyphen, then the order number."


def reference(prompt, field, plain_rate, told_rate):
    """The reference a reader writes: the team a sentence or a demo gives the order's keyword, else
    the first team code the instruction lists that no sentence rules out; in the demos' format
    when a demo shows it, else in it for a share of inputs (`told_rate` when the instruction
    describes it, `plain_rate` when nothing does), else as 'bil order 4417'."""
    text, message = prompt.instruction, prompt.inputs.get("message", "")
    teams = list(dict.fromkeys(re.findall(r"\b[A-Z]{3}\b", text))) or ["GEN"]
    number = (re.findall(r"\d{4}", message) or ["0000"])[0]
    key = (salient(message) or [None])[0]
    said = {m.group(1).lower(): m.group(2) for _, m in statements(text, BELONG)}
    shown = {k: v[:3].upper() for k, v in demo_rules(prompt.demos, field).items()}
    shunned = {}
    for _, m in statements(text, SHUN):
        shunned.setdefault(m.group(1).lower(), set()).add(m.group(2))
    team = said.get(key) or shown.get(key) or next((t for t in teams if t not in shunned.get(key, ())), teams[0])
    if any(REFERENCE.match(str(d.get(field, "")).strip()) for d in prompt.demos):
        rate = 1.0
    else:
        rate = told_rate if statements(text, FORMAT) else plain_rate
    return f"{team}-{number}" if prompt.fixed("format") < rate else f"{team.lower()} order {number}"


# ---------------------------------------------------------------------------------------
# Sums: amounts per keyword, added up (where reasoning first helps)

def amounts(text, pattern):
    """keyword -> amount that a text states with `pattern` (groups: keyword, amount); the last wins."""
    return {m.group(1).lower(): int(m.group(2)) for _, m in statements(text, pattern)}


def demo_amounts(demos, field):
    """keyword -> amount that demos show: a demo whose message has one salient word."""
    found = {}
    for k, v in demo_rules(demos, field).items():
        try:
            found[k] = int(v)
        except ValueError:
            pass
    return found


def total(prompt, field, pattern, slip):
    """The sum a reader computes: every salient word's amount, as sentences (or demos) state it
    (an amount it does not know counts 0); with two terms or more, off by 1 to 3 when `slip`."""
    known = {**demo_amounts(prompt.demos, field), **amounts(prompt.instruction, pattern)}
    terms = [known.get(w, 0) for w in salient(prompt.inputs.get("message", ""))]
    value = sum(terms)
    if len(terms) >= 2 and slip:
        value += (-3, -2, -1, 1, 2, 3)[int(prompt.fixed("slip size") * 6)]
    return value


# ---------------------------------------------------------------------------------------
# Messages: the tasks' inputs, and which of their words stand out

OPENERS = ["Hi team,", "Hello,", "Good morning.", "Quick question:", "Hey there,", "To whom it may concern:"]
SUBJECTS = ["dashboard", "report", "workspace", "export", "team page", "settings screen", "mobile app", "API"]
PROBLEMS = ["looks different since yesterday", "needs a closer look", "is on my mind today",
            "came up in our weekly meeting", "has a question attached", "is what this is about"]
CLOSERS = ["Thanks!", "Cheers.", "Best regards.", "Talk soon.", ""]
ORDINARY = {w.lower() for phrase in OPENERS + SUBJECTS + PROBLEMS + CLOSERS for w in re.findall(r"[A-Za-z]+", phrase)}
ORDINARY |= {"the", "and", "also", "order", "unknown", "none"}


def message(rng, keywords, tail=""):
    """A ticket that mentions each keyword once: 'Hi team, the quartz export and the ember API
    needs a closer look. Cheers.'"""
    things = " and ".join(f"the {k} {rng.choice(SUBJECTS)}" for k in keywords) or f"the {rng.choice(SUBJECTS)}"
    parts = [rng.choice(OPENERS), f"{things} {rng.choice(PROBLEMS)}.", tail, rng.choice(CLOSERS)]
    return " ".join(p for p in parts if p)


def salient(text):
    """The words of a text a reader notices: those that are not ordinary words of a ticket."""
    seen = []
    for w in re.findall(r"[A-Za-z][\w-]*", text or ""):
        if w.lower() not in ORDINARY and w.lower() not in seen:
            seen.append(w.lower())
    return seen


def mentioned(text, keywords):
    """The keywords a text mentions, as whole words, in the order of `keywords`."""
    lowered = set(re.findall(r"[a-z][\w-]*", (text or "").lower()))
    return [k for k in keywords if k in lowered]


# ---------------------------------------------------------------------------------------
# A model that does what it reads, sometimes less

def diluted(prompt, free_words, per_word, floor):
    """Whether a reader loses track of a long instruction on this prompt: never up to
    `free_words` words, then more likely with every word, at most 1 - `floor`."""
    keep = max(floor, 1.0 - max(0, words(prompt.instruction) - free_words) * per_word)
    return prompt.fixed("diluted") >= keep


FILLER = [
    "Read the whole message carefully before you decide, and consider every detail it mentions.",
    "Think about what the customer needs and which team can best help them with it.",
    "Be consistent: similar messages should get similar answers, whatever their tone or length.",
    "If the message is ambiguous, prefer the answer that the most specific detail supports.",
    "Do not let greetings, signatures or politeness formulas influence the answer in any way.",
    "Remember that accuracy matters more than speed, and that every answer is reviewed later.",
]


def padded(text, draw):
    """The text with two or three sentences of generic advice: longer, no better."""
    start = int(draw * len(FILLER))
    advice = [FILLER[(start + i) % len(FILLER)] for i in range(2 + int(draw * 10) % 2)]
    return text.rstrip() + "\n" + " ".join(advice)


def truncated(text, draw):
    """The text cut off between half and 95% of its length, mid-sentence (gepa issue #390)."""
    return text[:int(len(text) * (0.5 + 0.45 * draw))].rstrip()


def mislabeled(sentence, alternatives, draw):
    """The sentence with its last word (what it maps to) replaced by another of `alternatives`."""
    head, last = re.match(r"^(.*?)([\w-]+)\.$", sentence).groups()
    others = [a for a in alternatives if a.lower() != last.lower()]
    return f"{head}{others[int(draw * len(others))]}." if others else sentence


def flaky(refl, new, alternatives):
    """What a reflection model that errs writes, given the sentences it learned (`new`):
    40% the right instruction, 20% it cut short, 20% with one learned sentence mapped to a
    wrong value (`alternatives(sentence)` lists the values), 20% padded with generic advice."""
    good = extend(refl.current, new)
    r = refl.draw("fault")
    if r < 0.4 or not new:
        return good
    if r < 0.6:
        return truncated(good, refl.draw("cut"))
    if r < 0.8:
        i = int(refl.draw("which") * len(new))
        wrong = mislabeled(new[i], alternatives(new[i]), refl.draw("label"))
        return extend(refl.current, new[:i] + [wrong] + new[i + 1:])
    return padded(good, refl.draw("pad"))


# ---------------------------------------------------------------------------------------
# The server

TASK = None
SEEN = {}  # request hash -> times answered
SEEN_LOCK = threading.Lock()
INTERVALS = []


def occurrence(body):
    key = hashlib.sha256(json.dumps(body.get("messages") or [], sort_keys=True).encode()).hexdigest()
    with SEEN_LOCK:
        n = SEEN.get(key, 0)
        SEEN[key] = n + 1
    return n


def render(request, values):
    if request.json:
        return json.dumps(values, ensure_ascii=False), True
    return standin_lm.render_chat([(n, "") for n in values], values), False


def answer(body, answers):
    """The completion for a chat request: the task's reflection or task model, else the stand-in's."""
    n = occurrence(body)
    probe = Request(body, n)
    if "new_instruction" in probe.names:
        refl = Reflection(body, n)
        return render(refl, {"new_instruction": TASK.reflect(refl)})
    if not probe.outputs:
        return standin_lm_answer(body, answers)
    values = TASK.respond(probe)
    for name, type_text in probe.outputs:
        if name == "reasoning" and name not in values:
            values[name] = "I apply the instruction's rules to the inputs, one at a time."
        elif name not in values:
            values[name] = standin_lm.default_value(name, type_text, probe.notes.get(name), probe.inputs)
    return render(probe, {name: values[name] for name in probe.names})


standin_lm_answer = standin_lm.answer
make_handler = standin_lm.make_handler


def recording_handler(state):
    """standin_lm's handler, recording the interval of every completion request."""
    base = make_handler(state)

    class Handler(base):
        def complete(self, raw, body):
            start = time.monotonic()
            try:
                super().complete(raw, body)
            finally:
                with SEEN_LOCK:
                    INTERVALS.append((start, time.monotonic()))

        def do_GET(self):
            if self.path.split("?")[0].rstrip("/") == "/intervals":
                with SEEN_LOCK:
                    return self.send_json(200, {"intervals": list(INTERVALS)})
            return super().do_GET()

    return Handler


def load_task(path):
    """A task's task.py, as a module named after its directory."""
    name = "suite_" + os.path.basename(os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    global TASK
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--task" not in argv:
        raise SystemExit("simlm: --task suite/<task>/task.py is required")
    i = argv.index("--task")
    TASK = load_task(argv[i + 1])
    del argv[i:i + 2]
    standin_lm.answer = answer
    standin_lm.make_handler = recording_handler
    standin_lm.main(argv)


if __name__ == "__main__":
    main()
