"""The HTTP API of mkspy-serve (FastAPI): jobs submitted, listed, watched, fetched, cancelled."""

import asyncio
import hmac
import json
import os
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from typing import Literal

from . import jobs as jobs_module
from .payload import Invalid, JobRequest, field_path

MAX_BODY = 16 * 1024 * 1024  # bytes of one request body


class BodyLimit:
    """Refuses a body over the cap with 413, by its Content-Length or, when chunked, as it
    arrives: nothing over the cap is read into memory."""

    def __init__(self, app, limit):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                return await too_large(self.limit)(scope, receive, send)
            return await self.app(scope, receive, send)
        # Chunked: read here, up to the cap (the app's own body reading would turn an error
        # raised inside it into a 400), then handed on as it came.
        arrived, seen = [], 0
        while True:
            message = await receive()
            arrived.append(message)
            seen += len(message.get("body", b""))
            if seen > self.limit:
                return await too_large(self.limit)(scope, receive, send)
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay():
            return arrived.pop(0) if arrived else await receive()

        await self.app(scope, replay, send)


def too_large(limit):
    return JSONResponse({"detail": f"body: the payload is larger than {limit} bytes", "field": "body"}, status_code=413)


class BearerToken:
    """With MKSPY_SERVE_TOKEN set, every request carries `Authorization: Bearer TOKEN`."""

    def __init__(self, app, token):
        self.app, self.token = app, token.encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not (given.startswith(b"Bearer ") and hmac.compare_digest(given[7:], self.token)):
                response = JSONResponse({"detail": "a bearer token is required (Authorization: Bearer $MKSPY_SERVE_TOKEN)"},
                                        status_code=401, headers={"WWW-Authenticate": "Bearer"})
                return await response(scope, receive, send)
        await self.app(scope, receive, send)


def error(status, field, message):
    return JSONResponse({"detail": f"{field}: {message}", "field": field}, status_code=status)


def not_found(job_id):
    return error(404, "id", f"no job '{job_id}'")


def create_app(store: "jobs_module.Jobs", token=None, max_body=MAX_BODY):
    app = FastAPI(title="mkspy-serve", version="0.1.0",
                  description="Optimization jobs over HTTP: each job runs the mkspy loop in its own run directory.")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request, exc):
        """A bad payload is a 400 that names the field (FastAPI's default is 422)."""
        first = exc.errors()[0] if exc.errors() else {}
        kind, ctx = first.get("type", ""), first.get("ctx") or {}
        if kind == "key_field":
            return error(400, ctx.get("field", "body"), first.get("msg", "").split(": ", 1)[-1])
        if kind == "json_invalid":
            return error(400, "body", f"not JSON: {ctx.get('error', 'cannot be parsed')}")
        loc = first.get("loc", ("body",))
        field = field_path(loc)
        if loc and loc[0] == "path":  # /jobs/{id}/artifacts/{name} with a name not on the list
            return error(404, field, f"not found: {first.get('msg', '')}")
        if kind == "model_attributes_type" or (kind.endswith("_type") and field == "body"):
            return error(400, "body", "a JSON object is expected, sent with Content-Type: application/json")
        return error(400, field, first.get("msg", "invalid"))

    @app.post("/jobs", status_code=201, summary="Submit a job",
              responses={400: {"description": "a bad payload; detail and field name the field"}, 413: {"description": "payload too large"}})
    def submit(job: JobRequest):
        try:
            created = store.submit(job)
        except Invalid as e:
            return error(400, e.field, e.message)
        return JSONResponse({"id": created.id, "status": "queued"}, status_code=201, headers={"Location": f"/jobs/{created.id}"})

    @app.get("/jobs", summary="List jobs")
    async def list_jobs():  # no I/O: answered on the event loop, no thread hop
        return {"jobs": store.list()}

    @app.get("/jobs/{job_id}", summary="A job's status, metric calls of the budget, cost, best val, timestamps",
             responses={404: {"description": "no such job"}})
    async def get_job(job_id: str):
        job = store.get(job_id)
        return job.view() if job else not_found(job_id)

    @app.get("/jobs/{job_id}/events", summary="A job's progress events: JSON lines, or server-sent events",
             responses={404: {"description": "no such job"}})
    def events(job_id: str, request: Request, follow: bool = True):
        job = store.get(job_id)
        if not job:
            return not_found(job_id)
        sse = "text/event-stream" in request.headers.get("accept", "")
        start = request.headers.get("last-event-id", "")
        skip = int(start) if start.isdigit() else 0
        media = "text/event-stream" if sse else "application/x-ndjson"
        return StreamingResponse(stream(job, follow, sse, skip), media_type=media, headers={"Cache-Control": "no-cache"})

    @app.get("/jobs/{job_id}/artifacts/{name}", summary="A file of the job's run directory",
             responses={404: {"description": "no such job, or the file is not written yet"}})
    def artifact(job_id: str, name: Literal["best.py", "best.json", "report.html", "archive.jsonl", "log.jsonl"]):
        job = store.get(job_id)
        if not job:
            return not_found(job_id)
        file, media = jobs_module.ARTIFACTS[name]
        try:
            with open(os.path.join(job.dir, file), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return error(404, "name", f"{name} is not written yet (job {job.state['status']})")
        if name.endswith("jsonl"):  # a file still growing: whole lines only
            data = data[:data.rfind(b"\n") + 1]
        return Response(data, media_type=media)

    @app.delete("/jobs/{job_id}", summary="Cancel a job: its tools stop, its files stay",
                responses={404: {"description": "no such job"}, 409: {"description": "the job had ended"}})
    def cancel(job_id: str):
        job = store.get(job_id)
        if not job:
            return not_found(job_id)
        if not store.cancel(job):
            return error(409, "id", f"job {job_id} had ended ({job.state['status']})")
        return job.view()

    app.add_middleware(BodyLimit, limit=max_body)
    if token:
        app.add_middleware(BearerToken, token=token)
    return app


def stream(job, follow, sse, skip):
    """The job's events.jsonl from line `skip`, then as it grows while the job runs."""
    path = os.path.join(job.dir, "events.jsonl")
    number, buffer = 0, b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(65536)
            if chunk:
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    number += 1
                    if number <= skip:
                        continue
                    yield (f"id: {number}\ndata: ".encode() + line + b"\n\n") if sse else line + b"\n"
                continue
            if not follow:
                return
            if job.state["status"] in jobs_module.FINAL:
                # A job's last event is written before its status changes: read once more.
                rest = f.read()
                if not rest:
                    return
                buffer += rest
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    number += 1
                    if number > skip:
                        yield (f"id: {number}\ndata: ".encode() + line + b"\n\n") if sse else line + b"\n"
                return
            time.sleep(0.2)
