"""A session: a scoring or reflection conversation on fds 0 and 1, opened by its config line."""

import json
import os
import signal
import sys

from .cache import lm_cache_dir, remember_model_info, use_lm_cache, warm_up
from .common import encode, read_line, remember_secrets


def import_runtime():
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "true")  # no network fetch of model prices
    import logging
    logging.getLogger("dspy").setLevel(logging.ERROR)
    import dspy  # noqa: F401
    # Imported here, once, before sessions fork: a session or candidate process that imported
    # them itself would pay it every time.
    from concurrent.futures import ThreadPoolExecutor  # noqa: F401
    import resource  # noqa: F401
    from dspy.utils.callback import BaseCallback  # noqa: F401
    from . import reflect, scoring  # noqa: F401
    remember_model_info()
    warm_up(dspy)
    freeze()


def freeze():
    """Keeps what is imported out of the garbage collector's sight: a forked process whose
    collection walks it would copy every page of it (copy-on-write), tens of ms a process."""
    import gc
    gc.collect()
    gc.freeze()


def start_session(buffer):
    """Runs one session on fds 0 (requests) and 1 (responses): scoring, or reflection. Its first
    line is its config."""
    line, buffer = read_line(buffer, lambda: os.read(0, 1 << 16))  # fd 0 directly: select reads the rest
    if line is None:
        return
    config = json.loads(line)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])  # a parent may have left signals blocked
    remember_secrets(config)
    import dspy
    if config.get("cache_dir"):
        os.environ["DSPY_CACHEDIR"] = config["cache_dir"]
    use_lm_cache(dspy, lm_cache_dir(config))
    if config.get("op") == "reflect":
        from . import reflect
        return reflect.answer(config, buffer)
    from .scoring import Worker
    sys.stdout.write(encode({"op": "ready", "dspy": dspy.__version__}))
    sys.stdout.flush()
    Worker(config).run(buffer)
