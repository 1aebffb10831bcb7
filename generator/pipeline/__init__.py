"""One build: the plan, the worker processes, the cache and what each document read."""
