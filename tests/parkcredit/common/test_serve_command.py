"""`parkcredit serve`: argument checks, the shutdown path, and one real request through waitress."""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper

from parkcredit.common.management.commands import serve as serve_module
from parkcredit.common.management.commands.serve import (
    is_loopback,
    normalise_host,
    serve_app,
    server_url,
    validate_bind,
)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104
        ("192.168.1.20", False),
        ("credit.example.cn", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_server_url_brackets_ipv6() -> None:
    assert server_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert server_url("::1", 8001) == "http://[::1]:8001/"
    assert normalise_host(" [::1] ") == "::1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"port": 70000}, "--port 的值 70000 无效"),
        ({"port": -1}, "--port 的值 -1 无效"),
        ({"threads": 0}, "--threads 的值 0 无效"),
        ({"host": ""}, "--host 的值为空"),
        ({"host": "0.0.0.0", "host_given": False}, "拒绝监听非本机地址 0.0.0.0"),  # noqa: S104
    ],
)
def test_validate_bind_rejects_bad_options(kwargs: dict[str, Any], message: str) -> None:
    options: dict[str, Any] = {"host": "127.0.0.1", "port": 8000, "threads": 4, "host_given": False}
    options.update(kwargs)
    with pytest.raises(CommandError, match=message):
        validate_bind(**options)


def test_validate_bind_accepts_a_public_address_typed_by_the_operator() -> None:
    validate_bind(host="0.0.0.0", port=8000, threads=4, host_given=True)  # noqa: S104


class FakeServer:
    """Stands in for waitress: run() returns as if Ctrl+C was pressed."""

    effective_port = 8123

    def __init__(self) -> None:
        self.closed = False

    def run(self) -> None:
        raise KeyboardInterrupt

    def close(self) -> None:
        self.closed = True


class FakeWorker:
    instances: ClassVar[list[FakeWorker]] = []

    def __init__(self, stops_in_time: bool = True) -> None:
        self.started = self.stopped = False
        self.stops_in_time = stops_in_time
        FakeWorker.instances.append(self)

    def start(self) -> None:
        self.started = True

    def stop(self) -> bool:
        self.stopped = True
        return self.stops_in_time


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import waitress

    created: dict[str, Any] = {}

    def create_server(app: Any, **kwargs: Any) -> FakeServer:
        created["kwargs"] = kwargs
        created["server"] = FakeServer()
        return created["server"]

    FakeWorker.instances = []
    monkeypatch.setattr(waitress, "create_server", create_server)
    monkeypatch.setattr(serve_module, "BackgroundWorker", FakeWorker)
    return created


def run_serve(**options: Any) -> str:
    out = io.StringIO()
    call_command("serve", stdout=out, **options)
    return out.getvalue()


def test_serve_defaults_to_loopback_and_starts_the_worker(
    db: None, fakes: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = DATABASE_TASKS
    output = run_serve()
    assert fakes["kwargs"] == {"host": "127.0.0.1", "port": 8000, "threads": 4}
    assert "平台已启动:http://127.0.0.1:8123/" in output
    assert "已在本进程内启动" in output
    (worker,) = FakeWorker.instances
    assert worker.started and worker.stopped
    assert fakes["server"].closed
    assert output.rstrip().endswith("已停止")


def test_serve_without_worker(db: None, fakes: dict[str, Any], settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    output = run_serve(no_worker=True, port=9000, threads=2)
    assert fakes["kwargs"] == {"host": "127.0.0.1", "port": 9000, "threads": 2}
    assert FakeWorker.instances == []
    assert "--no-worker" in output


def test_serve_skips_the_worker_when_tasks_do_not_use_the_database(db: None, fakes: dict[str, Any]) -> None:
    output = run_serve()  # test settings: the immediate backend
    assert FakeWorker.instances == []
    assert "无需启动" in output


def test_serve_on_a_public_address_warns_about_allowed_hosts(
    db: None, fakes: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = DATABASE_TASKS
    output = run_serve(host="0.0.0.0")  # noqa: S104
    assert fakes["kwargs"]["host"] == "0.0.0.0"  # noqa: S104
    assert "ALLOWED_HOSTS" in output


def test_serve_reports_a_worker_that_outlives_the_shutdown(
    db: None, fakes: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASKS = DATABASE_TASKS
    monkeypatch.setattr(serve_module, "BackgroundWorker", lambda: FakeWorker(stops_in_time=False))
    output = run_serve()
    assert "后台任务仍在运行" in output


def test_serve_rejects_a_bad_port_before_binding(db: None, fakes: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="--port 的值 99999 无效"):
        run_serve(port=99999)
    assert "server" not in fakes


def test_serve_explains_a_port_in_use(db: None) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"无法监听 127.0.0.1:{port}"):
            run_serve(port=port, no_worker=True)


def test_serve_app_runs_waitress_and_stops_on_sigterm(transactional_db: None, settings: Any) -> None:
    """The real thing: waitress answers, the worker thread runs, SIGTERM stops both."""
    settings.TASKS = DATABASE_TASKS
    out = io.StringIO()
    seen: dict[str, Any] = {}

    def client() -> None:
        # Wait for the URL line, fetch a vendored static file, then ask the server to stop.
        deadline = time.monotonic() + 30
        while "平台已启动" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        url = out.getvalue().split("平台已启动:")[1].split()[0]
        seen["url"] = url
        try:
            with urllib.request.urlopen(url + "static/vendor/htmx.org-2.0.11/htmx.min.js", timeout=30) as r:  # noqa: S310
                seen["status"] = r.status
                seen["body"] = r.read(64)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    helper = threading.Thread(target=client)
    helper.start()
    previous = signal.getsignal(signal.SIGTERM)
    serve_app(stdout=OutputWrapper(out), port=0, threads=2)
    helper.join(30)

    assert seen["url"].startswith("http://127.0.0.1:")
    assert seen["status"] == 200
    vendored = Path(settings.BASE_DIR, "static/vendor/htmx.org-2.0.11/htmx.min.js").read_bytes()
    assert seen["body"] == vendored[:64]
    assert "已在本进程内启动" in out.getvalue()
    assert out.getvalue().rstrip().endswith("已停止")
    assert signal.getsignal(signal.SIGTERM) == previous
    assert not any(t.name == "parkcredit-task-worker" for t in threading.enumerate())


def test_no_forwarding_headers_are_trusted_without_a_configured_proxy(settings: Any) -> None:
    from parkcredit.common.management.commands.serve import proxy_options

    settings.TRUSTED_PROXY = ""
    assert proxy_options() == {}


def test_the_configured_proxy_is_trusted_for_the_visitor_address(settings: Any) -> None:
    import waitress

    from parkcredit.common.management.commands.serve import proxy_options

    settings.TRUSTED_PROXY = "127.0.0.1"
    options = proxy_options()
    assert options["trusted_proxy"] == "127.0.0.1"
    assert "x-forwarded-for" in options["trusted_proxy_headers"]
    # waitress accepts exactly these options (it raises on unknown ones).
    server = waitress.create_server(lambda environ, start: [], host="127.0.0.1", port=0, **options)
    server.close()
