"""The book's execution cache: reused until a chapter or the package changes, and fed by nbval's runs.

Fast: nothing here executes a chapter. The fingerprint and the cache stamp (book/_ext/bookcache.py),
the Sphinx hooks called with stand-ins for the app, config and environment, and the conftest's
assembly of an executed notebook from nbval's outputs, matched by jupyter-cache against the source.
"""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

jupyter_cache = pytest.importorskip("jupyter_cache", reason="jupyter-cache comes with the book extra")

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "00_introduction.ipynb"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n not really an image").decode()


def load_bookcache():
    """book/_ext/bookcache.py, the same module object as tests/conftest.py loads (same name)."""
    name = "_companion_book_bookcache"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "book" / "_ext" / "bookcache.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


bookcache = load_bookcache()


@pytest.fixture(scope="module")
def plugin_class(pytestconfig):
    """The conftest's BookCachePlugin (``import conftest`` could give tests/browser/conftest.py)."""
    plugin = pytestconfig.pluginmanager.get_plugin("companion-book-cache")
    assert plugin is not None, "tests/conftest.py registers the plugin companion-book-cache"
    return type(plugin)


def make_tree(root: Path) -> Path:
    (root / "companion" / "world" / "__pycache__").mkdir(parents=True)
    (root / "companion" / "__init__.py").write_text("VERSION = 1\n")
    (root / "companion" / "py.typed").write_text("")
    (root / "companion" / "world" / "__init__.py").write_text("def make_world():\n    return 1\n")
    (root / "companion" / "world" / "vocabulary.json").write_text('{"a": 1}\n')
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    return root


def test_package_hash_changes_with_sources_data_and_pyproject_only(tmp_path):
    root = make_tree(tmp_path)
    before = bookcache.package_hash(root)
    assert bookcache.package_hash(root) == before
    # Byte code, hidden and editor files, and rewriting a file with the same content change nothing.
    (root / "companion" / "world" / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\0\1")
    (root / "companion" / ".DS_Store").write_bytes(b"x")
    (root / "companion" / "world" / "__init__.py~").write_text("old")
    (root / "companion" / "__init__.py").write_text("VERSION = 1\n")
    (root / "README.md").write_text("prose")
    assert bookcache.package_hash(root) == before
    names = [p.relative_to(root).as_posix() for p in bookcache.package_files(root)]
    assert names == ["companion/__init__.py", "companion/py.typed", "companion/world/__init__.py",
                     "companion/world/vocabulary.json", "pyproject.toml"]
    for path, text in [("companion/world/__init__.py", "def make_world():\n    return 2\n"),
                       ("companion/world/vocabulary.json", '{"a": 2}\n'),
                       ("pyproject.toml", '[project]\nname = "y"\n'),
                       ("companion/world/new_module.py", "")]:
        seen = bookcache.package_hash(root)
        (root / path).write_text(text)
        assert bookcache.package_hash(root) != seen, path
    # A rename with the same content is a change too (the path is hashed).
    seen = bookcache.package_hash(root)
    (root / "companion" / "world" / "new_module.py").rename(root / "companion" / "world" / "other.py")
    assert bookcache.package_hash(root) != seen


def test_environment_digest_changes_when_a_package_is_installed_or_upgraded(tmp_path):
    def install(name: str, version: str) -> None:
        info = tmp_path / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")

    install("alpha", "1.0")
    before = bookcache.environment_digest([str(tmp_path)])
    assert bookcache.environment_digest([str(tmp_path)]) == before
    install("beta", "2.0")
    after_install = bookcache.environment_digest([str(tmp_path)])
    assert after_install != before
    (tmp_path / "beta-2.0.dist-info").rename(tmp_path / "beta-2.1.dist-info")
    ((tmp_path / "beta-2.1.dist-info") / "METADATA").write_text("Metadata-Version: 2.1\nName: beta\nVersion: 2.1\n")
    assert bookcache.environment_digest([str(tmp_path)]) not in {before, after_install}
    assert len(bookcache.fingerprint(ROOT)) == 64


def test_real_package_files():
    names = {p.relative_to(ROOT).as_posix() for p in bookcache.package_files(ROOT)}
    assert {"companion/__init__.py", "companion/world/__init__.py", "pyproject.toml"} <= names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_sync_cache_empties_a_cache_stamped_with_another_fingerprint(tmp_path):
    cache = tmp_path / "cache"
    (cache / "executed").mkdir(parents=True)
    (cache / "executed" / "old.ipynb").write_text("{}")
    assert bookcache.read_stamp(cache) is None
    assert bookcache.sync_cache(cache, "a" * 64)  # no stamp: of unknown origin, emptied
    assert bookcache.read_stamp(cache) == "a" * 64 and not (cache / "executed").exists()
    (cache / "executed").mkdir()
    assert not bookcache.sync_cache(cache, "a" * 64)  # same fingerprint: kept
    assert (cache / "executed").exists()
    assert bookcache.sync_cache(cache, "b" * 64)
    assert bookcache.read_stamp(cache) == "b" * 64 and not (cache / "executed").exists()
    assert bookcache.sync_cache(tmp_path / "new" / "cache", "c" * 64)  # a missing cache is created


def test_config_inited_anchors_the_cache_at_the_book_and_clears_a_stale_one(tmp_path):
    app = SimpleNamespace(srcdir=str(tmp_path), outdir=str(tmp_path / "out" / "html"),
                          doctreedir=str(tmp_path / "out" / ".doctrees"))
    config = SimpleNamespace(nb_execution_mode="cache", nb_execution_cache_path="_build/.jupyter_cache")
    cache = tmp_path / "_build" / ".jupyter_cache"
    cache.mkdir(parents=True)
    (cache / bookcache.STAMP_NAME).write_text("stale\n")
    (cache / "global.db").write_text("")
    bookcache._config_inited(app, config)
    assert config.nb_execution_cache_path == str(cache.resolve())
    assert app.bookcache_fingerprint == bookcache.fingerprint(ROOT)
    assert bookcache.read_stamp(cache) == app.bookcache_fingerprint and not (cache / "global.db").exists()
    (cache / "global.db").write_text("")
    bookcache._config_inited(app, config)  # unchanged package: the cache is kept
    assert (cache / "global.db").exists()
    # No cache configured: myst-nb's default next to the output folder.
    config = SimpleNamespace(nb_execution_mode="cache", nb_execution_cache_path="")
    bookcache._config_inited(app, config)
    assert config.nb_execution_cache_path == str(tmp_path / "out" / ".jupyter_cache")


def test_env_get_outdated_rereads_every_notebook_when_the_package_changed():
    docs = {"book/00_introduction": ".ipynb", "book/01_requirements": ".ipynb", "book/api": ".md"}
    env = SimpleNamespace(found_docs=set(docs), doc2path=lambda d: f"/src/{d}{docs[d]}")
    app = SimpleNamespace(bookcache_fingerprint="h1", config=SimpleNamespace(nb_execution_mode="cache"))
    # An environment without a recorded fingerprint (older build): every notebook is re-read, except
    # those Sphinx reads anyway as new.
    assert bookcache._env_get_outdated(app, env, {"book/01_requirements"}, set(), set()) == ["book/00_introduction"]
    assert env.bookcache_fingerprint == "h1"
    assert bookcache._env_get_outdated(app, env, set(), set(), set()) == []
    app.bookcache_fingerprint = "h2"
    assert bookcache._env_get_outdated(app, env, set(), set(), set()) == ["book/00_introduction",
                                                                          "book/01_requirements"]
    assert bookcache._env_get_outdated(app, env, set(), set(), set()) == []


def test_a_build_with_warnings_makes_the_next_one_reread_every_page(tmp_path):
    docs = {"book/00_introduction": ".ipynb", "book/api": ".md", "book/index": ".md"}
    env = SimpleNamespace(found_docs=set(docs), doc2path=lambda d: f"/src/{d}{docs[d]}", bookcache_fingerprint="h1")
    config = SimpleNamespace(nb_execution_mode="off", nb_execution_cache_path="")

    def build(warnings: int, exception: Exception | None = None) -> list[str]:
        app = SimpleNamespace(srcdir=str(tmp_path), outdir=str(tmp_path / "html"), doctreedir=str(tmp_path),
                              config=config, _warncount=0)
        bookcache._config_inited(app, config)
        app.bookcache_fingerprint = "h1"
        outdated = bookcache._env_get_outdated(app, env, set(), set(), set())
        app._warncount = warnings
        bookcache._build_finished(app, exception)
        return outdated

    assert build(warnings=0) == sorted(docs)  # no marker yet: unknown, so everything is re-read
    assert build(warnings=2) == []            # the last build was clean: nothing to re-read
    assert build(warnings=0) == sorted(docs)  # the last one warned: its warnings must be seen again
    assert build(warnings=0, exception=RuntimeError("stop")) == []
    assert build(warnings=0) == sorted(docs)  # the last one failed
    assert build(warnings=0) == []


def fake_outputs(nb: nbformat.NotebookNode) -> dict[int, list]:
    """Outputs as nbval collects them (NotebookNodes from kernel messages), one set per code cell."""
    outputs = {}
    for index, _cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        outputs[index] = [
            nbformat.NotebookNode(output_type="stream", name="stdout", text=f"cell {index}\n"),
            nbformat.NotebookNode(output_type="display_data", metadata={},
                                  data={"image/png": PNG, "text/plain": "<Figure>"}),
            nbformat.NotebookNode(output_type="execute_result", execution_count=None, metadata={},
                                  data={"text/plain": str(index)}),
        ]
    return outputs


LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3", "file_extension": ".py"}


def test_executed_notebook_is_matched_by_jupyter_cache_for_the_source(tmp_path, plugin_class):
    source = nbformat.read(CHAPTER, as_version=4)
    executed = plugin_class.executed_notebook(source, fake_outputs(source), LANGUAGE_INFO)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert all(out.execution_count == cell.execution_count
               for cell in code for out in cell.outputs if out.output_type == "execute_result")
    assert not any(cell.get("outputs") for cell in source.cells)  # the source notebook is left untouched

    cache = jupyter_cache.get_cache(str(tmp_path / "cache"))
    from jupyter_cache.base import CacheBundleIn

    cache.cache_notebook_bundle(CacheBundleIn(executed, str(CHAPTER)), check_validity=True, overwrite=True)
    # What myst-nb does with the chapter on a build: match it, merge the cached outputs into it.
    fresh = nbformat.read(CHAPTER, as_version=4)
    assert cache.match_cache_notebook(fresh) is not None
    _, merged = cache.merge_match_into_notebook(fresh)
    merged_code = [cell for cell in merged.cells if cell.cell_type == "code"]
    assert merged_code[0].outputs[0].text == "cell 0\n"
    assert merged_code[-1].outputs[1].data["image/png"] == PNG
    assert merged.metadata["language_info"]["pygments_lexer"] == "ipython3"
    assert [c.metadata for c in merged_code] == [c.metadata for c in fresh.cells if c.cell_type == "code"]
    # A changed code cell is a different notebook for the cache.
    fresh.cells[[c.cell_type for c in fresh.cells].index("code")].source += "\n1"
    with pytest.raises(KeyError):
        cache.match_cache_notebook(fresh)


def test_empty_code_cells_are_not_counted_and_a_trailing_semicolon_hides_the_value(plugin_class):
    cells = [nbformat.v4.new_code_cell("1"), nbformat.v4.new_code_cell("  \n"), nbformat.v4.new_markdown_cell("x"),
             nbformat.v4.new_code_cell("x = 2\nax.legend();  # hidden"), nbformat.v4.new_code_cell("print(3); 3")]

    def value(text: str):
        return nbformat.NotebookNode(output_type="execute_result", execution_count=None, metadata={},
                                     data={"text/plain": text})

    figure = nbformat.NotebookNode(output_type="display_data", metadata={}, data={"image/png": PNG})
    executed = plugin_class.executed_notebook(nbformat.v4.new_notebook(cells=cells), {
        0: [value("1")], 1: [], 2: [value("<Legend>"), figure], 3: [value("3")]})
    assert [c.get("execution_count") for c in executed.cells] == [1, None, None, 2, 3]
    assert [[o.output_type for o in c.get("outputs", [])] for c in executed.cells] == [
        ["execute_result"], [], [], ["display_data"], ["execute_result"]]


class IPyNbCell:
    """Stand-in for nbval's cell item (the plugin recognises items by this class name)."""

    def __init__(self, path: Path, nb: nbformat.NotebookNode):
        self.path, self.parent, self.markers = path, SimpleNamespace(nb=nb), []

    def add_marker(self, marker) -> None:
        self.markers.append(marker)


def nbval_config(pytestconfig):
    return SimpleNamespace(option=SimpleNamespace(nbval=False, nbval_lax=True, nbval_current_env=False,
                                                  nbval_kernel_name=None))


def test_plugin_stores_complete_passing_runs_only(tmp_path, monkeypatch, pytestconfig, plugin_class):
    cache = tmp_path / "cache"
    monkeypatch.setattr(bookcache, "configured_cache_path", lambda root: cache)
    monkeypatch.setattr(bookcache, "configured_execution_mode", lambda root: "cache")
    plugin = plugin_class(pytestconfig)
    source = nbformat.read(CHAPTER, as_version=4)
    digest = bookcache.fingerprint(ROOT)

    def run(**changes):
        result = plugin_class.NotebookRun(CHAPTER, source, digest)
        result.outputs, result.language_info = fake_outputs(source), LANGUAGE_INFO
        for key, value in changes.items():
            setattr(result, key, value)
        return result

    assert "not stored" in plugin._store(run(ok=False))  # a cell failed or was skipped
    assert "not stored" in plugin._store(run(outputs={0: []}))  # only some cells ran
    assert "not stored" in plugin._store(run(digest="0" * 64))  # the package changed while it ran
    assert not cache.exists()
    assert "stored in" in plugin._store(run())
    assert bookcache.read_stamp(cache) == digest
    assert jupyter_cache.get_cache(str(cache)).match_cache_notebook(source) is not None


def test_plugin_skips_the_chapters_the_cache_holds_under_the_current_fingerprint(tmp_path, monkeypatch,
                                                                                  pytestconfig, plugin_class):
    cache = tmp_path / "cache"
    monkeypatch.setattr(bookcache, "configured_cache_path", lambda root: cache)
    monkeypatch.setattr(bookcache, "configured_execution_mode", lambda root: "cache")
    monkeypatch.delenv("COMPANION_TEST_REUSE_BOOK", raising=False)
    source = nbformat.read(CHAPTER, as_version=4)
    n_code = sum(cell.cell_type == "code" for cell in source.cells)

    def items(nb=source, n=n_code):
        return [IPyNbCell(CHAPTER, nb) for _ in range(n)]

    def skipped(cells) -> bool:
        plugin = plugin_class(nbval_config(pytestconfig))
        plugin.pytest_collection_modifyitems(cells)
        assert not plugin.notes, plugin.notes
        marked = {bool(cell.markers) for cell in cells}
        assert len(marked) == 1
        return marked.pop()

    assert not skipped(items())  # nothing cached yet
    run = plugin_class.NotebookRun(CHAPTER, source, bookcache.fingerprint(ROOT))
    run.outputs = fake_outputs(source)
    assert "stored in" in plugin_class(nbval_config(pytestconfig))._store(run)
    cells = items()
    assert skipped(cells)
    assert "executed without error by nbval" in cells[0].markers[0].kwargs["reason"]
    assert not skipped(items(n=n_code - 1))  # only some cells selected (-k, ::Cell 3): executed
    changed = nbformat.read(CHAPTER, as_version=4)
    next(cell for cell in changed.cells if cell.cell_type == "code").source += "\n1"
    assert not skipped(items(nb=changed))  # a changed code cell
    monkeypatch.setenv("COMPANION_TEST_REUSE_BOOK", "0")
    assert not skipped(items())  # asked to execute
    monkeypatch.delenv("COMPANION_TEST_REUSE_BOOK")
    bookcache.sync_cache(cache, "0" * 64)  # another fingerprint (companion/ changed): emptied
    assert not skipped(items())
