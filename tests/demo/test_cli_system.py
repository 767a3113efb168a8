"""``lachan serve``/``demo``/``worker``/``beat``: refusals with clear messages, and real servers."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from lachan.cli import _load_commands, cli
from lachan.cli.system import is_loopback
from notifications.mailserver import free_port

LACHAN = Path(sys.executable).with_name("lachan")


@pytest.fixture
def runner():
    _load_commands()
    return CliRunner()


def test_loopback_detection():
    for host in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.edu.vn"):
        assert not is_loopback(host), host


def test_serve_refuses_a_public_address_without_public(runner):
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "--public" in result.output
    assert "0.0.0.0" in result.output


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_worker_and_beat_need_a_broker(runner, settings, command):
    settings.CELERY_BROKER_URL = ""
    result = runner.invoke(cli, [command])
    assert result.exit_code == 1
    assert "LACHAN_BROKER_URL" in result.output
    assert "chưa đặt" in result.output


def test_serve_refuses_a_port_in_use(runner):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cổng {port}" in result.output


# --- real server processes on the embedded default --------------------------------------------


def _embedded_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LACHAN_", "DATABASE_URL"))}
    env.update({"LACHAN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "lachan.web.settings"})
    return env


class Server:
    def __init__(self, args: list[str], home: Path) -> None:
        self.log_path = home / "server.log"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [str(LACHAN), *args],
            env=_embedded_env(home),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_http(self, url: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise AssertionError(f"no answer from {url} within {timeout}s:\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()


def test_serve_migrates_and_serves_pages_and_static_files(tmp_path):
    port = free_port()
    server = Server(["serve", "--port", str(port), "--workers", "1"], tmp_path)
    try:
        server.wait_http(f"http://127.0.0.1:{port}/login/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/") as response:
            assert response.status == 200
            assert "Đăng nhập" in response.read().decode("utf-8")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/lachan/app.css") as css:
            assert css.status == 200 and len(css.read()) > 100
    finally:
        server.stop()
    assert (tmp_path / "lachan.sqlite3").exists()
    assert "Việc nền chạy ngay trong tiến trình máy chủ" in server.output()


def test_demo_seeds_serves_and_lets_the_department_admin_in(tmp_path):
    port = free_port()
    server = Server(["demo", "--port", str(port)], tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_http(f"{base}/login/", timeout=180)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/login/").read().decode("utf-8")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "demo-so-admin", "password": "LaChan@2026"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}
        )
        with opener.open(request) as response:
            # Logged in and on the dashboard: no two-factor enrolment demanded in the demo.
            assert response.status == 200
            assert urllib.parse.urlparse(response.url).path == "/"
            assert "Lạc Hồng" in response.read().decode("utf-8")
    finally:
        server.stop()
    output = server.output()
    assert "demo-thpt-cntt" in output and "LaChan@2026" in output
