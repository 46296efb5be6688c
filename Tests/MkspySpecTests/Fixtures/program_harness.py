"""Tells what real DSPy makes of the test programs, for MkspySpecTests to compare with
mkspy-spec's static reading and mkspy-gen's state.

    python program_harness.py JOB.json

JOB is {"programs": [{"label", "path", "class", "genome", "state"}]}: `path` is one of the
tests' own fixture programs (importing them is safe), `genome` maps predictor names to
{"instruction", "fields", "demos"}, `state` is the state mkspy-gen rendered for that genome
(both may be null). Prints {"results": [...]}, per program:

- "predictors": named_predictors() in order, each {"name", "instructions", "inputs",
  "outputs"}, a field being [name, prefix, desc];
- with a state: "loaded", the dump_state() of a fresh program after program.load(state);
  "direct", the dump_state() of a fresh program given the genome through DSPy's own API
  (with_instructions, with_updated_fields, demos); "saved", what program.save() writes for
  that program, parsed ("save_error" when save() raises); "saved_bytes_equal", whether
  those bytes equal the state's json.dumps(sort_keys=True) bytes; "saved_own", what save()
  writes for the program as its class builds it;
- "error": a traceback when the program could not be imported or built.
"""

import importlib.util
import json
import logging
import os
import sys
import tempfile
import traceback
import warnings

import dspy

warnings.simplefilter("ignore")
logging.disable(logging.WARNING)


def fields(signature):
    def entry(name, field):
        extra = field.json_schema_extra
        return [name, extra["prefix"], extra["desc"]]
    return ([entry(n, f) for n, f in signature.input_fields.items()],
            [entry(n, f) for n, f in signature.output_fields.items()])


def build(path, class_name, index):
    spec = importlib.util.spec_from_file_location(f"mkspy_program_{index}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return getattr(module, class_name)


def apply(program, genome):
    for name, predictor in program.named_predictors():
        gene = genome[name]
        signature = predictor.signature.with_instructions(gene["instruction"])
        for field, desc in gene["fields"].items():
            if signature.fields[field].json_schema_extra["desc"] != desc:
                signature = signature.with_updated_fields(field, desc=desc)
        predictor.signature = signature
        predictor.demos = [dspy.Example(**demo) for demo in gene["demos"]]


def plain(value):
    return json.loads(json.dumps(value))


def state_of(program):
    """dump_state(), but for dspy.Retrieve, whose dump_state() takes no json_mode in DSPy
    3.4.1 (so program.dump_state() and save() raise for a program that has one)."""
    return {name: param.dump_state() if isinstance(param, dspy.Retrieve) else param.dump_state(json_mode=True)
            for name, param in program.named_parameters()}


def saved(program, path):
    """What program.save(path) writes, parsed; None when save() raises."""
    try:
        program.save(path)
    except Exception:
        return None
    with open(path) as f:
        return json.load(f)


def run(job, index, directory):
    cls = build(job["path"], job["class"], index)
    program = cls()
    result = {"label": job["label"], "predictors": []}
    for name, predictor in program.named_predictors():
        inputs, outputs = fields(predictor.signature)
        result["predictors"].append({"name": name, "instructions": predictor.signature.instructions,
                                     "inputs": inputs, "outputs": outputs})
    if job.get("state") is not None:
        state_path = os.path.join(directory, f"state_{index}.json")
        state_bytes = json.dumps(job["state"], sort_keys=True).encode()
        with open(state_path, "wb") as f:
            f.write(state_bytes)
        loaded = cls()
        loaded.load(state_path)
        result["loaded"] = plain(state_of(loaded))
        result["saved_own"] = saved(program, os.path.join(directory, f"own_{index}.json"))
        direct = cls()
        apply(direct, job["genome"])
        result["direct"] = plain(state_of(direct))
        saved_path = os.path.join(directory, f"saved_{index}.json")
        try:
            direct.save(saved_path)
        except Exception as error:
            result["save_error"] = f"{type(error).__name__}: {error}"
            return result
        with open(saved_path, "rb") as f:
            saved_bytes = f.read()
        result["saved"] = json.loads(saved_bytes)
        result["saved_bytes_equal"] = saved_bytes == state_bytes
    return result


def main():
    with open(sys.argv[1]) as f:
        jobs = json.load(f)["programs"]
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for index, job in enumerate(jobs):
            try:
                results.append(run(job, index, directory))
            except Exception:
                results.append({"label": job["label"], "error": traceback.format_exc()})
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
