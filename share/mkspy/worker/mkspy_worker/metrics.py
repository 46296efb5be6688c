"""mkspy's built-in metrics in Python, for dspy.Evaluate and dspy.GEPA on the program mkspy
optimized: the same scores and feedback as mkspy-score's (Sources/MkspyScore/Metrics.swift,
which stays the one mkspy-score runs; MkspyScoreTests/PythonMetricsTests proves the two agree
on every example of the bundled data).

    import sys; sys.path.insert(0, "/usr/local/share/mkspy/worker")   # $MKSPY_SHARE/worker
    from mkspy_worker.metrics import metric_from
    metric = metric_from("metric.json")          # or {"kind": "f1", "field": "answer"}
    dspy.Evaluate(devset=val, metric=metric)(program)
    dspy.GEPA(metric=metric, ...).compile(program, trainset=train, valset=val)

Each metric has dspy.GEPA's signature, metric(gold, pred, trace=None, pred_name=None,
pred_trace=None), and returns dspy.Prediction(score=..., feedback=...), score in [0, 1].
Without a "field" it scores every output (the mean): the gold example's labels, or the
`outputs` given to metric_from. `judge` and `python` metrics are the worker's own.
"""

import json
import math
import unicodedata

__all__ = ["metric_from", "evaluate"]


def metric_from(metric, outputs=None, spec_dir=None):
    """The metric function for a metric object (a spec's "metric") or a metric.json path."""
    if isinstance(metric, str):
        import os
        spec_dir = spec_dir or os.path.dirname(os.path.abspath(metric))
        with open(metric, encoding="utf-8") as f:
            metric = json.load(f)
    kind = metric.get("kind")
    if kind in ("judge", "python"):
        import dspy
        from .child import call_metric, load_metric, metric_arity
        loaded = load_metric(dspy, metric, spec_dir)
        arity = metric_arity(loaded)

        def worker_metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
            # As mkspy-score reads it: a score in [0, 1] (a judge's 7.5 clamped, and said so).
            score, feedback = call_metric(loaded, arity, gold, pred, trace, pred_name, pred_trace)
            return dspy.Prediction(score=score, feedback=feedback)

        worker_metric.__name__ = f"mkspy_{kind}"
        return worker_metric
    if kind not in COMPARE:
        raise ValueError(f"unknown metric kind {kind!r}: use exact, f1, contains, numeric, json, judge or python")

    def mkspy_metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
        import dspy
        from .common import jsonable
        names = outputs
        if names is None:
            names = list(gold.labels().keys()) if hasattr(gold, "labels") else []
        score, feedback = evaluate(metric, jsonable(gold) or {}, jsonable(pred) or {}, names)
        return dspy.Prediction(score=score, feedback=feedback)

    mkspy_metric.__name__ = f"mkspy_{kind}"
    return mkspy_metric


def evaluate(metric, gold, prediction, outputs):
    """(score, feedback) of a prediction (plain JSON data) against the gold example."""
    field = metric.get("field")
    results = []
    for name in [field] if field else outputs:
        if name not in gold:
            results.append((0.0, f"the example has no gold value for {name}"))
        elif prediction.get(name) is None:
            results.append((0.0, f"{name} is missing from the prediction; expected {show(gold[name])}"))
        else:
            results.append(COMPARE[metric["kind"]](metric, name, gold[name], prediction[name]))
    if not results:
        return 0.0, "nothing to compare: the program has no outputs"
    score = sum(s for s, _ in results) / len(results)
    return clamp(score), " ".join(f for _, f in results)


# The metrics, one function each.

def exact_match(metric, name, expected, actual):
    if same_value(expected, actual):
        return 1.0, f"{name} is correct."
    return 0.0, f"expected {name} {show(expected)}, got {show(actual)}."


def token_f1(metric, name, expected, actual):
    gold, pred = normalized_tokens(plain_text(expected)), normalized_tokens(plain_text(actual))
    if not gold or not pred:
        score = 1.0 if gold == pred else 0.0
        return score, f"{name} is correct." if score == 1 else f"expected {name} {show(expected)}, got {show(actual)}."
    remaining = count_words(gold)
    common = 0
    for token in pred:
        if remaining.get(token, 0) > 0:
            remaining[token] -= 1
            common += 1
    precision, recall = common / len(pred), common / len(gold)
    f1 = 0.0 if common == 0 else 2 * precision * recall / (precision + recall)
    if f1 == 1:
        return 1.0, f"{name} is correct."
    missing, extra = words_not_in(gold, pred), words_not_in(pred, gold)
    parts = [f"{name} has token F1 {fmt(f1, 2)} (precision {fmt(precision, 2)}, recall {fmt(recall, 2)})"]
    if missing:
        parts.append("missing words: " + ", ".join(missing))
    if extra:
        parts.append("extra words: " + ", ".join(extra))
    return clamp(f1), "; ".join(parts) + "."


def contains_match(metric, name, expected, actual):
    needle = " ".join(normalized_tokens(plain_text(expected)))
    hay = " ".join(normalized_tokens(plain_text(actual)))
    if (f" {needle} " in f" {hay} ") if needle else not hay:  # an empty gold: an empty answer only
        return 1.0, f"{name} contains {show(expected)}."
    return 0.0, f"expected {name} to contain {show(expected)}, got {show(actual)}."


def numeric_match(metric, name, expected, actual):
    tolerance = float(metric.get("tolerance") or 0)
    gold = number(expected)
    if gold is None:
        return 0.0, f"the gold {name} {show(expected)} is not a number"
    pred = number(actual)
    if pred is None:
        return 0.0, f"expected {name} {show(expected)}, got {show(actual)}, which is not a number."
    if abs(pred - gold) <= tolerance + 1e-12:
        return 1.0, f"{name} {show(actual)} is correct."
    return 0.0, f"expected {name} {show(expected)}, got {show(actual)}: {numeric_diagnosis(gold, pred)}."


def numeric_diagnosis(gold, pred):
    """Why two numbers differ, in the words a person would use."""
    if pred == 0:
        return "zero where a value was expected; was anything computed?"
    if gold == 0:
        return f"off by {show_number(pred)}"
    if pred == -gold:
        return "the sign is flipped"
    ratio = gold / pred
    for factor in (10.0, 100.0, 1000.0, 2.0):
        if abs(abs(ratio) - factor) < 1e-6 * factor or abs(abs(1 / ratio) - factor) < 1e-6 * factor:
            return f"off by a factor of {show_number(factor)}" + (" and the sign is flipped" if ratio * pred * gold < 0 else "")
    difference = pred - gold
    percent = abs(difference / gold) * 100
    return f"{'too high' if difference > 0 else 'too low'} by {show_number(abs(difference))} ({fmt(percent, 1)}%)"


def json_match(metric, name, expected, actual):
    comparison = JSONComparison()
    comparison.compare(expected, actual, name)
    if comparison.total == 0:
        score = 1.0 if same_value(expected, actual) else 0.0
    else:
        score = comparison.matched / comparison.total
    if not comparison.problems:
        return clamp(score), f"{name} matches."
    return clamp(score), "; ".join(comparison.problems) + "."


class JSONComparison:
    """Walks gold and predicted JSON side by side, counting matched leaves and naming mismatches."""

    def __init__(self):
        self.matched, self.total, self.problems = 0.0, 0.0, []

    def compare(self, expected, actual, path):
        if isinstance(expected, dict) and isinstance(actual, dict):
            for key, value in expected.items():
                sub = f"{path}.{key}"
                if key in actual and not (actual[key] is None and value is not None):
                    self.compare(value, actual[key], sub)
                else:
                    self.total += max(1, leaf_count(value))
                    self.problems.append(f"field {sub} missing")
            extra = [k for k in actual if k not in expected and actual[k] is not None]
            if extra:
                self.problems.append(f"unexpected fields in {path}: {', '.join(extra)}")
        elif isinstance(expected, list) and isinstance(actual, list):
            unmatched, missing = list(actual), []
            for item in expected:
                i = next((i for i, other in enumerate(unmatched) if same_value(item, other)), None)
                if i is None:
                    missing.append(item)
                else:
                    del unmatched[i]
            self.total += max(len(expected), len(actual))
            self.matched += len(expected) - len(missing)
            parts = []
            if missing:
                parts.append("missing: " + ", ".join(map(show, missing)))
            if unmatched:
                parts.append("unexpected: " + ", ".join(map(show, unmatched)))
            if parts:
                self.problems.append(f"{path} items " + "; ".join(parts))
        else:
            self.total += 1
            if same_value(expected, actual):
                self.matched += 1
            else:
                problem = f"{path}: expected {show(expected)}, got {show(actual)}"
                g, p = number(expected), number(actual)
                if g is not None and p is not None:
                    problem += f" ({numeric_diagnosis(g, p)})"
                self.problems.append(problem)


def leaf_count(value):
    if isinstance(value, list):
        return max(1, len(value))  # as an empty list weighs: a missing one pays no better
    return sum(leaf_count(v) for v in value.values()) if isinstance(value, dict) else 1


COMPARE = {"exact": exact_match, "f1": token_f1, "contains": contains_match, "numeric": numeric_match, "json": json_match}


# Values and text.

def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same_value(a, b):
    """Equal JSON values: numbers by value, text after normalization, containers member-wise."""
    if isinstance(a, str) and isinstance(b, str):
        return normalized_tokens(a) == normalized_tokens(b)
    if is_number(a) or is_number(b):
        x, y = number(a), number(b)
        return x is not None and y is not None and x == y
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return all(same_value(a.get(k), b.get(k)) for k in set(a) | set(b))
    return type(a) is type(b) and a == b


def number(value):
    """A number from a JSON number or numeric text ("$1,204.50" -> 1204.5)."""
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        cleaned = "".join(c for c in value if c not in " ,$€£")
        # As Swift's Double(String): ASCII digits only, and "NaN" or "inf" is not an answer.
        if not cleaned or "_" in cleaned or cleaned != cleaned.strip() or not cleaned.isascii():
            return None
        try:
            if cleaned.lstrip("+-")[:2].lower() == "0x":  # Swift's Double(String) reads hex floats
                result = float.fromhex(cleaned)
            else:
                result = float(cleaned)
        except ValueError:
            return None
        return result if math.isfinite(result) else None
    return None


def plain_text(value):
    return value if isinstance(value, str) else to_json(value)


def normalized_tokens(text):
    """SQuAD normalization: lower case, punctuation and symbols removed, articles dropped."""
    # Canonically composed, as Swift compares text; a joiner is part of the symbol it joins.
    text = unicodedata.normalize("NFC", text)
    lowered = "".join(" " if unicodedata.category(c)[0] in "PS" or c in "\u200d\ufe0f" else c for c in text.lower())
    return [w for w in lowered.split() if w not in ("a", "an", "the")]


def count_words(words):
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return counts


def words_not_in(a, b):
    """Words of `a` (in order, once each) that `b` lacks as often as `a` has them."""
    available, out = count_words(b), []
    for w in a:
        if available.get(w, 0) > 0:
            available[w] -= 1
        elif w not in out:
            out.append(w)
    return out


def to_json(value):
    """JSON as mkspy writes it: keys sorted, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def show(value):
    """A value as feedback quotes it: text in quotes, numbers as written, JSON otherwise (cut short)."""
    if isinstance(value, str):
        text = f"'{value}'"
    elif is_number(value):
        text = show_number(value) if isinstance(value, float) else str(value)
    else:
        text = to_json(value)
    return text[:117] + "…" if len(text) > 120 else text


def show_number(x):
    if x == math.floor(x) and abs(x) < 1e15:
        return f"{int(x)}.0"
    return repr(float(x))


def fmt(x, digits):
    """x rounded half away from zero to `digits` decimals, printed as Swift prints a Double."""
    scale = 10.0 ** digits
    scaled = x * scale
    rounded = math.copysign(math.floor(abs(scaled) + 0.5), scaled)
    return repr(rounded / scale)


def clamp(score):
    return min(max(float(score), 0.0), 1.0)
