"""DSPy's LM cache and model lookups, set up once per runtime process and inherited by every
process forked from it."""

import os

LM_CACHES = {}  # DSPy LM caches set up in this process, by directory and its inode (None: memory only)


def lm_cache_dir(config):
    """A session's LM cache directory: none (memory only) when its LM does not cache (cache=false)."""
    kwargs = (config.get("lm") or {}).get("kwargs") or {}
    return None if kwargs.get("cache") is False else config.get("cache_dir")


LM_CACHE_SHARDS = 2  # for a new directory; DSPy's own has 16 (see use_lm_cache)


def use_lm_cache(dspy, directory):
    """Makes DSPy's LM cache (its Cache: memory, then a diskcache FanoutCache) the one in
    `directory`. Setting a database shard up takes 5 to 10 ms, so it is done once per process and
    directory, and closed at once: every process forked from this one reconnects, in
    milliseconds, to the shards it uses. A new directory gets LM_CACHE_SHARDS shards rather than
    DSPy's 16 (~150 ms, paid by each run in a fresh directory; mkspy's writers are few); one that
    has shards keeps their number, so DSPy's own cache directories read as DSPy wrote them. A
    directory removed or replaced since is set up again (the shards' files would be gone)."""
    def identity():
        try:
            info = os.stat(directory)
            return directory, info.st_dev, info.st_ino
        except (OSError, TypeError):
            return directory
    cache = LM_CACHES.get(identity())
    if cache is None:
        from dspy.clients import DISK_CACHE_LIMIT, Cache
        cache = Cache(enable_disk_cache=False, enable_memory_cache=True, disk_cache_dir=directory)
        if directory:
            from diskcache import FanoutCache
            try:
                shards = sum(1 for name in os.listdir(directory) if name.isdigit() and len(name) == 3)
            except OSError:
                shards = 0
            cache.disk_cache = FanoutCache(directory=directory, shards=shards or LM_CACHE_SHARDS, timeout=10,
                                           size_limit=DISK_CACHE_LIMIT)
            cache.enable_disk_cache = True
            cache.disk_cache.close()
        if len(LM_CACHES) >= 16:
            LM_CACHES.pop(next(iter(LM_CACHES)))
        LM_CACHES[identity()] = cache
    dspy.cache = cache


def look_model_up(dspy, lm_config):
    """Looks a session's model up in the price map here, before the fork (see remember_model_info):
    else every process forked for it pays the first lookup (5 to 10 ms for a model the map does
    not know)."""
    try:
        from dspy.clients import capabilities, model_metadata
        route = capabilities.resolve(dspy.LM(lm_config["model"], api_base=lm_config.get("api_base"), cache=False))
        model_metadata.model_info(route.provider, route.model)
    except Exception:
        pass  # advisory, as DSPy's pricing is: the session reports what is wrong with the model


def remember_model_info():
    """DSPy looks the model up in its price map twice per LM call, and for a model the map does
    not know (a local or self-hosted model) each lookup scans the whole map: 2 to 3 ms of CPU a
    call. The map is loaded once per process and never changes, so each answer is kept."""
    import copy

    from dspy.clients import capabilities, costs, model_metadata
    lookup, known = model_metadata.model_info, {}

    def model_info(provider, model, *, namespaces=None):
        key = (provider, model, None if namespaces is None else tuple(namespaces))
        if key not in known:
            known[key] = lookup(provider, model, namespaces=namespaces)
        return copy.deepcopy(known[key])

    for module in (model_metadata, costs, capabilities):
        module.model_info = model_info


def warm_up(dspy):
    """Loads here, once, what DSPy loads on a process's first LM call (model prices, the call
    path's modules: 50 ms), so that no program's process pays for it: the price map, then one
    call that fails at once, to a loopback port that does not listen."""
    import socket
    try:
        from dspy.clients import model_metadata
        model_metadata.source_info()
    except Exception:
        pass
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))

    class WarmUp(dspy.Signature):
        question: str = dspy.InputField()
        answer: str = dspy.OutputField()

    lm = dspy.LM("openai/mkspy-warm-up", api_base=f"http://127.0.0.1:{closed.getsockname()[1]}/v1", api_key="-",
                 cache=False, num_retries=0)
    try:
        with dspy.context(lm=lm):
            dspy.Predict(WarmUp)(question="")
    except Exception:
        pass
    finally:
        closed.close()


# ---------------------------------------------------------------------------------------
# The runtime server: DSPy imported once per user and Python, a session forked per connection.
