"""gunicorn's settings for metrics across workers: ``gunicorn -c
python:partnercenter.ops.gunicorn_conf partnercenter.wsgi``.

With ``PROMETHEUS_MULTIPROC_DIR`` set (an empty directory the workers may write), each
worker keeps its counts in a file there and ``/metrics`` adds them up; a worker that
exits has its live gauges dropped. Other gunicorn settings come from the command line
or ``GUNICORN_CMD_ARGS`` as usual.
"""

import os


def child_exit(server, worker):
    """gunicorn's hook when a worker exits: mark its metrics files dead."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
