"""One way to run the app for a browser: ``streamlit run app.py`` on a free local port, in
its own process, for the browser tests and ``benchmarks/bench_journalist.py``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(port: int, env: Mapping[str, str] | None = None, *, host: str = "127.0.0.1",
              args: Sequence[str] = ()) -> subprocess.Popen:
    """``streamlit run app.py`` on ``host:port`` with ``env`` over this process's environment
    (a value of "" removes the variable); the caller stops it (:func:`stop_app`)."""
    full = dict(os.environ)
    for key, value in (env or {}).items():
        if value:
            full[key] = value
        else:
            full.pop(key, None)
    full.setdefault("STORYMAP_CACHE_DIR", str(Path(tempfile.gettempdir()) / "storymap-cache"))
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", host, "--browser.gatherUsageStats", "false", *args]
    return subprocess.Popen(cmd, cwd=ROOT, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not become healthy in {timeout} s")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def serving(env: Mapping[str, str] | None = None, *, host: str = "127.0.0.1",
            args: Sequence[str] = ()) -> Iterator[str]:
    """The app served until the block ends: its URL."""
    port = free_port()
    proc = start_app(port, env, host=host, args=args)
    url = f"http://{'localhost' if host == 'localhost' else host}:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        stop_app(proc)
