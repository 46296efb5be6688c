"""What every part of the runtime shares: the scrubbing of keys, JSON Lines, errors and their
codes, and the one builder of dspy.LM."""

import json
import sys

SECRETS = []  # API keys, longest first: scrubbed from everything written
ERROR_CODES = []  # [[exception class name, code], ...]: mkspy's table, from the session's config
CODES = {}  # the session config's other tables: error_causes, provider_codes, retried_codes


def remember_secrets(config):
    """Keys to scrub: the session's LM key, and the provider variables of the environment."""
    import os
    keys = [(config.get("lm") or {}).get("api_key")]
    keys += [v for k, v in os.environ.items() if k.endswith(("_API_KEY", "_KEY", "_TOKEN"))]  # the provider's own variable
    SECRETS[:] = sorted({k for k in keys if k and len(k) >= 6}, key=len, reverse=True)
    ERROR_CODES[:] = config.get("error_codes") or []
    CODES.update({k: config.get(k) or [] for k in ("error_causes", "provider_codes", "retried_codes")})


def scrub(text):
    for secret in SECRETS:
        text = text.replace(secret, "[key]")
    return text


def log(message):
    sys.stderr.write(scrub(f"mkspy-score worker: {message}") + "\n")
    sys.stderr.flush()


def encode(obj):
    return scrub(json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)) + "\n"


def jsonable(value):
    """Plain JSON data for a prediction or trace value: Pydantic models are model_dump'ed."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if hasattr(value, "model_dump"):
        try:
            return jsonable(value.model_dump(mode="json"))
        except Exception:
            return str(value)
    if hasattr(value, "toDict"):
        return jsonable(value.toDict())
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return str(value)


def error(code, message):
    return {"code": code, "message": scrub(str(message))[:2000]}


def error_code(exc):
    """The code of an exception raised while running a program: mkspy's table (ErrorCode.exceptions
    in MkspyCore) matched against the exception's class and its bases; "program" otherwise. A
    provider's error whose chain of causes shows what it is (ErrorCode.causes: a 200 whose body
    is no completion, a read timeout) gets that code instead."""
    names = {c.__name__ for c in type(exc).__mro__}
    code = next((code for name, code in ERROR_CODES if name in names), "program")
    if code in CODES.get("provider_codes", ()):
        cause, seen = exc, set()
        while cause is not None and id(cause) not in seen:
            seen.add(id(cause))
            text = type(cause).__name__ + " " + str(cause)
            found = next((code for marker, code in CODES.get("error_causes", ()) if marker in text), None)
            if found:
                return found
            cause = cause.__cause__ or cause.__context__
    return code


def is_provider(code):
    return code in CODES.get("provider_codes", ())


def usage_of(calls):
    """An example's usage from its calls: failed and cached calls are not billed."""
    billed = [c for c in calls if not c["cached"] and c["error_code"] is None]
    costs = [c["cost"] for c in billed if isinstance(c["cost"], (int, float))]
    return {
        "lm_calls": len(calls), "cached_calls": sum(c["cached"] for c in calls),
        "failed_calls": sum(c["error_code"] is not None for c in calls),
        "tokens_in": sum(c["tokens_in"] for c in billed), "tokens_out": sum(c["tokens_out"] for c in billed),
        "latency_ms": round(sum(c["latency_ms"] for c in calls), 1),
        "cost": round(sum(costs), 8) if costs else None,
    }


def describe(exc):
    """The error message of an exception raised while running a program. A reply that did not
    parse gets a short note a reflection can act on, not DSPy's dump of the whole prompt."""
    if type(exc).__name__ == "AdapterParseError" and getattr(exc, "signature", None) is not None:
        parsed = exc.parsed_result if isinstance(getattr(exc, "parsed_result", None), dict) else {}
        missing = [name for name in exc.signature.output_fields if name not in parsed]
        reply = " ".join(str(getattr(exc, "lm_response", "") or "").split())
        note = "the answer did not follow the output format"
        if missing:
            note += "; missing fields: " + ", ".join(missing)
        return note + (f"; the reply began: {reply[:160]}" if reply else "; the reply was empty")
    return f"{type(exc).__name__}: {exc}"


def build_lm(dspy, config, **overrides):
    """The dspy.LM of a config's "lm": {model, api_base, api_key, num_retries, kwargs}."""
    kwargs = dict(config.get("kwargs") or {})
    for key in ("api_base", "api_key"):
        if config.get(key):
            kwargs[key] = config[key]
    kwargs.setdefault("num_retries", int(config.get("num_retries", 3)))
    kwargs.update(overrides)
    return dspy.LM(config["model"], **kwargs)


def read_line(buffer, read):
    """(the first line of buffer + what read() gives, the rest); (None, buffer) at the end of input."""
    while b"\n" not in buffer:
        data = read()
        if not data:
            return None, buffer
        buffer += data
    line, rest = buffer.split(b"\n", 1)
    return line, rest
