"""mkspy-serve: optimization jobs over HTTP, on top of the mkspy loop (share/mkspy/mkspy.mk).

payload.py reads and checks a job's request, jobs.py keeps the jobs (one run directory each,
one make process group each), app.py is the FastAPI app, __main__.py starts uvicorn.
"""
