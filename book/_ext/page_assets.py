"""Sphinx extension: two fixes to the jupyter-book 1 toolchain's pages, found by tests/browser.

1. Sphinx 7.4 writes an inline ``<script>`` twice when an extension adds it after the builder starts
   (``app.add_js_file(None, body=...)``: the copy the builder got holds ``filename=None``, the copy it
   re-reads from the registry ``''``, and the two do not compare equal). sphinx-thebe's
   ``const THEBE_JS_URL = ...`` declared twice is a SyntaxError in the console of every page
   ("Identifier 'THEBE_JS_URL' has already been declared"). Each page keeps the first copy only.
2. pydata-sphinx-theme logs "Got invalid theme mode: . Resetting to auto." on a reader's first visit
   (empty localStorage) unless ``html_context`` has a ``default_mode``: each page gets ``auto``, the theme's
   own fallback, unless one is configured.
"""

from __future__ import annotations


def _key(script) -> tuple:
    return (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))


def fix_page(app, pagename, templatename, context, doctree) -> None:
    if not context.get("default_mode"):  # html_context's, read by the theme's layout.html
        context["default_mode"] = "auto"
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script) if hasattr(script, "attributes") else ("str", str(script))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    # Late (priority 900): after every other handler has added its page's scripts.
    app.connect("html-page-context", fix_page, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
