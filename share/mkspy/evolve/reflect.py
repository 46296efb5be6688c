#!/usr/bin/env python3
"""mkspy-evolve's reflection step: proposes a better instruction for one module of a program.

Reads JSON Lines on stdin: first {"lm": {"model", "api_base", "api_key"}, "jobs": N}, then one
request per line: {"task", "module", "instruction", "inputs", "outputs",
"examples": [{"inputs", "outputs", "score", "feedback"}]}. Writes one line per request, in any
order: {"index": i, "instruction": "..."} or {"index": i, "error": "..."}. The proposal is a DSPy
signature run by dspy.Predict, as GEPA's own instruction proposer is; the key never appears in
any output.
"""

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "true")

import dspy  # noqa: E402


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


def main():
    lines = [line for line in sys.stdin.read().splitlines() if line.strip()]
    if not lines:
        return
    config = json.loads(lines[0])
    requests = [json.loads(line) for line in lines[1:]]
    lm_config = config.get("lm") or {}
    kwargs = {k: lm_config[k] for k in ("api_base", "api_key") if lm_config.get(k)}
    lm = dspy.LM(lm_config["model"], num_retries=3, **kwargs)
    dspy.configure(lm=lm)
    propose = dspy.Predict(ProposeInstruction)
    secret = lm_config.get("api_key") or ""

    def run(indexed):
        i, request = indexed
        try:
            with dspy.context(lm=lm):
                result = propose(task=request.get("task", ""), current_instruction=request.get("instruction", ""),
                                 field_descriptions=render_fields(request), examples_with_feedback=render_examples(request))
            text = (result.new_instruction or "").strip().strip("`").strip()
            return {"index": i, "instruction": text}
        except Exception as exc:  # one failed proposal does not stop the others
            message = f"{type(exc).__name__}: {exc}"
            if secret:
                message = message.replace(secret, "[key]")
            return {"index": i, "error": message[:500]}

    with ThreadPoolExecutor(max_workers=max(1, int(config.get("jobs") or 4))) as pool:
        for answer in pool.map(run, enumerate(requests)):
            sys.stdout.write(json.dumps(answer, ensure_ascii=False, sort_keys=True) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
