"""Metric for the sentiment_python_metric example (dspy.GEPA metric signature).

Scores 1.0 for the right label, partial credit for near misses, 0.0 for a flipped
polarity or an unusable answer, and always says in words what went wrong so that
GEPA's reflection step has something specific to act on.
"""

import dspy

LABELS = ("positive", "negative", "neutral", "mixed")

# Partial credit for (gold, predicted) near misses; every pair not listed scores 0.
PARTIAL = {
    ("mixed", "positive"): 0.5,
    ("mixed", "negative"): 0.5,
    ("positive", "mixed"): 0.5,
    ("negative", "mixed"): 0.5,
    ("neutral", "mixed"): 0.25,
    ("mixed", "neutral"): 0.25,
    ("neutral", "positive"): 0.25,
    ("neutral", "negative"): 0.25,
    ("positive", "neutral"): 0.25,
    ("negative", "neutral"): 0.25,
}

ADVICE = {
    ("positive", "negative"): "The polarity is flipped: the reviewer is satisfied overall. Check for sarcasm misread as complaint, or for a minor gripe outweighing a clear recommendation.",
    ("negative", "positive"): "The polarity is flipped: the reviewer is unhappy overall. Polite openings or sarcastic praise ('great, it broke after a week') should not be read as approval.",
    ("mixed", "positive"): "The review weighs real complaints against the praise with no clear winner; calling it positive ignores the complaints.",
    ("mixed", "negative"): "The review weighs real praise against the complaints with no clear winner; calling it negative ignores the praise.",
    ("positive", "mixed"): "The reviewer mentions a drawback but still clearly recommends the product; a small caveat does not make a review mixed.",
    ("negative", "mixed"): "The reviewer mentions something good but the verdict is clearly negative; a token compliment does not make a review mixed.",
    ("neutral", "mixed"): "The review states facts without judging the product; there is no praise or complaint to balance.",
    ("neutral", "positive"): "The review only reports facts (delivery, size, contents) without expressing approval.",
    ("neutral", "negative"): "The review only reports facts without expressing dissatisfaction.",
    ("positive", "neutral"): "The reviewer does express approval, so the review is not neutral.",
    ("negative", "neutral"): "The reviewer does express dissatisfaction, so the review is not neutral.",
    ("mixed", "neutral"): "The review does express opinions, both praise and complaints, so it is mixed rather than neutral.",
}


def _label(record):
    """Read the sentiment field by subscript (record.items would be the method)."""
    try:
        value = record["sentiment"]
    except (KeyError, TypeError, AttributeError):
        value = getattr(record, "sentiment", None)
    if value is None:
        return None
    return str(value).strip().strip("'\"").lower()


def metric(gold, pred, trace=None, pred_name=None, pred_trace=None):
    expected = _label(gold)
    predicted = _label(pred)
    if predicted is None or predicted == "":
        return dspy.Prediction(
            score=0.0,
            feedback=f"No sentiment was produced; the expected label was '{expected}'. Always answer with one of: {', '.join(LABELS)}.",
        )
    if predicted not in LABELS:
        return dspy.Prediction(
            score=0.0,
            feedback=f"The answer '{predicted}' is not one of the allowed labels ({', '.join(LABELS)}); the expected label was '{expected}'.",
        )
    if predicted == expected:
        return dspy.Prediction(score=1.0, feedback=f"Correct: the review is {expected}.")
    score = PARTIAL.get((expected, predicted), 0.0)
    advice = ADVICE.get((expected, predicted), "")
    return dspy.Prediction(
        score=score,
        feedback=f"Predicted '{predicted}' but the review is '{expected}'. {advice}".strip(),
    )
