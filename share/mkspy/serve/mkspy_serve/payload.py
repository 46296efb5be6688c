"""A job's request: its JSON form (the OpenAPI schema), the check that no key travels in it, and
the check of its spec (by mkspy-spec) and data (against that spec) before it is queued."""

import json
import os
import re
import subprocess
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

# Names of fields that carry credentials. Keys come from the server's environment only.
KEY_NAME = re.compile(r"(^|[_\-.])(api[_\-]?key|key|keys|token|secret|password|passwd|authorization|bearer|credentials?)$", re.I)
# A dspy.LM model string such as openai/gpt-4o-mini: no spaces, no URL.
MODEL = r"^[A-Za-z0-9][A-Za-z0-9._:@+\-]*(/[A-Za-z0-9._:@+\-]+)*$"


class Invalid(Exception):
    """A payload that cannot be queued: the field (a path such as train[2].question) and why."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Program(BaseModel):
    """A DSPy program of the user's: the source of one .py file and, when it defines several
    modules, the class to optimize (mkspy-spec --module)."""
    model_config = ConfigDict(extra="forbid", strict=True)
    source: str = Field(min_length=1)
    module: Optional[str] = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=200)


class JobRequest(BaseModel):
    """POST /jobs: a spec or a program, data, a budget and the LMs by model string."""
    model_config = ConfigDict(extra="forbid", strict=True)
    spec: Optional[dict[str, Any]] = Field(None, description="a task spec, as mkspy-spec reads it")
    program: Optional[Program] = None
    train: list[dict[str, Any]] = Field(min_length=1, description="train examples: inputs and gold fields by name, optional id")
    val: list[dict[str, Any]] = Field(min_length=1, description="val examples: the Pareto frontier and the best program's score")
    test: Optional[list[dict[str, Any]]] = Field(None, description="test examples the best program is scored on at the end")
    metric: Optional[dict[str, Any]] = Field(None, description="overrides the spec's metric; a python metric comes as {kind, source, function}")
    max_calls: Optional[int] = Field(None, ge=1, le=10_000_000, description="budget in metric calls (scored candidate-example pairs)")
    max_cost: Optional[float] = Field(None, gt=0, le=1_000_000, description="budget in USD of the scores' LM cost")
    lm: Optional[str] = Field(None, pattern=MODEL, max_length=200, description="dspy.LM model string of the task LM (default: the server's MKSPY_LM)")
    reflection_lm: Optional[str] = Field(None, pattern=MODEL, max_length=200, description="model string of the reflection LM (default: the server's, else lm)")
    children: int = Field(2, ge=1, le=64, description="children per step (mkspy-evolve --children)")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="seed of every random choice (mkspy-evolve --seed)")

    @model_validator(mode="before")
    @classmethod
    def no_keys(cls, data):
        """Refuses the whole payload when any member is named like a credential, before any
        other check, so the answer says why rather than 'extra field'."""
        found = key_field(data)
        if found:
            raise PydanticCustomError("key_field", "{field}: a payload carries no keys; the server's environment holds them (MKSPY_LM_KEY, the provider's variable)", {"field": found})
        return data


def key_field(value, path=""):
    """The path of the first object member named like a credential, else None."""
    if isinstance(value, dict):
        for name, item in value.items():
            here = f"{path}.{name}" if path else str(name)
            if KEY_NAME.search(str(name)):
                return here
            found = key_field(item, here)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = key_field(item, f"{path}[{i}]")
            if found:
                return found
    return None


def field_path(loc):
    """pydantic's ("body", "train", 0, "x") as train[0].x."""
    text = ""
    for part in loc:
        if part in ("body", "path", "query", "header") and not text:
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def jq_path(prefix, path):
    """A diagnostic's jq path (.operations[0].inputs) under a payload field."""
    path = (path or "").lstrip(".")
    return prefix + ("." + path if path and not path.startswith("[") else path)


def python_metric(metric, where, directory):
    """A python metric travels as its source: written to metric.py in the run directory, never
    read from a path the request names."""
    if not isinstance(metric, dict) or metric.get("kind") != "python":
        return metric
    if "path" in metric:
        raise Invalid(f"{where}.path", "a python metric comes as its source text (\"source\"); no path from a request is read")
    source = metric.get("source")
    if not isinstance(source, str) or not source.strip():
        raise Invalid(f"{where}.source", "a python metric needs \"source\": the text of a .py file defining the function")
    with open(os.path.join(directory, "metric.py"), "w", encoding="utf-8") as f:
        f.write(source)
    rest = {k: v for k, v in metric.items() if k != "source"}
    return {**rest, "path": "metric.py"}


def write_lines(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def prepare(request: JobRequest, directory, mkspy_spec):
    """Writes the job's inputs into `directory` and checks them: the spec or program through
    mkspy-spec, the data against what it needs, the budget. Returns the make variables that
    differ per job; raises Invalid naming the field."""
    if (request.spec is None) == (request.program is None):
        raise Invalid("spec", "give a spec or a program (one of them)")
    if request.max_calls is None and request.max_cost is None:
        raise Invalid("max_calls", "a budget is required: max_calls (metric calls) or max_cost (USD)")
    variables = {}
    if request.spec is not None:
        spec = dict(request.spec)
        metric_field = "spec.metric"
        if request.metric is not None:
            spec["metric"], metric_field = request.metric, "metric"
        if "metric" in spec:
            spec["metric"] = python_metric(spec["metric"], metric_field, directory)
        with open(os.path.join(directory, "spec.json"), "w", encoding="utf-8") as f:
            json.dump(spec, f, ensure_ascii=False, indent=1)
        command, source, variables["SPEC"] = [mkspy_spec, "spec.json"], "spec", "spec.json"
        path_prefix = lambda path: metric_field + jq_path("", path)[len(".metric"):] if (path or "").startswith(".metric") else jq_path("spec", path)
    else:
        with open(os.path.join(directory, "program.py"), "w", encoding="utf-8") as f:
            f.write(request.program.source)
        flags = ["--module", request.program.module] if request.program.module else []
        if request.metric is not None:
            write_lines(os.path.join(directory, "metric.json"), [python_metric(request.metric, "metric", directory)])
            flags += ["--metric", "metric.json"]
        command, source, variables["SPEC"] = [mkspy_spec, *flags, "program.py"], "program", "program.py"
        variables["SPEC_FLAGS"] = " ".join(flags)
        path_prefix = lambda path: "metric" + jq_path("", path)[len(".metric"):] if (path or "").startswith(".metric") else "program"
    record = read_spec(command, directory, source)
    errors = [d for d in record.get("diagnostics") or [] if d.get("severity") == "error"]
    if errors:
        d = errors[0]
        where = path_prefix(d.get("path"))
        line = f" (line {d['line']})" if d.get("line") else ""
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        raise Invalid(where, f"{d.get('rule', '')}{line}: {d.get('message', '')}{more}")
    if not record.get("ok"):
        raise Invalid(source, "mkspy-spec found the spec invalid")
    metric = record.get("metric")
    if not metric:
        raise Invalid("metric", "no metric: give one in the spec or as \"metric\", e.g. {\"kind\": \"exact\", \"field\": \"answer\"}")
    check_data(request, record, metric)
    for name in ("train", "val", "test"):
        rows = getattr(request, name)
        if rows:
            write_lines(os.path.join(directory, f"{name}.jsonl"), rows)
    return variables


def read_spec(command, directory, source):
    """mkspy-spec's spec record for the job's spec or program (it never runs the program)."""
    try:
        result = subprocess.run(command, cwd=directory, capture_output=True, text=True, errors="replace", timeout=120)
    except subprocess.TimeoutExpired:
        raise Invalid(source, "mkspy-spec did not finish reading it in 120 s") from None
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode >= 2 or not lines:
        message = result.stderr.strip().splitlines()
        raise Invalid(source, message[-1] if message else f"mkspy-spec failed (status {result.returncode})")
    try:
        record = json.loads(lines[0])
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise Invalid(source, "mkspy-spec wrote no spec record for it")
    return record


def names(fields):
    if isinstance(fields, dict):
        return list(fields)
    return [f["name"] if isinstance(f, dict) else str(f) for f in fields or []]


def check_data(request, record, metric):
    """Every example has the program's inputs and the fields the metric compares (a built-in
    metric's field, else every output; a judge or python metric reads what it reads), and ids
    are unique across train and val, as mkspy-score requires."""
    inputs, outputs = names(record.get("inputs")), names(record.get("outputs"))
    kind = metric.get("kind")
    gold = [] if kind in ("judge", "python") else ([metric["field"]] if metric.get("field") else outputs)
    seen = {}
    for name in ("train", "val", "test"):
        for i, example in enumerate(getattr(request, name) or []):
            for field in inputs:
                if field not in example:
                    raise Invalid(f"{name}[{i}].{field}", f"missing: every example needs the program's inputs ({', '.join(inputs)})")
            for field in gold:
                if field not in example:
                    raise Invalid(f"{name}[{i}].{field}", f"missing: the {kind} metric compares it with the prediction")
            if name == "test":
                continue
            given = example.get("id")
            if given is not None and not isinstance(given, (str, int, float)):
                raise Invalid(f"{name}[{i}].id", "an id is a string or a number")
            key = ("id", str(given)) if given is not None else ("content", json.dumps(example, sort_keys=True))
            if key in seen:
                raise Invalid(f"{name}[{i}]" + (".id" if given is not None else ""), f"repeats {seen[key]}; examples are unique across train and val")
            seen[key] = f"{name}[{i}]"
