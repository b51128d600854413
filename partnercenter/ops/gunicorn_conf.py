"""gunicorn's settings for metrics across workers: ``gunicorn -c
python:partnercenter.ops.gunicorn_conf partnercenter.wsgi``.

With ``PROMETHEUS_MULTIPROC_DIR`` set (a directory the workers may write), each worker
keeps its counts in a file there and ``/metrics`` adds them up; a worker that exits has
its live gauges dropped. The directory is emptied when gunicorn starts, so counts of an
earlier run never add to this one's. Other gunicorn settings come from the command line
or ``GUNICORN_CMD_ARGS`` as usual.
"""

import os
from pathlib import Path


def on_starting(server):
    """gunicorn's hook before the workers start: empty the metrics directory."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    """gunicorn's hook when a worker exits: mark its metrics files dead."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
