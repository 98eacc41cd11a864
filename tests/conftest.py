"""Shared fixtures: generated worlds, built once per test session, and a reader of users' memory in logs.

The worlds are treated as read-only by every test (tables and truth arrays are shared objects);
a test that needs to mutate something copies it first.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import nbformat
import numpy as np
import pandas as pd
import pytest

from companion.world import Truth, World, make_world
from companion.world.simulator import BOT_CLICK_PROBABILITY


@pytest.fixture(scope="session")
def tiny_world() -> World:
    """``make_world("tiny", seed=0)``: 300 users, 14 days, ~66k impressions (well under a second)."""
    return make_world("tiny", seed=0)


@pytest.fixture(scope="session")
def small_world() -> World:
    """``make_world("small", seed=0)``: 3,000 users, 28 days, ~1.15M impressions (~2 s)."""
    return make_world("small", seed=0)


def memory_at_impressions(truth: Truth, events: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """What each user remembered at each impression, read off the logs alone, and the true click probability.

    ``events`` are impressions with ``request_id, user_id, item_id, day, position, click``, one row per
    (request, position) (drop logged duplicates first), where ``request_id`` grows in serving order, as
    in the world's logs and in a simulator run. ``history`` holds the impressions before them (all earlier).
    Returns a frame aligned with ``events`` (same index): ``seen`` and ``clicked`` (the user saw / clicked
    the item in an earlier request), ``followed`` (the user clicked *another* item of its series in an
    earlier request), ``same_topic_above`` (items of the same true main topic higher in the slate), and
    ``p_click``: position bias x sigmoid(static logit + :meth:`Truth.dynamic_logit`), or the bots'
    constant click probability. No treatment effects: for runs of untreated policies only.
    """
    if events.duplicated(["request_id", "position"]).any():
        raise ValueError("`events` must hold one row per (request_id, position); drop duplicates first.")
    n_items = truth.quality.size
    n_series = int(truth.item_series.max()) + 1
    parts = [events[["request_id", "user_id", "item_id", "click"]].assign(_new=True)]
    if history is not None and len(history):
        parts.insert(0, history[["user_id", "item_id", "click"]].assign(request_id=-1, _new=False))
    both = pd.concat(parts, ignore_index=True)
    order = both["request_id"].to_numpy()
    user = both["user_id"].to_numpy().astype(np.int64)
    item = both["item_id"].to_numpy().astype(np.int64)
    click_order = np.where(both["click"].to_numpy().astype(bool), order, np.iinfo(np.int64).max)

    def earliest(key: np.ndarray, value: np.ndarray) -> np.ndarray:
        return pd.Series(value).groupby(key).transform("min").to_numpy()

    pair = user * n_items + item
    series = user * n_series + truth.item_series[item]
    # Following: another item of the series was clicked before. The first click on the series (on item
    # `first`) counts for every other item; for `first` itself, the first click on any other item counts.
    clicks = pd.DataFrame({"series": series, "item": item, "order": click_order})
    clicks = clicks[clicks["order"] < np.iinfo(np.int64).max].sort_values(["series", "order"], kind="stable")
    first = clicks.drop_duplicates("series").set_index("series")
    other = clicks[clicks["item"].to_numpy() != first["item"].reindex(clicks["series"]).to_numpy()]
    second = other.groupby("series")["order"].min()
    never = np.iinfo(np.int64).max
    first_item = first["item"].reindex(series, fill_value=-1).to_numpy()
    first_order = first["order"].reindex(series, fill_value=never).to_numpy()
    other_order = np.where(first_item == item, second.reindex(series, fill_value=never).to_numpy(), first_order)
    new = both["_new"].to_numpy()
    out = pd.DataFrame({
        "seen": earliest(pair, order)[new] < order[new],
        "clicked": earliest(pair, click_order)[new] < order[new],
        "followed": other_order[new] < order[new],
    }, index=events.index)
    slate = events.sort_values(["request_id", "position"], kind="stable")
    topic = truth.item_main_topic[slate["item_id"].to_numpy()]
    above = pd.DataFrame({"r": slate["request_id"].to_numpy(), "t": topic}).groupby(["r", "t"]).cumcount()
    out["same_topic_above"] = pd.Series(above.to_numpy(), index=slate.index).reindex(events.index).to_numpy()
    u, i, d, p = (events[c].to_numpy() for c in ("user_id", "item_id", "day", "position"))
    logit = truth.logit_components(u, i, d).to_numpy().sum(axis=1) + truth.dynamic_logit(
        out["seen"].to_numpy(), out["clicked"].to_numpy(), out["same_topic_above"].to_numpy(),
        out["followed"].to_numpy())
    p_click = truth.position_bias[p] / (1.0 + np.exp(-logit))
    out["p_click"] = np.where(truth.user_bot[u], BOT_CLICK_PROBABILITY, p_click)
    return out


@pytest.fixture(scope="session")
def impression_memory() -> Callable[..., pd.DataFrame]:
    """:func:`memory_at_impressions` (a fixture, so that every test module can use it without imports)."""
    return memory_at_impressions


# --------------------------------------------------------------------------------------------------
# nbval and the book share one jupyter cache, so that `make test` and `make book` (in either order, and
# the build inside the session that tests/browser makes) execute each chapter once.
# * When every code cell of a notebook under book/ passed, the notebook with nbval's outputs is stored in
#   the cache the book uses (`execute.cache` of _config.yml), after the same fingerprint check as the
#   book's Sphinx extension book/_ext/bookcache.py (companion/, pyproject.toml, installed packages). Not
#   stored: a notebook with a failed or skipped cell, one that ran only in part, or one during whose run
#   the fingerprint changed.
# * A chapter the cache holds under the current fingerprint (the same code cells executed without error,
#   by the book or by an earlier nbval run, with the same package and environment) is not executed again:
#   its cells are reported as skipped, with that reason. COMPANION_TEST_REUSE_BOOK=0 executes every chapter.
# The hooks live in a plugin registered globally: hooks of this conftest apply only to items under tests/.

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def load_bookcache() -> ModuleType:
    """book/_ext/bookcache.py as a module (it is not in a package and needs no Sphinx)."""
    name = "_companion_book_bookcache"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BOOK / "_ext" / "bookcache.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def executed_notebook(nb: nbformat.NotebookNode, outputs: dict[int, list], language_info: dict | None = None):
    """``nb`` (as read by nbformat) with the outputs nbval collected, as if nbclient had executed it.

    ``outputs`` maps the index of each code cell (nbval's ``cell_num``) to its outputs. nbval runs cells
    with ``store_history=False``, which changes two things this undoes: the kernel's execution counts are
    meaningless (here they run 1, 2, ... over the non-empty code cells, which nbclient alone executes,
    also on execute results), and IPython, which looks for a trailing ``;`` in the last cell of its
    history, shows the value of a cell ending in ``;`` (here dropped, by IPython's own rule).
    """
    from IPython.core.displayhook import DisplayHook
    from IPython.core.inputtransformer2 import TransformerManager

    def quiet(source: str) -> bool:
        try:
            return DisplayHook.semicolon_at_end_of_expression(TransformerManager().transform_cell(source))
        except Exception:  # a cell IPython cannot tokenize ran with an error anyway
            return False

    nb = copy.deepcopy(nb)
    count = 0
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code_cells):
        if not cell.source.strip():
            cell.execution_count, cell.outputs = None, []
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = [nbformat.from_dict(copy.deepcopy(dict(out))) for out in outputs[index]]
        if quiet(cell.source):
            cell.outputs = [out for out in cell.outputs if out.output_type != "execute_result"]
        for out in cell.outputs:
            if out.output_type == "execute_result":
                out.execution_count = count
    if language_info:
        nb.metadata["language_info"] = copy.deepcopy(language_info)
    nbformat.validate(nb)
    return nb


class _NotebookRun:
    def __init__(self, path: Path, nb: nbformat.NotebookNode, digest: str):
        self.path, self.nb, self.digest = path, nb, digest
        self.outputs: dict[int, list] = {}
        self.seconds = 0.0
        self.ok = True
        self.language_info: dict | None = None


class BookCachePlugin:
    """Collects nbval's outputs per notebook under book/ and stores complete, passing runs in the cache.

    Tests reach it as ``type(config.pluginmanager.get_plugin("companion-book-cache"))`` (``import conftest``
    may give another folder's conftest), hence the helpers as class attributes.
    """

    NotebookRun = _NotebookRun
    executed_notebook = staticmethod(executed_notebook)
    load_bookcache = staticmethod(load_bookcache)

    def __init__(self, config: pytest.Config):
        self.config = config
        self.runs: dict[Path, _NotebookRun] = {}
        self.reused: set[Path] = set()
        self.notes: list[str] = []

    def _enabled(self) -> bool:
        option = self.config.option
        return bool(getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)) and not (
            getattr(option, "nbval_current_env", False) or getattr(option, "nbval_kernel_name", None))

    def _run(self, item: pytest.Item) -> _NotebookRun | None:
        if not self._enabled() or type(item).__name__ != "IPyNbCell":
            return None
        path = Path(str(item.path)).resolve()
        if not path.is_relative_to(BOOK):
            return None
        if path not in self.runs:
            try:
                digest = load_bookcache().fingerprint(ROOT)
            except Exception as exc:  # never fail a test session over the cache
                self.notes.append(f"book cache: not used ({type(exc).__name__}: {exc})")
                digest = ""
            self.runs[path] = _NotebookRun(path, item.parent.nb, digest)
        return self.runs[path]

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Skip the cells of every chapter the cache holds, executed without error, under this fingerprint."""
        if not self._enabled() or os.environ.get("COMPANION_TEST_REUSE_BOOK", "1") == "0":
            return
        chapters: dict[Path, list[pytest.Item]] = {}
        for item in items:
            if type(item).__name__ == "IPyNbCell" and Path(str(item.path)).resolve().is_relative_to(BOOK):
                chapters.setdefault(Path(str(item.path)).resolve(), []).append(item)
        if not chapters:
            return
        try:
            bookcache = load_bookcache()
            if bookcache.configured_execution_mode(ROOT) != "cache":
                return
            cache = bookcache.configured_cache_path(ROOT)
            if bookcache.read_stamp(cache) != bookcache.fingerprint(ROOT):
                return
            from jupyter_cache import get_cache

            records = get_cache(str(cache))
            for path, cells in chapters.items():
                n_code = sum(cell.cell_type == "code" for cell in cells[0].parent.nb.cells)
                if len(cells) != n_code:
                    continue
                try:
                    record = records.match_cache_notebook(cells[0].parent.nb)
                except KeyError:
                    continue
                by = record.data.get("executed_by", "the book build")
                reason = (f"book cache: {path.name} executed without error by {by} on "
                          f"{record.created:%Y-%m-%d %H:%M}, same cells, companion/ and packages; "
                          f"COMPANION_TEST_REUSE_BOOK=0 executes it")
                for cell in cells:
                    cell.add_marker(pytest.mark.skip(reason=reason))
                self.reused.add(path)
        except Exception as exc:  # never fail a test session over the cache: execute instead
            self.notes.append(f"book cache: not reused ({type(exc).__name__}: {exc})")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self._run(item)  # the fingerprint is taken before the notebook's kernel starts

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        run = self._run(item)
        if run is not None and run.language_info is None:
            run.language_info = self._language_info(item)
        return (yield)

    @staticmethod
    def _language_info(item: pytest.Item) -> dict:
        """The kernel's language_info, as nbclient records it in an executed notebook ({} if unknown)."""
        kernel = getattr(item.parent, "kernel", None)
        try:
            msg_id = kernel.kc.kernel_info()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                msg = kernel.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
                if msg["parent_header"].get("msg_id") == msg_id:
                    return dict(msg["content"].get("language_info") or {})
        except Exception:
            pass
        return {}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        run = self._run(item)
        if run is not None:
            if report.failed or report.skipped:
                run.ok = False
            elif report.when == "call":
                run.outputs[item.cell_num] = list(item.test_outputs or [])
                run.seconds += report.duration
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        result = yield
        run = self._run(item)
        if run is not None and (nextitem is None or nextitem.parent is not item.parent):
            del self.runs[run.path]  # the notebook's last cell ran and its kernel is shut down
            try:
                self.notes.append(self._store(run))
            except Exception as exc:  # never fail a test session over the cache
                self.notes.append(f"book cache: {run.path.name} not stored ({type(exc).__name__}: {exc})")
        return result

    def _store(self, run: _NotebookRun) -> str:
        name = run.path.relative_to(ROOT)
        n_code = sum(cell.cell_type == "code" for cell in run.nb.cells)
        if run.path in self.reused:
            return f"book cache: {name} not executed (the cache holds it under the current fingerprint)"
        if not run.ok or sorted(run.outputs) != list(range(n_code)):
            return f"book cache: {name} not stored (a cell failed, was skipped or did not run)"
        bookcache = load_bookcache()
        if not run.digest or bookcache.fingerprint(ROOT) != run.digest:
            return f"book cache: {name} not stored (companion/, pyproject.toml or a package changed while it ran)"
        if bookcache.configured_execution_mode(ROOT) != "cache":
            return f"book cache: {name} not stored (_config.yml does not use execute_notebooks: cache)"
        from jupyter_cache import get_cache
        from jupyter_cache.base import CacheBundleIn

        nb = executed_notebook(run.nb, run.outputs, run.language_info)
        cache = bookcache.configured_cache_path(ROOT)
        bookcache.sync_cache(cache, run.digest)
        record = get_cache(str(cache)).cache_notebook_bundle(
            CacheBundleIn(nb, str(run.path), data={"execution_seconds": run.seconds, "executed_by": "nbval"}),
            check_validity=False, overwrite=True)
        where = cache.relative_to(ROOT) if cache.is_relative_to(ROOT) else cache
        return f"book cache: {name} stored in {where} (ID={record.pk}, {run.seconds:.0f} s of execution)"

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for note in self.notes:
            terminalreporter.write_line(note)


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("companion-book-cache"):
        config.pluginmanager.register(BookCachePlugin(config), "companion-book-cache")
