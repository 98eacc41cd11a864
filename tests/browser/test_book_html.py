"""Every page of the built book, as a reader's browser shows it (headless Chromium at 1280x900).

Per page (parametrized, so a failure names the page): no console errors or uncaught page errors; no
failed request and no request to any host but the local server (MathJax is served offline); math typeset
by MathJax (no raw TeX delimiters left in the visible text, no MathJax error); every image loaded; no cell
output wider than its column. Per chapter: every solution toggle (``hide-input`` cells and ``:class:
dropdown`` admonitions) opens when clicked; the search page finds a word of the chapter.

The pages are known before the build, from ``_toc.yml`` plus Sphinx's own pages; one more test checks
that the build wrote no page outside that list (which would otherwise go untested).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

yaml = pytest.importorskip("yaml")
pytestmark = pytest.mark.browser  # `-m "not browser"` leaves them out

REPO_ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1280, "height": 900}  # a desktop: outputs must fit the content column here
# Sphinx's own pages, besides the table of contents'; py-modindex.html when the API reference
# documents modules.
SPHINX_PAGES = ["genindex.html", "search.html", "py-modindex.html"]
PAGE_TIMEOUT_MS = 60_000
# A distinctive search word: plain lower-case letters, long enough not to be a stop word.
WORD = re.compile(r"\b[a-z]{8,}\b")


def _toc_files() -> list[str]:
    """Source files of the table of contents, in order, without suffix (``book/index``, ...)."""
    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({key: value for key, value in toc.items() if key != "root"})
    return files


def _source(doc: str) -> Path:
    for suffix in (".ipynb", ".md"):
        if (path := REPO_ROOT / f"{doc}{suffix}").exists():
            return path
    raise FileNotFoundError(f"no source for {doc!r} in _toc.yml")


def _cells(doc: str) -> list[dict]:
    path = _source(doc)
    if path.suffix == ".ipynb":
        return json.loads(path.read_text())["cells"]
    return [{"cell_type": "markdown", "source": path.read_text(), "metadata": {}}]


def _text(cell: dict) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _expected_toggles(doc: str) -> int:
    """Solution toggles in the source: ``hide-input`` code cells and ``:class: dropdown`` admonitions."""
    count = 0
    for cell in _cells(doc):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "code" and "hide-input" in tags:
            count += 1
        elif cell["cell_type"] == "markdown":
            count += len(re.findall(r"^\s*:class:\s*dropdown\s*$", _text(cell), flags=re.M))
    return count


def _markdown_words(doc: str) -> Counter:
    return Counter(w for c in _cells(doc) if c["cell_type"] == "markdown" for w in WORD.findall(_text(c)))


def _search_word(doc: str, docs: list[str]) -> str:
    """The chapter's most frequent long prose word that no other page's source contains anywhere."""
    others = " ".join(_text(c) for d in docs if d != doc for c in _cells(d)).lower()
    words = [(-n, w) for w, n in _markdown_words(doc).items() if w not in others]
    if not words:
        raise AssertionError(f"{doc}: no word of its prose is absent from every other page")
    return min(words)[1]


TOC = _toc_files()
PAGES = [f"{doc}.html" for doc in TOC] + SPHINX_PAGES
REDIRECT = "index.html"  # jupyter-book's redirect to the root page: tested on its own
CHAPTERS = [doc for doc in TOC if _source(doc).suffix == ".ipynb"]
TOGGLE_PAGES = [doc for doc in TOC if _expected_toggles(doc)]


@dataclass
class PageReport:
    """What one page did while it loaded in the browser."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    images: list[dict] = field(default_factory=list)
    wide: list[dict] = field(default_factory=list)
    page_width: dict = field(default_factory=dict)


def _watch(page, base_url: str, report: PageReport) -> None:
    """Record console errors, page errors and every request; abort (and report) any request off the server."""
    local = urlsplit(base_url).netloc

    def is_local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in {"data", "blob", "about"} or parts.netloc == local

    def on_route(route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    page.route("**/*", on_route)
    page.on("console", lambda m: m.type == "error" and report.console_errors.append(f"{m.text} ({m.location})"))
    page.on("pageerror", lambda e: report.page_errors.append(str(e)))

    def on_request(request) -> None:
        report.requests.append(request.url)
        if not is_local(request.url):
            report.external.append(f"{request.method} {request.url} ({request.resource_type})")

    def on_response(response) -> None:
        if response.status >= 400:
            report.failed.append(f"{response.request.method} {response.url}: HTTP {response.status}")

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", lambda r: report.failed.append(f"{r.method} {r.url}: {r.failure}"))


WAIT_FOR_MATHJAX = """async () => {
    const hasMath = document.querySelector('.math') !== null;
    if (!hasMath) return {hasMath: false};
    const t0 = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
        if (Date.now() - t0 > 30000) return {hasMath: true, loaded: false};
        await new Promise(r => setTimeout(r, 50));
    }
    const late = new Promise(r => setTimeout(() => r('late'), 30000));
    const done = Promise.resolve(MathJax.startup.promise).then(
        () => MathJax.typesetPromise ? MathJax.typesetPromise() : null).then(() => 'done');
    const state = await Promise.race([done, late]);
    return {hasMath: true, loaded: true, finished: state === 'done'};
}"""

# Visible text outside code (pre/code) and outside MathJax's own output, checked for raw TeX: the
# delimiters \( \) \[ \] $$ and \begin{, left in the text only where MathJax did not typeset.
MATH_STATE = """() => {
    const raw = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const skip = 'pre, code, script, style, textarea, mjx-container, mjx-assistive-mml';
    const re = /\\$\\$|\\\\\\(|\\\\\\)|\\\\\\[|\\\\\\]|\\\\begin\\{/;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest(skip) || !re.test(n.textContent)) continue;
        if (!el.checkVisibility || el.checkVisibility()) raw.push(n.textContent.trim().slice(0, 160));
    }
    const maths = Array.from(document.querySelectorAll('.math'));
    return {
        raw: raw,
        math: maths.length,
        untypeset: maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 120)),
        errors: Array.from(document.querySelectorAll('mjx-merror')).map(
            e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 160)),
    };
}"""

IMAGES = """async () => {
    const imgs = Array.from(document.images);
    for (const img of imgs) if (img.loading === 'lazy') img.loading = 'eager';
    await Promise.all(imgs.map(img => img.complete ? null : new Promise(r => {
        img.addEventListener('load', r); img.addEventListener('error', r); setTimeout(r, 15000);
    })));
    return imgs.map(img => ({src: img.currentSrc || img.src, alt: img.alt, complete: img.complete,
                            naturalWidth: img.naturalWidth}));
}"""

# Cell outputs wider than their box, with the cell they belong to and the first line that overflows.
WIDE_OUTPUTS = """() => {
    const canvas = document.createElement('canvas').getContext('2d');
    const cells = Array.from(document.querySelectorAll('div.cell'));
    const out = [];
    document.querySelectorAll('.cell_output pre, div.output pre').forEach(pre => {
        if (pre.scrollWidth <= pre.clientWidth + 1) return;
        const style = getComputedStyle(pre);
        canvas.font = style.font;
        const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const lines = pre.innerText.split('\\n');
        let first = null, longest = 0;
        lines.forEach((line, i) => {
            const w = canvas.measureText(line).width;
            longest = Math.max(longest, line.length);
            if (first === null && w > room + 1) first = {number: i + 1, text: line};
        });
        const cell = pre.closest('div.cell');
        const input = cell ? cell.querySelector('.cell_input pre') : null;  // textContent: also when folded
        let heading = null;
        for (let el = cell || pre; el && !heading; el = el.parentElement) {
            const h = el.querySelector && el.matches('section') ? el.querySelector('h1, h2, h3') : null;
            if (h) heading = h.textContent.replace('#', '').trim();
        }
        out.push({
            cell: cell ? cells.indexOf(cell) + 1 : null,
            cells: cells.length,
            section: heading,
            source: input ? input.textContent.split('\\n').slice(0, 2).join(' | ').slice(0, 120) : null,
            scrollWidth: pre.scrollWidth, clientWidth: pre.clientWidth,
            longestLine: longest, firstWide: first,
        });
    });
    const doc = document.documentElement;
    return {wide: out, page: {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth}};
}"""


@pytest.fixture(scope="session")
def page_reports(browser, book_server):
    """Open each page once (lazily, on first use) and keep what every per-page test asserts on.

    Each page opens in a fresh browser context (empty cache and localStorage): a reader's first visit.
    """
    reports: dict[str, PageReport] = {}

    def report_for(page_path: str) -> PageReport:
        if page_path in reports:
            return reports[page_path]
        report = PageReport(url=book_server + page_path)
        context = browser.new_context(viewport=VIEWPORT, service_workers="block")
        page = context.new_page()
        try:
            _watch(page, book_server, report)
            response = page.goto(report.url, wait_until="load", timeout=PAGE_TIMEOUT_MS)
            if response is None or not response.ok:
                report.failed.append(f"GET {report.url}: {response.status if response else 'no response'}")
            report.math = page.evaluate(WAIT_FOR_MATHJAX)
            if report.math.get("hasMath"):
                report.math.update(page.evaluate(MATH_STATE))
            report.images = page.evaluate(IMAGES)
            wide = page.evaluate(WIDE_OUTPUTS)
            report.wide, report.page_width = wide["wide"], wide["page"]
            page.wait_for_load_state("networkidle", timeout=PAGE_TIMEOUT_MS)
        finally:
            context.close()
        reports[page_path] = report
        return report

    return report_for


def _built_page(book_html: Path, page_path: str) -> None:
    if not (book_html / page_path).is_file():
        if page_path == "py-modindex.html":
            pytest.skip("no py-modindex.html: the API reference documents no module")
        pytest.fail(f"{page_path} was not built")


def _listing(lines: list[str]) -> str:
    return "\n  ".join([""] + lines)


def test_every_built_page_is_tested(book_html: Path) -> None:
    """The build wrote no HTML page that the parametrized tests below do not open."""
    built = {
        str(p.relative_to(book_html))
        for p in book_html.rglob("*.html")
        if not any(part.startswith("_") for part in p.relative_to(book_html).parts)
    }
    untested = sorted(built - set(PAGES) - {REDIRECT})
    assert not untested, f"pages built but not opened by the browser tests (add them to PAGES):{_listing(untested)}"


def test_root_redirects_to_book(browser, book_server, book_html: Path) -> None:
    """The site's index.html (jupyter-book's redirect) lands on the book's root page."""
    root = f"{TOC[0]}.html"
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    try:
        page = context.new_page()
        page.goto(book_server + REDIRECT, wait_until="load", timeout=PAGE_TIMEOUT_MS)
        page.wait_for_url(book_server + root, wait_until="load", timeout=PAGE_TIMEOUT_MS)
    finally:
        context.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_no_console_errors(book_html, page_reports, page_path: str) -> None:
    _built_page(book_html, page_path)
    report = page_reports(page_path)
    errors = [f"console: {e}" for e in report.console_errors] + [f"uncaught: {e}" for e in report.page_errors]
    assert not errors, f"{page_path}: errors in the browser console:{_listing(errors)}"


@pytest.mark.parametrize("page_path", PAGES)
def test_no_failed_or_external_requests(book_html, page_reports, page_path: str) -> None:
    _built_page(book_html, page_path)
    report = page_reports(page_path)
    assert report.requests, f"{page_path}: no request recorded at all"
    external = _listing(report.external)
    assert not report.external, f"{page_path}: requests to hosts other than the local server:{external}"
    assert not report.failed, f"{page_path}: failed requests:{_listing(report.failed)}"


@pytest.mark.parametrize("page_path", PAGES)
def test_math_is_typeset(book_html, page_reports, page_path: str) -> None:
    _built_page(book_html, page_path)
    math = page_reports(page_path).math
    if not math.get("hasMath"):
        return  # nothing to typeset on this page
    assert math["loaded"], f"{page_path}: the page has math but MathJax never started (not loaded?)"
    assert math["finished"], f"{page_path}: MathJax did not finish typesetting within 30 s"
    assert not math["untypeset"], f"{page_path}: math left untypeset by MathJax:{_listing(math['untypeset'])}"
    assert not math["errors"], f"{page_path}: MathJax errors:{_listing(math['errors'])}"
    assert not math["raw"], f"{page_path}: raw TeX delimiters in the visible text:{_listing(math['raw'])}"


@pytest.mark.parametrize("page_path", PAGES)
def test_images_load(book_html, page_reports, page_path: str) -> None:
    _built_page(book_html, page_path)
    broken = [
        f"{img['src']} (alt {img['alt']!r}): complete={img['complete']}, naturalWidth={img['naturalWidth']}"
        for img in page_reports(page_path).images
        if not (img["complete"] and img["naturalWidth"] > 0)
    ]
    assert not broken, f"{page_path}: images that did not load:{_listing(broken)}"


@pytest.mark.parametrize("page_path", PAGES)
def test_no_output_wider_than_page(book_html, page_reports, page_path: str) -> None:
    _built_page(book_html, page_path)
    report = page_reports(page_path)
    problems = []
    for w in report.wide:
        line = w["firstWide"]
        problems.append(
            f"cell {w['cell']} of {w['cells']} on the page (section {w['section']!r}; source: {w['source']!r}): "
            f"output {w['scrollWidth']} px wide in a {w['clientWidth']} px box, longest line {w['longestLine']} "
            f"chars; first wide line"
            + (f" (output line {line['number']}): {line['text']!r}" if line else ": (none measured)")
        )
    assert not problems, (
        f"{page_path}: cell outputs wider than the page at {VIEWPORT['width']}x{VIEWPORT['height']}:"
        f"{_listing(problems)}"
    )
    width = report.page_width
    assert width["scrollWidth"] <= width["clientWidth"] + 1, (
        f"{page_path}: the page scrolls sideways ({width['scrollWidth']} px of content in {width['clientWidth']} px)"
    )


# myst-nb renders a hide-input cell as a closed <details class="hide above-input"> around its source;
# sphinx-togglebutton hides the body of a `.admonition.dropdown` behind a button in its title.
@pytest.mark.parametrize("doc", TOGGLE_PAGES)
def test_solution_toggles_open(browser, book_server, book_html, doc: str) -> None:
    """Every hide-input cell and dropdown admonition of the page is hidden, and shows its content on a click."""
    page_path = f"{doc}.html"
    _built_page(book_html, page_path)
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    page = context.new_page()
    errors: list[str] = []  # thrown by the clicks (errors of the page's loading: test_no_console_errors)
    try:
        page.goto(book_server + page_path, wait_until="load", timeout=PAGE_TIMEOUT_MS)
        page.on("pageerror", lambda e: errors.append(str(e)))
        hidden_cells = page.locator("details.hide")
        dropdowns = page.locator(".admonition.dropdown")
        found = hidden_cells.count() + dropdowns.count()
        expected = _expected_toggles(doc)
        assert found == expected, (
            f"{page_path}: {found} toggles in the HTML ({hidden_cells.count()} hidden cells, "
            f"{dropdowns.count()} dropdowns), {expected} in the source (hide-input cells, :class: dropdown)"
        )
        problems = []
        for i in range(hidden_cells.count()):
            details = hidden_cells.nth(i)
            content = details.locator(".cell_input")
            details.scroll_into_view_if_needed()
            if content.is_visible():
                problems.append(f"hidden cell {i + 1}: its source is visible before the click")
            details.locator("summary").click()
            try:
                content.wait_for(state="visible", timeout=5000)
            except Exception:
                problems.append(f"hidden cell {i + 1}: its source did not become visible on a click")
        for i in range(dropdowns.count()):
            box = dropdowns.nth(i)
            title = box.locator(".admonition-title").inner_text().strip()
            body = box.locator(":scope > :not(.admonition-title):not(button)").first
            box.scroll_into_view_if_needed()
            if body.is_visible():
                problems.append(f"dropdown {title!r}: its content is visible before the click")
            box.locator(".toggle-button, .admonition-title").first.click()
            try:
                body.wait_for(state="visible", timeout=5000)
            except Exception:
                problems.append(f"dropdown {title!r}: its content did not become visible on a click")
        assert not problems, f"{page_path}: solution toggles:{_listing(problems)}"
        assert not errors, f"{page_path}: uncaught errors while toggling:{_listing(errors)}"
    finally:
        context.close()


@pytest.mark.parametrize("doc", CHAPTERS)
def test_search_finds_chapter(browser, book_server, book_html, doc: str) -> None:
    """search.html?q=<a word only this chapter's source has> lists the chapter among its results."""
    word = _search_word(doc, TOC)
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    page = context.new_page()
    try:
        page.goto(f"{book_server}search.html?q={quote(word)}", wait_until="load", timeout=PAGE_TIMEOUT_MS)
        # Sphinx's searchtools.js writes a summary when it is done ("Search finished, found N pages ...").
        page.wait_for_function(
            "() => { const s = document.querySelector('#search-results .search-summary, #search-results p');"
            " return s && !/Preparing|Searching/i.test(document.querySelector('#search-results h2')?.textContent"
            " || '') && document.querySelector('#search-results').textContent.includes('found'); }",
            timeout=PAGE_TIMEOUT_MS,
        )
        links = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
        paths = sorted({urlsplit(href).path.lstrip("/") for href in links})
        summary = page.inner_text("#search-results")
        assert f"{doc}.html" in paths, (
            f"searching {word!r} (a word of {doc}) did not list {doc}.html; results: {paths or 'none'}; "
            f"page says: {summary[:300]!r}"
        )
    finally:
        context.close()
