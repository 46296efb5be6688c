#!/usr/bin/env python3
"""A deterministic, OpenAI-compatible stand-in for a language model, for tests and benchmarks.

It reads the prompt DSPy's ChatAdapter (or JSONAdapter) writes, finds the output fields the
signature asks for and their types, and answers in the same format with type-correct values:
the gold values from an answers file when an input matches ("oracle" mode), else plausible
defaults (a short string drawn from the inputs, 0, the first allowed literal, [], an object
filled from the JSON schema DSPy prints). Faults can be injected at a seeded rate. Standard
library only.

    standin_lm.py [--port 0] [--answers FILE.jsonl] [--latency-ms N] [--fail-rate R]
                  [--fail-mix 500,429,timeout,malformed,slow,html,cut,stall,empty] [--seed N] [--max-seconds N]

The first line on stdout is {"port": N}. Endpoints:
    POST /v1/chat/completions, /chat/completions   a completion
    GET  /v1/models, /models                        the one model, "standin"
    GET  /stats                                     {"calls", "by_status", "by_fault", "repeated_answers", "peak_in_flight", ...}
    POST /reset                                     zero the counters
    POST /control                                   change settings: {"fail_rate", "fail_mix", "latency_ms", ...}
A request may force a fault with the header `X-Standin-Fault: 500|429|timeout|malformed|slow|html|cut|stall|empty`.

The faults: 500 and 429 are those statuses; timeout holds the connection --hang-seconds and
closes it unanswered; stall answers well, but only after --hang-seconds; slow answers well after
--slow-ms; malformed is a well-formed completion whose text ignores the format asked for (the
model's failure, not the provider's); html is a 200 whose body is an HTML page (a proxy's error
page); cut is a 200 whose JSON body stops half-way (a connection cut mid-body); empty is a
200 completion with no choices.
"""

import argparse
import hashlib
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("500", "429", "timeout", "malformed", "slow", "html", "cut", "stall", "empty")


class State:
    """Settings and counters, shared by the request threads under one lock."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.seed = args.seed
        self.fail_rate = args.fail_rate
        self.fail_mix = parse_mix(args.fail_mix)
        self.latency_ms = args.latency_ms
        self.slow_ms = args.slow_ms
        self.hang_seconds = args.hang_seconds
        self.retry_after = args.retry_after
        self.answers = load_answers(args.answers) if args.answers else []
        self.in_flight = 0  # calls being answered now (a reset does not end them)
        self.reset()

    def reset(self):
        self.calls = 0
        self.by_status = {}
        self.by_fault = {}
        self.attempts = {}  # request hash -> attempts so far
        self.answered = set()  # request hashes answered with 200
        self.repeated_answers = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.peak_in_flight = 0  # the most calls answered at once: a client's real concurrency

    def stats(self):
        return {"calls": self.calls, "by_status": dict(self.by_status), "by_fault": dict(self.by_fault),
                "unique_requests": len(self.attempts), "answered": len(self.answered),
                "repeated_answers": self.repeated_answers, "tokens_in": self.tokens_in, "tokens_out": self.tokens_out,
                "peak_in_flight": self.peak_in_flight}


def parse_mix(text):
    mix = [f.strip() for f in str(text).split(",") if f.strip()]
    for f in mix:
        if f not in FAULTS:
            raise SystemExit(f"standin_lm: unknown fault '{f}'; use some of {','.join(FAULTS)}")
    return mix or ["500"]


def load_answers(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def unit_hash(*parts):
    """A number in [0, 1) that depends only on its arguments."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


# ---------------------------------------------------------------------------------------
# Reading DSPy's prompt

FIELD_LIST = re.compile(r"^\d+\. `(\w+)` \((.*?)\):", re.M)
HEADER = re.compile(r"\[\[ ## (\w+) ## \]\]")
NOTE = re.compile(r"^\{(\w+)\}\s+# note: the value you produce (.*)$", re.M)


def output_fields(system):
    """[(name, type text)] from "Your output fields are: 1. `x` (type): ..."."""
    start = system.find("Your output fields are:")
    if start < 0:
        return []
    end = system.find("All interactions will be structured", start)
    return FIELD_LIST.findall(system[start:end if end > 0 else len(system)])


def field_notes(system):
    """name -> the note DSPy prints after `{name}` (its JSON schema, literals, or scalar kind)."""
    notes = {m.group(1): m.group(2) for m in NOTE.finditer(system)}
    marker = "Outputs will be a JSON object with the following fields."
    if marker in system:  # JSONAdapter: the notes sit inside a JSON template
        block = system[system.find(marker) + len(marker):]
        block = block[:block.find("\nIn adhering to this structure")] if "\nIn adhering" in block else block
        try:
            for name, value in json.loads(block).items():
                m = re.match(r"^\{\w+\}\s+# note: the value you produce (.*)$", str(value), re.S)
                if m:
                    notes[name] = m.group(1)
        except ValueError:
            pass
    return notes


def input_values(messages):
    """Field -> text of the last user message's `[[ ## field ## ]]` sections."""
    user = next((m for m in reversed(messages) if m.get("role") == "user"), None)
    if user is None:
        return {}
    text = content_text(user.get("content"))
    values, current, lines = {}, None, []
    for line in text.splitlines():
        m = HEADER.match(line.strip())
        if m:
            if current:
                values[current] = "\n".join(lines).strip()
            current, lines = m.group(1), []
        elif current:
            lines.append(line)
    if current:
        values[current] = "\n".join(lines).strip()
    for k, v in values.items():  # drop the trailing "Respond with ..." request
        values[k] = re.split(r"\n\nRespond with ", v)[0].strip()
    return values


def content_text(content):
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


# ---------------------------------------------------------------------------------------
# Making answers

def default_value(name, type_text, note, inputs):
    """A type-correct value for an output field with no gold answer."""
    if note and "JSON schema:" in note:
        try:
            schema = json.loads(note.split("JSON schema:", 1)[1].strip())
            return from_schema(schema, schema.get("$defs", {}), name, inputs)
        except ValueError:
            pass
    if note and "one of:" in note:
        options = note.split("one of:", 1)[1].strip().split("; ")
        # ReAct asks which tool to call next: finishing keeps the loop to one step.
        return "finish" if name == "next_tool_name" and "finish" in options else options[0]
    if (note and "single int" in note) or type_text == "int":
        return 0
    if (note and "single float" in note) or type_text == "float":
        return 0.0
    if (note and "True or False" in note) or type_text == "bool":
        return False
    return short_text(name, inputs)


def short_text(name, inputs):
    words = " ".join(str(v) for v in inputs.values()).split()
    gist = " ".join(words[:8]) if words else "nothing"
    return f"Thinking about: {gist}" if name == "reasoning" else gist


def from_schema(schema, defs, name, inputs):
    if "$ref" in schema:
        return from_schema(defs.get(schema["$ref"].split("/")[-1], {}), defs, name, inputs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return from_schema(options[0], defs, name, inputs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {k: from_schema(v, defs, k, inputs) for k, v in schema.get("properties", {}).items()}
    return {"array": [], "integer": 0, "number": 0.0, "boolean": False, "null": None}.get(kind, short_text(name, inputs))


def gold_for(answers, inputs):
    """The first answer record one of whose string values equals one of the inputs."""
    values = {v.strip() for v in inputs.values()}
    for record in answers:
        if any(isinstance(v, str) and v.strip() in values for v in record.values()):
            return record
    return None


def judge_verdict(fields, inputs):
    """An LM judge's answer (outputs score and feedback; inputs expected and prediction):
    1.0 when the prediction holds the expected values, else 0.0, naming what differs."""
    if {name for name, _ in fields} != {"score", "feedback"} or not {"expected", "prediction"} <= inputs.keys():
        return None
    try:
        expected, predicted = json.loads(inputs["expected"]), json.loads(inputs["prediction"])
    except ValueError:
        return None
    wrong = [k for k, v in expected.items() if not isinstance(predicted, dict) or predicted.get(k) != v]
    if not wrong:
        return {"score": 1.0, "feedback": "The prediction matches the expected output."}
    return {"score": 0.0, "feedback": "The prediction differs from the expected output in: " + ", ".join(wrong) + "."}


def render_chat(fields, values):
    parts = []
    for name, _ in fields:
        value = values[name]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"[[ ## {name} ## ]]\n{text}")
    parts.append("[[ ## completed ## ]]")
    return "\n\n".join(parts)


def answer(body, answers):
    """The completion text for a chat request, and whether it was JSON."""
    messages = body.get("messages") or []
    system = "\n".join(content_text(m.get("content")) for m in messages if m.get("role") == "system")
    fields = output_fields(system)
    notes = field_notes(system)
    inputs = input_values(messages)
    gold = judge_verdict(fields, inputs) or gold_for(answers, inputs) or {}
    values = {name: gold[name] if name in gold else default_value(name, t, notes.get(name), inputs) for name, t in fields}
    if not fields:
        return "OK", False
    wants_json = bool(body.get("response_format")) or "Outputs will be a JSON object" in system
    if wants_json:
        return json.dumps(values, ensure_ascii=False), True
    return render_chat(fields, values), False


def count_tokens(text):
    return max(1, len(text.split()))


# ---------------------------------------------------------------------------------------
# HTTP

def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            # Headers and body go out in two writes: without this, Nagle's algorithm and the
            # client's delayed ACK add ~40 ms to every answer.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args):
            pass

        def send_json(self, status, obj, headers=(), content_type="application/json"):
            data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()  # bytes: a body sent as it is
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return raw, json.loads(raw or b"{}")
            except ValueError:
                return raw, None

        def do_GET(self):
            path = self.path.split("?")[0].rstrip("/")
            if path in ("/v1/models", "/models"):
                self.send_json(200, {"object": "list", "data": [{"id": "standin", "object": "model", "owned_by": "mkspy"}]})
            elif path == "/stats":
                with state.lock:
                    self.send_json(200, state.stats())
            else:
                self.send_json(404, {"error": {"message": f"no route {path}"}})

        def do_POST(self):
            path = self.path.split("?")[0].rstrip("/")
            raw, body = self.read_body()
            if path == "/reset":
                with state.lock:
                    state.reset()
                return self.send_json(200, {"ok": True})
            if path == "/control":
                return self.control(body or {})
            if path not in ("/v1/chat/completions", "/chat/completions"):
                return self.send_json(404, {"error": {"message": f"no route {path}"}})
            if body is None:
                return self.send_json(400, {"error": {"message": "request body is not JSON", "type": "invalid_request_error"}})
            self.complete(raw, body)

        def control(self, body):
            with state.lock:
                if "fail_rate" in body:
                    state.fail_rate = float(body["fail_rate"])
                if "fail_mix" in body:
                    state.fail_mix = parse_mix(body["fail_mix"])
                for key in ("latency_ms", "slow_ms", "hang_seconds", "seed"):
                    if key in body:
                        setattr(state, key, body[key])
            self.send_json(200, {"ok": True})

        def complete(self, raw, body):
            with state.lock:
                state.in_flight += 1
                state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
            try:
                self.answer_call(raw, body)
            finally:
                with state.lock:
                    state.in_flight -= 1

        def answer_call(self, raw, body):
            key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
            with state.lock:
                state.calls += 1
                attempt = state.attempts.get(key, 0)
                state.attempts[key] = attempt + 1
                fault = self.headers.get("X-Standin-Fault")
                if not fault and state.fail_rate > 0 and unit_hash(state.seed, key, attempt) < state.fail_rate:
                    mix = state.fail_mix
                    fault = mix[int(unit_hash(state.seed, key, attempt, "mix") * len(mix))]
                if fault:
                    state.by_fault[fault] = state.by_fault.get(fault, 0) + 1
                latency = state.latency_ms
                latency = float(self.headers.get("X-Standin-Latency-Ms") or latency)
                slow_ms, hang, retry_after = state.slow_ms, state.hang_seconds, state.retry_after
            if latency > 0:
                time.sleep(latency / 1000)
            if fault == "500":
                return self.finish_call(500, {"error": {"message": "stand-in: injected server error", "type": "server_error"}}, key)
            if fault == "429":
                return self.finish_call(429, {"error": {"message": "stand-in: injected rate limit", "type": "rate_limit_error"}},
                                        key, [("Retry-After", retry_after)])
            if fault == "timeout":
                time.sleep(hang)
                self.close_connection = True
                with state.lock:
                    state.by_status["timeout"] = state.by_status.get("timeout", 0) + 1
                return
            if fault == "slow":
                time.sleep(slow_ms / 1000)
            if fault == "stall":
                time.sleep(hang)
            if fault == "html":
                page = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
                return self.finish_call(200, page, None, content_type="text/html")
            text, _ = answer(body, state.answers)
            if fault == "malformed":
                text = "I am not sure what you mean. Could you rephrase the question?"
            prompt_text = " ".join(content_text(m.get("content")) for m in body.get("messages") or [])
            usage = {"prompt_tokens": count_tokens(prompt_text), "completion_tokens": count_tokens(text)}
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            with state.lock:
                state.tokens_in += usage["prompt_tokens"]
                state.tokens_out += usage["completion_tokens"]
                if key in state.answered:
                    state.repeated_answers += 1
                state.answered.add(key)
            response = {
                "id": "chatcmpl-" + key[:24], "object": "chat.completion", "created": 0,
                "model": body.get("model", "standin"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": usage,
            }
            if fault == "empty":
                response["choices"] = []
            if fault == "cut":
                data = json.dumps(response).encode()
                return self.finish_call(200, data[:len(data) // 2], None)
            self.finish_call(200, response, None)

        def finish_call(self, status, obj, key, headers=(), content_type="application/json"):
            with state.lock:
                state.by_status[str(status)] = state.by_status.get(str(status), 0) + 1
            try:
                self.send_json(status, obj, headers, content_type)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def main(argv=None):
    p = argparse.ArgumentParser(description="A deterministic OpenAI-compatible LM stand-in for DSPy programs.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--answers", help="JSON Lines of examples: an input value that matches selects the gold outputs")
    p.add_argument("--latency-ms", type=float, default=0)
    p.add_argument("--fail-rate", type=float, default=0.0)
    p.add_argument("--fail-mix", default="500,429,timeout,malformed,slow",
                   help="faults to draw from, among " + ",".join(FAULTS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--slow-ms", type=float, default=1500, help="extra delay of a 'slow' fault")
    p.add_argument("--hang-seconds", type=float, default=30, help="how long a 'timeout' or 'stall' fault holds the connection")
    p.add_argument("--retry-after", default="0", help="Retry-After header of a 429")
    p.add_argument("--max-seconds", type=float, default=600, help="stop by itself after this long")
    args = p.parse_args(argv)
    state = State(args)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(state))
    server.daemon_threads = True
    stops = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)  # even where the parent blocked or ignored them
    for sig in stops:
        signal.signal(sig, lambda *_: os._exit(0))
    timer = threading.Timer(args.max_seconds, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    sys.stdout.write(json.dumps({"port": server.server_address[1]}) + "\n")
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
