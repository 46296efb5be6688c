"""mkspy-evolve's reflection step: proposes a better instruction for one module of a program.

A session of the runtime worker (worker.py) whose first line is {"op": "reflect", "lm": {"model",
"api_base", "api_key", "num_retries", "kwargs"}, "jobs": N, "cache_dir": DIR or null}; then one request per line: {"task", "module", "instruction",
"inputs", "outputs", "examples": [{"inputs", "outputs", "score", "feedback"}], "step"}, up to end of input.
Writes one line per request, in any order: {"index": i, "instruction": "...", "attempts": n} or
{"index": i, "error": "...", "attempts": n}. The proposal is a DSPy signature run by dspy.Predict, as GEPA's own instruction
proposer is; the key never appears in any output.
"""

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import dspy

from .common import build_lm, describe, scrub

# Proposals asked again when one fails or repeats the instruction.
RETRIES = 2


class ProposeInstruction(dspy.Signature):
    """I provided an assistant with the following instructions to perform a task for me.

    The following are examples of different task inputs provided to the assistant along with the
    assistant's response for each of them, and some feedback on how the assistant's response could
    be better.

    Your task is to write a new instruction for the assistant. Read the inputs carefully and
    identify the input format and infer a detailed task description. Read all the assistant
    responses and the corresponding feedback. Identify all niche and domain-specific factual
    information about the task and include it in the instruction, as a lot of it may not be
    available to the assistant in the future. If the assistant used a generalizable strategy,
    include that too. Keep every rule of the current instruction that the feedback does not
    contradict."""

    task: str = dspy.InputField(desc="what the whole program does")
    current_instruction: str = dspy.InputField(desc="the instruction the assistant was given")
    field_descriptions: str = dspy.InputField(desc="the assistant's input and output fields, with their descriptions")
    examples_with_feedback: str = dspy.InputField(desc="inputs, the assistant's outputs, scores and feedback")
    new_instruction: str = dspy.OutputField(desc="the improved instruction, complete and self-contained")


def render_fields(request):
    lines = []
    for kind in ("inputs", "outputs"):
        for f in request.get(kind) or []:
            lines.append(f"- {kind[:-1]} `{f['name']}` ({f.get('type', '')}): {f.get('desc', '')}")
    return "\n".join(lines)


def render_examples(request):
    blocks = []
    for n, ex in enumerate(request.get("examples") or [], 1):
        parts = [f"# Example {n}", "## Inputs"]
        for k, v in (ex.get("inputs") or {}).items():
            parts.append(f"### {k}\n{v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}")
        parts.append("## Generated Outputs")
        outputs = ex.get("outputs")
        if isinstance(outputs, dict):
            for k, v in outputs.items():
                parts.append(f"### {k}\n{v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}")
        else:
            parts.append(json.dumps(outputs, ensure_ascii=False))
        parts.append(f"## Score\n{ex.get('score')}")
        parts.append(f"## Feedback\n{ex.get('feedback', '')}")
        blocks.append("\n\n".join(parts))
    return "\n\n".join(blocks)


def answer(config, buffer):
    """Answers the requests that follow the config line on fd 0 (`buffer` holds what was read already)."""
    while True:
        data = os.read(0, 1 << 16)
        if not data:
            break
        buffer += data
    requests = [json.loads(line) for line in buffer.decode("utf-8").splitlines() if line.strip()]
    lm = build_lm(dspy, config["lm"])
    propose = dspy.Predict(ProposeInstruction)

    def run(indexed):
        i, request = indexed
        problem = None
        # A failed proposal is asked again past DSPy's cache (a fresh rollout id, which needs a
        # temperature above 0), else the cached failure would answer every later step too.
        for attempt in range(RETRIES + 1):
            # The step's number keeps a later step's retries from meeting this step's cached ones.
            rollout = int(request.get("step") or 0) * (RETRIES + 1) + attempt
            retry = {} if attempt == 0 else {"rollout_id": rollout, "temperature": lm.kwargs.get("temperature") or 1.0}
            try:
                with dspy.context(lm=lm.copy(**retry) if retry else lm):
                    result = propose(task=request.get("task", ""), current_instruction=request.get("instruction", ""),
                                     field_descriptions=render_fields(request), examples_with_feedback=render_examples(request))
                text = (result.new_instruction or "").strip().strip("`").strip()
                if text and text != request.get("instruction", "").strip():
                    return {"index": i, "instruction": text, "attempts": attempt + 1}
                problem = "the reflection LM proposed no new instruction"
            except Exception as exc:  # one failed proposal does not stop the others
                problem = describe(exc)
        return {"index": i, "error": scrub(problem)[:500], "attempts": RETRIES + 1}

    with ThreadPoolExecutor(max_workers=max(1, int(config.get("jobs") or 4))) as pool:
        for reply in pool.map(run, enumerate(requests)):
            sys.stdout.write(scrub(json.dumps(reply, ensure_ascii=False, sort_keys=True)) + "\n")
            sys.stdout.flush()
