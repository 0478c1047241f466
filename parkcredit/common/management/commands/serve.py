"""`parkcredit serve`: the production web server plus the in-process task worker.

waitress is pure Python, so a park needs no nginx and no compiler; WhiteNoise serves the vendored
static files from the same process (with finders, so no collectstatic step either).
"""

from __future__ import annotations

import ipaddress
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _

from parkcredit.common.worker import BackgroundWorker, database_worker_configured

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 4


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(normalise_host(host)).is_loopback
    except ValueError:
        return False


def normalise_host(host: str) -> str:
    # "[::1]" is how a URL spells an IPv6 address; the socket layer wants it bare.
    return host.strip().strip("[]")


def bound_port(server: Any) -> int:
    # One socket has effective_port; "localhost" may resolve to two sockets (IPv4 and IPv6).
    port = getattr(server, "effective_port", None)
    return int(port if port is not None else server.effective_listen[0][1])


def server_url(host: str, port: int) -> str:
    shown = host
    if ":" in host and not host.startswith("["):
        shown = f"[{host}]"
    return f"http://{shown}:{port}/"


def validate_bind(*, host: str, port: int, threads: int, host_given: bool) -> None:
    """Reject options that would fail later or expose the platform by accident."""
    if not 0 <= port <= 65535:
        raise CommandError(
            _("--port 的值 %(port)s 无效,应为 0–65535 之间的整数(0 表示任选空闲端口)") % {"port": port}
        )
    if threads < 1:
        raise CommandError(_("--threads 的值 %(threads)s 无效,应为正整数") % {"threads": threads})
    if not host:
        raise CommandError(_("--host 的值为空,应为 IP 地址或主机名,如 127.0.0.1"))
    if not is_loopback(host) and not host_given:
        # Personal data and credit records must never become reachable from the network
        # because of a default; only an operator who typed the address may open it.
        raise CommandError(
            _("拒绝监听非本机地址 %(host)s:请用 --host 明确指定要对外提供服务的地址") % {"host": host}
        )


def ensure_data_dirs() -> None:
    """Create var/ (SQLite file, media) and the static root WhiteNoise expects to find."""
    for directory in (settings.DATA_DIR, settings.STATIC_ROOT):
        Path(directory).mkdir(parents=True, exist_ok=True)


class _Shutdown(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM; waitress stops its loop on KeyboardInterrupt."""


def _raise_shutdown(signum: int, frame: FrameType | None) -> None:
    raise _Shutdown


def proxy_options() -> dict[str, Any]:
    """waitress options that trust the configured reverse proxy's forwarding headers, if any."""
    if not settings.TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.TRUSTED_PROXY,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        # Headers a client sent past the proxy must not reach the application.
        "clear_untrusted_proxy_headers": True,
    }


def serve_app(
    *,
    stdout: OutputWrapper,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    threads: int = DEFAULT_THREADS,
    with_worker: bool = True,
    host_given: bool = False,
) -> None:
    """Serve config.wsgi with waitress until SIGINT or SIGTERM, then stop the worker cleanly.

    Shared by `serve` and `demo`, so the demo runs exactly what production runs.
    """
    import waitress

    host = normalise_host(host)
    validate_bind(host=host, port=port, threads=threads, host_given=host_given)
    # Before the WSGI app loads: WhiteNoise warns at start-up when its static root is missing.
    ensure_data_dirs()
    from config.wsgi import application

    try:
        server: Any = waitress.create_server(
            application, host=host, port=port, threads=threads, **proxy_options()
        )
    except OSError as exc:
        raise CommandError(
            _("无法监听 %(host)s:%(port)s:%(error)s(端口可能已被占用,可用 --port 换一个)")
            % {"host": host, "port": port, "error": exc.strerror or exc}
        ) from exc

    worker: BackgroundWorker | None = None
    if with_worker and database_worker_configured():
        worker = BackgroundWorker()
        worker.start()
        stdout.write(_("后台任务处理:已在本进程内启动"))
    elif with_worker:
        stdout.write(_("后台任务处理:当前任务后端不使用数据库队列,无需启动"))
    else:
        stdout.write(_("后台任务处理:未启动(--no-worker),请另行运行 parkcredit db_worker"))

    url = server_url(host, bound_port(server))
    if not is_loopback(host):
        stdout.write(
            _(
                "注意:已对外监听 %(host)s。请确认 ALLOWED_HOSTS 含访问所用的主机名,"
                "并在前面部署 HTTPS 反向代理。"
            )
            % {"host": host}
        )
    stdout.write(_("平台已启动:%(url)s  (按 Ctrl+C 停止)") % {"url": url})
    stdout.flush()

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_shutdown) if in_main_thread else None
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        # Restored first, so a second SIGTERM during the worker's wait ends the process at once.
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
        stdout.write(_("正在停止……"))
        if worker is not None and not worker.stop():
            stdout.write(_("后台任务仍在运行,未等其结束即退出;该任务将保持“运行中”状态"))
        server.close()
        stdout.write(_("已停止"))


class Command(BaseCommand):
    help = _("启动平台:waitress 提供网页与接口,并在同一进程内处理后台任务。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default=None,
            help=_("监听地址(默认 127.0.0.1,仅本机可访问)"),
        )
        parser.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=_("监听端口(默认 8000;0 表示任选空闲端口)"),
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help=_("处理请求的线程数(默认 4)"),
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=_("不在本进程内处理后台任务(另行运行 db_worker 时使用)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host_given = options["host"] is not None
        host = normalise_host(options["host"]) if host_given else DEFAULT_HOST
        validate_bind(host=host, port=options["port"], threads=options["threads"], host_given=host_given)
        self.check_migrations()
        serve_app(
            stdout=self.stdout,
            host=host,
            port=options["port"],
            threads=options["threads"],
            with_worker=not options["no_worker"],
            host_given=host_given,
        )
