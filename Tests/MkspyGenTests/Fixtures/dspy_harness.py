"""Runs programs rendered by mkspy-gen under real DSPy, for MkspyGenTests.

    python dspy_harness.py JOB.json

JOB is {"programs": [{"label", "source", "class_name", "spec", "examples", "async",
"stream"}, ...]}: `spec` is the normalized spec (its "path", if any, is the spec file, whose
directory holds the tool modules), `examples` are input records (when empty, two are made
up from the input types). Each program is written to a temporary directory, imported,
instantiated and called on every example with a stand-in LM: a dspy.utils.DummyLM that
answers each call with type-correct values for the signature being run (and, for ReAct,
calls a real tool once, then finishes). Prints {"results": [...]}: per program the errors
found (none means every check passed), the names from named_predictors(), the number of LM
calls and checked outputs, whether save()/load() round-tripped, and the stream chunks seen.
"""

import asyncio
import importlib
import inspect
import json
import os
import sys
import tempfile
import traceback
import types
import typing
import warnings

import dspy
import pydantic
from dspy.utils.callback import BaseCallback
from dspy.utils.dummies import DummyLM

warnings.simplefilter("ignore")


# Values for annotations ------------------------------------------------------------------

def make_value(annotation, hint, i):
    """A value of type `annotation`; `i` varies the choice (enum member, None or not)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is str:
        return f"{hint} {i}"
    if annotation is bool:
        return i % 2 == 0
    if annotation is int:
        return i + 2
    if annotation is float:
        return i + 0.5
    if origin is typing.Literal:
        return args[i % len(args)]
    if origin is list:
        return [make_value(args[0], hint, i), make_value(args[0], hint, i + 1)]
    if origin is dict:
        return {f"{hint}_key": make_value(args[1], hint, i)}
    if origin in (typing.Union, types.UnionType):
        present = [a for a in args if a is not type(None)]
        return None if i % 3 == 2 else make_value(present[0], hint, i)
    if inspect.isclass(annotation) and issubclass(annotation, pydantic.BaseModel):
        return annotation(**{n: make_value(f.annotation, n, i) for n, f in annotation.model_fields.items()})
    if annotation is typing.Any:
        return {}
    raise TypeError(f"no value for annotation {annotation!r}")


def conforms(value, annotation):
    """Whether `value` has type `annotation`, checked all the way down."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is type(None):
        return value is None
    if annotation in (str, int, float, bool):
        return type(value) is annotation
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin is list:
        return isinstance(value, list) and all(conforms(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(type(k) is str and conforms(v, args[1]) for k, v in value.items())
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, a) for a in args)
    if inspect.isclass(annotation) and issubclass(annotation, pydantic.BaseModel):
        return isinstance(value, annotation) and all(
            conforms(getattr(value, n), f.annotation) for n, f in annotation.model_fields.items())
    return False


def jsonable(annotation, value):
    return pydantic.TypeAdapter(annotation).dump_python(value, mode="json")


# The stand-in LM -------------------------------------------------------------------------

class StandIn(DummyLM):
    """A DummyLM whose answers fit the signature of the call: the adapter callback below
    tells it which signature and inputs are being formatted just before each LM call."""

    def __init__(self):
        super().__init__([], follow_examples=True)
        self.signature = None
        self.inputs = {}
        self.tools = {}
        self.calls = 0
        self.tool_errors = []
        self.tool_calls = 0

    def _use_example(self, messages):
        self.calls += 1
        return self._format_answer_fields(self.answer())

    def answer(self):
        fields = self.signature.output_fields
        if "next_tool_name" in fields:
            return self.react_step(fields)
        return {name: make_value(f.annotation, name, self.calls) for name, f in fields.items()}

    def react_step(self, fields):
        trajectory = str(self.inputs.get("trajectory", ""))
        if "tool_name_0" in trajectory:
            if "Execution error" in trajectory or "observation_0" not in trajectory:
                self.tool_errors.append(trajectory)
            else:
                self.tool_calls += 1
            return {"next_thought": "I have what I need.", "next_tool_name": "finish", "next_tool_args": {}}
        names = [n for n in typing.get_args(fields["next_tool_name"].annotation) if n != "finish"]
        tool = self.tools[names[0]]
        text = next((v for v in self.inputs.values() if isinstance(v, str)), "Veloria")
        samples = {"string": text, "integer": 1, "number": 1.5, "boolean": True, "array": [], "object": {}}
        args = {name: samples.get(schema.get("type"), text) for name, schema in tool.args.items()}
        return {"next_thought": "Let me look that up.", "next_tool_name": tool.name, "next_tool_args": args}


class Watch(BaseCallback):
    def __init__(self, lm):
        self.lm = lm

    def on_adapter_format_start(self, call_id, instance, inputs):
        self.lm.signature = inputs["signature"]
        self.lm.inputs = inputs["inputs"]


# Checks ----------------------------------------------------------------------------------

def check_prediction(prediction, output_types, errors, what):
    if not isinstance(prediction, dspy.Prediction):
        errors.append(f"{what}: returned {type(prediction).__name__}, not dspy.Prediction")
        return 0
    checked = 0
    for name, annotation in output_types.items():
        try:
            value = prediction[name]
        except KeyError:
            errors.append(f"{what}: the prediction has no field {name!r}")
            continue
        if not conforms(value, annotation):
            errors.append(f"{what}: output {name!r} = {value!r} is not a {annotation!r}")
        checked += 1
    return checked


def roundtrip(cls, program, directory, errors):
    """Changes every predictor's instructions and demos, saves, loads into a fresh instance."""
    for name, predictor in program.named_predictors():
        predictor.signature = predictor.signature.with_instructions(predictor.signature.instructions + " (tuned)")
        demo = {}
        for field, info in predictor.signature.fields.items():
            if field not in ("trajectory",):
                demo[field] = jsonable(info.annotation, make_value(info.annotation, field, 1))
        predictor.demos = list(predictor.demos) + [dspy.Example(demo)]
    path = os.path.join(directory, "state.json")
    program.save(path)
    fresh = cls()
    if fresh.dump_state() == program.dump_state():
        errors.append("round trip: a fresh instance already has the changed state")
    fresh.load(path)
    if fresh.dump_state() != program.dump_state():
        errors.append("round trip: the loaded state differs from the saved state")
        return False
    for name, predictor in fresh.named_predictors():
        if not predictor.signature.instructions.endswith("(tuned)"):
            errors.append(f"round trip: {name} lost its instructions")
            return False
    return True


async def consume(streaming, inputs):
    chunks, final = 0, None
    async for item in streaming(**inputs):
        if isinstance(item, dspy.streaming.StreamResponse):
            chunks += 1
        elif isinstance(item, dspy.Prediction):
            final = item
    return chunks, final


def run(job, index, root):
    errors = []
    result = {"label": job["label"], "errors": errors, "predictors": [], "calls": 0, "checked": 0,
              "roundtrip": False, "stream_chunks": 0, "tool_calls": 0}
    directory = os.path.join(root, f"p{index}")
    os.makedirs(directory)
    name = f"mkspy_program_{index}"
    with open(os.path.join(directory, name + ".py"), "w", encoding="utf-8") as f:
        f.write(job["source"])
    spec = job["spec"]
    sys.path[:0] = [directory] + ([os.path.dirname(spec["path"])] if spec.get("path") else [])
    lm = StandIn()
    try:
        module = importlib.import_module(name)
        cls = getattr(module, job["class_name"])
        program = cls()
        for sub_name, sub in program.named_sub_modules():
            if isinstance(sub, dspy.ReAct):
                lm.tools.update(sub.tools)
        result["predictors"] = [n for n, _ in program.named_predictors()]
        namespace = vars(module)
        input_types = {f["name"]: eval(f["type"], namespace) for f in spec["inputs"]}
        output_types = {f["name"]: eval(f["type"], namespace) for f in spec["outputs"]}
        examples = job.get("examples") or [
            {n: jsonable(a, make_value(a, n, i)) for n, a in input_types.items()} for i in range(2)]
        with dspy.context(lm=lm, callbacks=[Watch(lm)], adapter=dspy.ChatAdapter()):
            for i, example in enumerate(examples):
                inputs = {n: example[n] for n in input_types}
                what = f"example {example.get('id', i)}"
                result["checked"] += check_prediction(program(**inputs), output_types, errors, what)
                if job.get("async"):
                    prediction = asyncio.run(program.acall(**inputs))
                    result["checked"] += check_prediction(prediction, output_types, errors, what + " (aforward)")
                if job.get("stream") and i == 0:
                    chunks, final = asyncio.run(consume(module.stream(cls()), inputs))
                    result["stream_chunks"] = chunks
                    result["checked"] += check_prediction(final, output_types, errors, what + " (stream)")
            errors.extend(f"tool call failed: {t[-300:]}" for t in lm.tool_errors)
            result["roundtrip"] = roundtrip(cls, program, directory, errors)
    except Exception:
        errors.append(traceback.format_exc(limit=8))
    finally:
        result["calls"] = lm.calls
        result["tool_calls"] = lm.tool_calls
        del sys.path[:1 + bool(spec.get("path"))]
    return result


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)["programs"]
    with tempfile.TemporaryDirectory() as root:
        results = [run(job, i, root) for i, job in enumerate(jobs)]
    json.dump({"results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
