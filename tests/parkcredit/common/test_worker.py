"""The in-process task worker that `parkcredit serve` runs in a daemon thread."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.tasks import TaskResultStatus, task

from parkcredit.common import worker as worker_module
from parkcredit.common.worker import BackgroundWorker, database_worker_configured

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


DOUBLED = threading.Event()


@task
def double(n: int) -> int:
    DOUBLED.set()
    return 2 * n


def test_database_worker_configured_follows_the_task_backend(settings: Any) -> None:
    assert database_worker_configured() is False  # test settings run tasks immediately
    settings.TASKS = DATABASE_TASKS
    assert database_worker_configured() is True


def test_worker_runs_a_queued_task_and_stops_cleanly(transactional_db: None, settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    DOUBLED.clear()
    result = double.enqueue(21)
    assert result.status == TaskResultStatus.READY

    worker = BackgroundWorker(interval=0.05)
    worker.start()
    try:
        # Wait on the task itself, not by polling the table: the in-memory test database locks
        # whole tables across threads, so a poll could collide with the worker's write.
        assert DOUBLED.wait(30)
    finally:
        # stop() lets the worker record the task's outcome before its thread ends.
        stopped = worker.stop()

    assert stopped
    assert not worker.alive
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42
    assert worker.worker.running is False


def test_worker_survives_an_error_and_retries(monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    monkeypatch.setattr(worker_module, "RETRY_SECONDS", 0.01)
    worker = BackgroundWorker()
    calls: list[int] = []
    second_call = threading.Event()

    def flaky_run() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("数据库暂时不可用")
        second_call.set()
        while worker.worker.running:
            time.sleep(0.01)

    monkeypatch.setattr(worker.worker, "run", flaky_run)
    worker.start()
    assert second_call.wait(30)
    assert worker.stop()
    assert len(calls) == 2
    assert "后台任务处理线程出错" in caplog.text


def test_stop_before_start_is_harmless() -> None:
    worker = BackgroundWorker()
    assert worker.stop() is True
    assert worker.worker.running is False
