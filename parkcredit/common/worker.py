"""The in-process task worker that `parkcredit serve` runs beside the web server.

A park runs one process on one machine, so the django-tasks-db worker lives in a daemon thread
of the web process instead of a second service to install and supervise. Larger sites run
`parkcredit db_worker` as separate processes and start the web server with `--no-worker`.
"""

from __future__ import annotations

import logging
import threading

from django.db import connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task_backends
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger(__name__)

# After an unexpected error (the database restarting, say) the thread waits this long before it
# polls again, so a persistent fault logs a line every few seconds instead of spinning a core.
RETRY_SECONDS = 5.0


def database_worker_configured(backend_name: str = DEFAULT_TASK_BACKEND_ALIAS) -> bool:
    """True when the task backend keeps its queue in the database, i.e. someone must poll it."""
    return isinstance(task_backends[backend_name], DatabaseBackend)


class BackgroundWorker:
    """A django-tasks-db `Worker` in a daemon thread, with a clean stop.

    The library's signal handling is deliberately not used: signals can only be installed from
    the main thread, and there the web server owns them and calls `stop()` on shutdown.
    """

    def __init__(self, *, interval: float = 1.0, backend_name: str = DEFAULT_TASK_BACKEND_ALIAS) -> None:
        self.worker_id = f"serve-{get_random_string(16)}"
        self.worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=False,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="parkcredit-task-worker", daemon=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask the worker to finish its current task and return; True if it stopped in time."""
        self._stopping.set()
        self.worker.running = False
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self.worker.run()
                except Exception:
                    logger.exception("后台任务处理线程出错,%s 秒后重试", RETRY_SECONDS)
                    self._stopping.wait(RETRY_SECONDS)
                else:
                    # run() only returns once `running` was cleared, i.e. stop() was called.
                    break
        finally:
            # Connections are per thread; close ours so the database sees a clean disconnect.
            connections.close_all()
