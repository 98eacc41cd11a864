"""Browser tests of the built HTML book: fixtures, and the hook that runs them last.

Every page of ``_build/html`` is opened in headless Chromium (Debian's ``/usr/bin/chromium``, driven by
the Python ``playwright`` package; no browser is ever downloaded) through a local HTTP server on
127.0.0.1. The book is built once per session (or taken as-is from ``$COMPANION_BOOK_HTML``).

The tests skip, with the reason shown by ``-ra``, where Chromium or playwright is missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).resolve().parent
REPO_ROOT = BROWSER_DIR.parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# Playwright already passes --headless, --no-sandbox (chromium_sandbox=False), --no-first-run,
# --disable-background-networking, --disable-component-update and --disable-sync; these are the rest.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic"]
BUILD_TIMEOUT_S = 60 * 60
LOG_TAIL_LINES = 60


def unavailable_reason() -> str | None:
    """Why the browser tests cannot run on this machine, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian: apt-get install --no-install-recommends chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[dev]')"
    return None


BROWSER_TEST_TIMEOUT_S = 240


def _is_browser_item(item: pytest.Item) -> bool:
    return Path(str(item.path)).resolve().is_relative_to(BROWSER_DIR)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]):
    """Move tests/browser to the end of the whole session (after nbval's notebook runs); skip them if unable.

    An outer wrapper (tryfirst) whose code runs after ``yield``, i.e. after every other implementation of
    the hook (conftest or plugin) has reordered or deselected items: the browser tests end up last.
    """
    result = yield
    browser = [item for item in items if _is_browser_item(item)]
    if browser:
        others = [item for item in items if not _is_browser_item(item)]
        reason = unavailable_reason()
        for item in browser:
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"browser tests: {reason}"))
            # A browser call that never returns must fail the run, not hang CI: pytest-timeout's thread
            # method dumps every thread's stack and ends the session. The book's build (a fixture) is not
            # counted; it has its own subprocess timeout.
            item.add_marker(pytest.mark.timeout(BROWSER_TEST_TIMEOUT_S, method="thread", func_only=True))
        items[:] = others + browser
    return result


def _log_tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # Sphinx's colours
    return "\n".join(text.rstrip().splitlines()[-lines:])


@pytest.fixture(scope="session")
def book_html() -> Path:
    """The built HTML book: ``$COMPANION_BOOK_HTML`` as-is, else ``jupyter-book build`` of the repo, once.

    A failed build fails every test that uses it (pytest keeps a session fixture's error), with the
    tail of the build's log.
    """
    given = os.environ.get("COMPANION_BOOK_HTML")
    if given:
        html = Path(given).resolve()
        if not (html / "index.html").is_file():
            pytest.fail(f"COMPANION_BOOK_HTML={given!r} is not a built HTML book (no index.html there)")
        return html
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    if not jupyter_book.exists():
        found = shutil.which("jupyter-book")
        if found is None:
            pytest.fail(f"cannot build the book: no {jupyter_book} and no jupyter-book on PATH")
        jupyter_book = Path(found)
    command = [str(jupyter_book), "build", str(REPO_ROOT), "-W", "-n", "--keep-going"]
    start = time.monotonic()
    try:
        done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        pytest.fail(f"`{' '.join(command)}` timed out after {BUILD_TIMEOUT_S} s; log tail:\n{_log_tail(out)}")
    log = done.stdout + done.stderr
    log_path = REPO_ROOT / "_build" / "browser-tests-build.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(log)
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` failed (exit {done.returncode}, {time.monotonic() - start:.0f} s; "
            f"full log in {log_path}); log tail:\n{_log_tail(log)}",
            pytrace=False,
        )
    html = REPO_ROOT / "_build" / "html"
    if not (html / "index.html").is_file():
        pytest.fail(f"the build succeeded but wrote no {html / 'index.html'}; log tail:\n{_log_tail(log)}")
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser left a page mid-download
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def book_server(book_html: Path) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT/``) of a local HTTP server of the built book, in a thread."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-http-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through playwright (never a downloaded browser)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"browser tests: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
