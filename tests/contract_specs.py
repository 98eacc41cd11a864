"""Signature specs of every public callable of :mod:`companion`, and the battery of bad values they generate.

Used by ``tests/test_contract.py`` (a contract test in the spirit of scikit-learn's common estimator
checks). Each public callable gets a :class:`Spec`: how to call it, and for each parameter a
:class:`Param` that says what the parameter accepts and gives a valid example. From the declaration a
standard battery of bad values is generated (wrong type, None, empty, NaN, +-inf, negative, zero where
positive is required, huge, bool where a number is required, wrong shape, unknown option, a DataFrame
missing a required column ...). Every bad call is made with all other parameters valid, in a forked
child process under a time and memory limit, and must raise ``ValueError`` or ``TypeError`` whose
message names the parameter.

Project policy (``companion/_validation.py``): ``bool`` is never accepted where a number is expected
(``True`` is an ``int`` to Python, not to us), a float is never accepted where an int is expected, and
``None`` is accepted only where the signature says ``optional``.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from companion.exercises._isolate import Outcome as IsolatedOutcome
from companion.exercises._isolate import Worker

HUGE_INT = 10**400  # beyond float range: float(HUGE_INT) raises OverflowError
HUGE_FLOAT = 1e308  # finite, but overflows as soon as it is multiplied by anything > 1.8
NAN, INF = float("nan"), float("inf")


class Fresh:
    """A valid value built anew for every call (in the child), e.g. an empty folder or a new policy."""

    def __init__(self, make: Callable[[Ctx], Any]) -> None:
        self.make = make


class Lazy:
    """A value computed once from the context (e.g. a world table), shared read-only by the calls."""

    def __init__(self, make: Callable[[Ctx], Any]) -> None:
        self.make = make


def resolve(value: Any, ctx: Ctx) -> Any:
    if isinstance(value, Fresh):
        return value.make(ctx)
    if isinstance(value, Lazy):
        return ctx.lazy(value)
    return value


# ---------------------------------------------------------------------------------------------- params
@dataclass
class Param:
    """What one parameter accepts. Subclasses generate the standard bad values for their kind.

    ``extra`` adds (label, value) bad values; ``skip`` removes standard ones by label, and every skip
    says why in the spec (a comment), e.g. a seed of 10**400 is a valid seed.
    """

    valid: Any
    extra: list[tuple[str, Any]] = field(default_factory=list)
    skip: frozenset[str] = frozenset()
    kind: str = "any"
    optional: bool = False  # None is a valid value (the signature says "optional")

    def standard(self, ctx: Ctx) -> list[tuple[str, Any]]:
        return []

    def bad(self, ctx: Ctx) -> list[tuple[str, Any]]:
        skip = self.skip | ({"None"} if self.optional else set())
        out = [(label, v) for label, v in self.standard(ctx) if label not in skip]
        return out + [(label, resolve(v, ctx)) for label, v in self.extra]


@dataclass
class Int(Param):
    minimum: int | None = None
    maximum: int | None = None
    kind: str = "int"

    def standard(self, ctx):
        out = [("str", "1"), ("float", 1.5), ("None", None), ("bool", True), ("nan", NAN), ("+inf", INF),
               ("-inf", -INF), ("huge", HUGE_INT)]
        lo, hi = self.minimum, self.maximum
        if lo is not None:
            if lo >= 0:
                out.append(("negative", -1))
            if lo >= 1:
                out.append(("zero", 0))
            if lo > 1:
                out.append(("below minimum", lo - 1))
        if hi is not None:
            out.append(("above maximum", hi + 1))
        return out


@dataclass
class Num(Param):
    minimum: float | None = None
    maximum: float | None = None
    strict: bool = False  # the lower bound is open (a positive number)
    kind: str = "number"

    def standard(self, ctx):
        out = [("str", "1.0"), ("None", None), ("bool", True), ("nan", NAN), ("+inf", INF), ("-inf", -INF),
               ("huge int", HUGE_INT), ("huge", HUGE_FLOAT), ("list", [1.0])]
        lo, hi = self.minimum, self.maximum
        if lo is not None:
            if lo > -1 or (self.strict and lo >= -1):
                out.append(("negative", -1.0))
            if lo > 0 or (self.strict and lo >= 0):
                out.append(("zero", 0.0))
        if hi is not None:
            out.append(("above maximum", hi + 1.0))
        return out


@dataclass
class Bool(Param):
    kind: str = "bool"

    def standard(self, ctx):
        return [("str", "yes"), ("int", 1), ("None", None), ("float", 1.0)]


@dataclass
class Str(Param):
    empty_ok: bool = False
    kind: str = "str"

    def standard(self, ctx):
        out = [("None", None), ("int", 1), ("bytes", b"x"), ("list", ["x"])]
        if not self.empty_ok:
            out.append(("empty", ""))
        return out


@dataclass
class Choice(Str):
    options: tuple = ()
    kind: str = "option"

    def standard(self, ctx):
        return [*super().standard(ctx), ("unknown option", "no-such-option")]


@dataclass
class PathP(Param):
    kind: str = "path"

    def standard(self, ctx):
        return [("None", None), ("int", 1), ("empty", ""), ("list", ["x"])]


@dataclass
class Frame(Param):
    columns: tuple[str, ...] = ()
    kind: str = "DataFrame"

    def standard(self, ctx):
        valid = resolve(self.valid, ctx)
        out = [("None", None), ("str", "table"), ("list", [1, 2]), ("dict", {c: [1] for c in self.columns}),
               ("empty DataFrame", pd.DataFrame())]
        out += [(f"missing column {c}", valid.drop(columns=[c])) for c in self.columns]
        return out


@dataclass
class Array(Param):
    """An array-like; ``dtype`` is ``"i"`` (integer ids), ``"f"`` (float) or ``"b"`` (bool)."""

    ndim: int | None = 1
    dtype: str = "f"
    nonnegative: bool = False
    empty_ok: bool = False
    kind: str = "array"

    def standard(self, ctx):
        valid = np.asarray(resolve(self.valid, ctx))
        out = [("None", None), ("str", "abc")]
        if not self.empty_ok:
            out.append(("empty", np.zeros((0,) * max(valid.ndim, 1), dtype=valid.dtype)))
        if self.ndim is not None:
            out.append(("wrong shape (extra dimension)", valid[None, ...].repeat(2, axis=0)))
        if self.dtype == "f":
            for label, v in (("nan", NAN), ("+inf", INF), ("-inf", -INF)):
                x = valid.astype(float, copy=True)
                x.flat[0] = v
                out.append((label, x))
            out.append(("strings", valid.astype(str)))
        elif self.dtype == "i":
            out.append(("float ids", valid.astype(float) + 0.5))
            out.append(("strings", valid.astype(str)))
            x = valid.copy()
            x.flat[0] = 10**9  # out of range id
            out.append(("out of range", x))
        elif self.dtype == "b":
            out.append(("floats", valid.astype(float) + 0.5))
        if self.nonnegative:
            x = valid.astype(valid.dtype, copy=True)
            x.flat[0] = -1
            out.append(("negative", x))
        return out


@dataclass
class Rng(Param):
    kind: str = "seed or Generator"

    def standard(self, ctx):
        return [("None", None), ("str", "0"), ("float", 1.5), ("bool", True), ("negative", -1), ("list", [0])]


@dataclass
class Instance(Param):
    kind: str = "instance"

    def standard(self, ctx):
        return [("None", None), ("str", "x"), ("int", 1), ("object", object())]


@dataclass
class Func(Param):
    kind: str = "callable"

    def standard(self, ctx):
        return [("None", None), ("int", 1), ("str", "f")]


@dataclass
class Dict(Param):
    kind: str = "mapping"

    def standard(self, ctx):
        return [("None", None), ("list", [1]), ("str", "x"), ("empty", {})]


@dataclass
class Days(Param):
    """A ``range`` of simulated days inside ``[0, n_days)``."""

    kind: str = "range of days"

    def standard(self, ctx):
        return [("None-like int", 3), ("list", [0, 1]), ("empty", range(0)), ("negative", range(-1, 2)),
                ("beyond n_days", range(0, 10**6)), ("step 2", range(0, 4, 2))]


@dataclass
class Numbers(Param):
    """A non-empty sequence of positive finite numbers (e.g. window lengths)."""

    kind: str = "sequence of positive numbers"

    def standard(self, ctx):
        return [("None", None), ("str", "7"), ("empty", []), ("nan", [NAN]), ("+inf", [INF]), ("-inf", [-INF]),
                ("negative", [-1]), ("zero", [0]), ("huge", [HUGE_FLOAT]), ("huge int", [HUGE_INT]),
                ("bool", [True]), ("number not sequence", 7)]


@dataclass
class Texts(Param):
    kind: str = "sequence of str"

    def standard(self, ctx):
        return [("None", None), ("one string", "one string"), ("int items", [1, 2]), ("None item", ["a", None])]


@dataclass
class Custom(Param):
    """Only the ``extra`` bad values (no standard battery for this kind)."""

    kind: str = "custom"


# ----------------------------------------------------------------------------------------------- specs
@dataclass
class Spec:
    """How to call one public callable (``call(ctx, **kwargs)``), and what each parameter accepts.

    ``ignored`` lists signature parameters with no spec, each with the reason (e.g. sklearn's unused
    ``y``). ``sanity`` makes one call with every parameter valid first, to check the spec itself;
    it is off only where the valid call needs something the suite does not have (a downloaded model).
    """

    call: Callable[..., Any]
    params: dict[str, Param]
    target: Callable[..., Any] | None = None  # the function whose signature the params must cover
    ignored: dict[str, str] = field(default_factory=dict)
    sanity: bool = True
    timeout_s: float = 5.0


class Ctx:
    """What the valid examples are built from: the tiny world, a saved copy of it, fitted estimators."""

    def __init__(self, world, tmp: Path) -> None:
        self.world = world
        self.tmp = tmp
        self._cache: dict[int, Any] = {}

    def lazy(self, value: Lazy) -> Any:
        key = id(value)
        if key not in self._cache:
            self._cache[key] = value.make(self)
        return self._cache[key]

    def fresh_dir(self) -> Path:
        return Path(tempfile.mkdtemp(dir=self.tmp)) / "out"


# ------------------------------------------------------------------------------------------ the runner
@dataclass
class Outcome:
    callable: str
    param: str
    label: str
    status: str  # "clear", "unclear", "silent", "hang", "ok", "failed" (the last two for sanity calls)
    detail: str = ""
    seconds: float = 0.0


def _names_param(message: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message) is not None


def _classify(outcome: IsolatedOutcome, param: str | None) -> tuple[str, str]:
    """What one call did: "clear"/"unclear"/"silent"/"hang" for a bad call, "ok"/"failed" for a sanity call."""
    if outcome.kind in ("timeout", "crashed"):  # no answer within the limit, or the worker died (memory, crash)
        return "hang", outcome.error or outcome.kind
    if outcome.kind != "raised":  # returned a value (whether or not it could be sent back)
        return ("ok" if param is None else "silent"), "returned a result"
    text = outcome.error or ""
    if param is None:
        return "failed", text
    message = text.split(": ", 1)[-1]
    if {"builtins.ValueError", "builtins.TypeError"} & set(outcome.error_types) and _names_param(message, param):
        return "clear", text
    if "builtins.MemoryError" in outcome.error_types:
        return "hang", text
    return "unclear", text


def _call(fn: Callable[[], Any]) -> Any:
    return fn()


def run_calls(calls: list[tuple[Callable[[], Any], str | None]], timeouts: list[float]) -> list[tuple[str, str, float]]:
    """Run the calls in a forked, memory-limited worker (the exercise checker's); a call over its limit is killed.

    A call that does not answer within its time limit is a "hang"; so is one that runs out of memory or
    kills the worker. The worker is then replaced for the remaining calls.
    """
    results: list[tuple[str, str, float]] = []
    with Worker(_call, [((fn,), {}) for fn, _ in calls], memory_mb=3 * 1024) as worker:
        for index, ((_, param), limit) in enumerate(zip(calls, timeouts, strict=True)):
            outcome = worker.run(index, limit)
            results.append((*_classify(outcome, param), outcome.elapsed_s))
    return results


def target_params(spec: Spec) -> list[str]:
    """Names of the parameters of the spec's target callable (``self`` and ``cls`` excluded)."""
    sig = inspect.signature(spec.target)
    return [n for n, p in sig.parameters.items() if n not in ("self", "cls")]


def run_spec(name: str, spec: Spec, ctx: Ctx) -> list[Outcome]:
    """The sanity call (every argument valid), then one call per bad value of every parameter."""
    for p in spec.params.values():  # warm the shared (lazy) values in the parent, once
        if isinstance(p.valid, Lazy):
            resolve(p.valid, ctx)

    def make_call(override: dict[str, Any]) -> Callable[[], Any]:
        def call() -> Any:
            kwargs = {k: (override[k] if k in override else resolve(p.valid, ctx)) for k, p in spec.params.items()}
            return spec.call(ctx, **kwargs)
        return call

    labels: list[tuple[str, str]] = []
    calls: list[tuple[Callable[[], Any], str | None]] = []
    timeouts: list[float] = []
    if spec.sanity:
        labels.append(("", "valid call"))
        calls.append((make_call({}), None))
        timeouts.append(max(spec.timeout_s, 60.0))
    for pname, p in spec.params.items():
        for label, value in p.bad(ctx):
            labels.append((pname, label))
            calls.append((make_call({pname: value}), pname))
            timeouts.append(spec.timeout_s)
    results = run_calls(calls, timeouts)
    return [Outcome(name, pname, label, status, detail, secs)
            for (pname, label), (status, detail, secs) in zip(labels, results, strict=True)]


# ------------------------------------------------------------------------------------- valid examples
def _exercise_kwargs() -> dict[str, Any]:
    from companion.exercises import Case

    return {"id": "99.contract_probe", "title": "probe", "chapter": "99", "reference": lambda x: x,
            "cases": (Case(args=(1,)),)}


def _saved_world(ctx: Ctx) -> Path:
    from companion.datasets import save_world

    path = ctx.tmp / "saved-world"
    save_world(ctx.world, path)
    return path


SAVED = Lazy(_saved_world)
WORLD = Lazy(lambda ctx: ctx.world)
USERS = Lazy(lambda ctx: ctx.world.users)
ITEMS = Lazy(lambda ctx: ctx.world.items)
HISTORY = Lazy(lambda ctx: ctx.world.events[ctx.world.events["day"] < 3].reset_index(drop=True))
TRUTH = Lazy(lambda ctx: ctx.world.truth)
SIM = Lazy(lambda ctx: ctx.world.simulator())
IDS = np.array([0, 1, 2], dtype=np.int64)
TAIL_DAYS = range(3, 5)


def _popularity(ctx: Ctx):
    from companion.world import PopularityPolicy

    return PopularityPolicy()


POLICY = Fresh(_popularity)


def _history_events() -> pd.DataFrame:
    return pd.DataFrame({"user_id": [1, 1, 2], "ts": [0, 100, 50], "click": [True, False, True],
                         "watch_s": [5.0, 0.0, 7.0]})


def _item2vec_fitted(ctx: Ctx):
    from companion.text import Item2Vec

    seqs = [[0, 1, 2, 3], [1, 2, 3, 0], [2, 3, 0, 1]] * 3
    return Item2Vec(vector_size=4, epochs=2, min_count=1).fit(seqs, n_items=4)


def _word2vec_fitted(ctx: Ctx):
    from companion.text import Word2VecEncoder

    return Word2VecEncoder(vector_size=4, epochs=2, min_count=1).fit(["a b c", "b c a", "c a b"])


def _seen_set(ctx: Ctx):
    from companion.world import SeenSet

    return SeenSet(5, 5)


# ------------------------------------------------------------------------------------------- the specs
def build_specs() -> dict[str, Spec]:
    """One spec per public callable, keyed ``"<subpackage>.<name>"`` (methods ``"<sub>.<Class>.<method>"``)."""
    import companion.datasets as ds
    import companion.design as de
    import companion.exercises as ex
    import companion.experiments as xp
    import companion.features as fe
    import companion.plotting as pl
    import companion.retrieval as rt
    import companion.text as tx
    import companion.world as wo

    specs: dict[str, Spec] = {}

    def add(key: str, target: Callable[..., Any], params: dict[str, Param], call: Callable[..., Any] | None = None,
            **kw: Any) -> None:
        if call is None:
            def call(ctx, **kwargs):
                return target(**kwargs)
        specs[key] = Spec(call=call, params=params, target=target, **kw)

    # ------------------------------------------------------------------ datasets
    add("datasets.connect", ds.connect, {"source": PathP(WORLD)},
        call=lambda ctx, source: ds.connect(source).close())
    add("datasets.content_sha256", ds.content_sha256, {
        # An empty table or dict is valid content and has a hash.
        "obj": Custom(Lazy(lambda ctx: ctx.world.topics), extra=[
            ("None", None), ("str", "x"), ("list", [1, 2]), ("int", 1),
            ("object array", {"a": np.array([object(), object()], dtype=object)}),
            ("object column", pd.DataFrame({"a": [object(), object()]})),
            ("non-str key", {1: np.arange(3)}),
        ]),
    })
    add("datasets.file_sha256", ds.file_sha256, {
        "path": PathP(Lazy(lambda ctx: resolve(SAVED, ctx) / "manifest.json")),
        "chunk_bytes": Int(1 << 16, minimum=1, maximum=1 << 30),
    })
    add("datasets.load_world", ds.load_world, {"path": PathP(SAVED), "verify": Bool(True)})
    add("datasets.read_manifest", ds.read_manifest, {"folder": PathP(SAVED)})
    add("datasets.save_world", ds.save_world, {
        "world": Instance(WORLD), "path": PathP(Fresh(lambda ctx: ctx.fresh_dir())), "overwrite": Bool(False)},
        timeout_s=10.0)

    # ------------------------------------------------------------------ design
    # A huge input is a bad value wherever the result overflows to inf; `huge` is skipped only where a
    # huge input has a finite, correct answer (human_count(1e308) is "1e+296 T").
    pos = {"minimum": 0.0, "strict": True}
    add("design.average_qps", de.average_qps,
        {"dau": Num(1e6, minimum=0), "requests_per_user_per_day": Num(10, minimum=0)})
    add("design.requests_per_day", de.requests_per_day,
        {"dau": Num(1e6, minimum=0), "requests_per_user_per_day": Num(10, minimum=0)})
    add("design.peak_qps", de.peak_qps, {"dau": Num(1e6, minimum=0), "requests_per_user_per_day": Num(10, minimum=0),
                                         "peak_factor": Num(3, minimum=1)})
    add("design.items_scored_per_second", de.items_scored_per_second,
        {"qps": Num(1e4, minimum=0), "candidates_per_request": Num(500, minimum=0)})
    add("design.feature_bytes_per_item", de.feature_bytes_per_item,
        {"features_per_item": Num(200, minimum=0), "bytes_per_feature": Num(4, minimum=0)})
    add("design.storage_for_retention", de.storage_for_retention,
        {"bytes_per_day": Num(1e12, minimum=0), "retention_days": Num(90, minimum=0)})
    add("design.storage_per_day", de.storage_per_day, {
        "dau": Num(1e6, minimum=0), "requests_per_user_per_day": Num(10, minimum=0),
        "events_per_request": Num(10, minimum=0), "bytes_per_event": Num(500, minimum=0)})
    add("design.human_bytes", de.human_bytes, {
        "value": Num(3.4e12, minimum=0, skip=frozenset({"huge"})),  # 1e308 bytes prints fine
        "decimals": Int(1, minimum=0, maximum=20)})
    add("design.human_count", de.human_count, {
        "value": Num(34_722.2, minimum=0, skip=frozenset({"huge"})),  # 1e308 prints fine
        "decimals": Int(1, minimum=0, maximum=20)})
    util = {"minimum": 0.0, "strict": True, "maximum": 1.0}
    add("design.items_per_second_per_machine", de.items_per_second_per_machine, {
        "model_cost_ms_per_item": Num(0.05, **pos, extra=[("tiny", 1e-306)],
                                      skip=frozenset({"huge"})),  # 1e308 ms/item: 1.6e-304 items/s, correct
        "cores_per_machine": Int(32, minimum=1, maximum=1_000_000),
        "utilisation_target": Num(0.5, **util)})
    add("design.machines_needed", de.machines_needed, {
        # 1e308 items/s need 3e302 machines: a correct (absurd) answer, returned exactly as an int.
        "items_per_second": Num(1.7e7, minimum=0, skip=frozenset({"huge"})),
        "model_cost_ms_per_item": Num(0.05, **pos, extra=[("tiny", 1e-306)]),
        "cores_per_machine": Int(32, minimum=1, maximum=1_000_000),
        "utilisation_target": Num(0.5, **util)})
    add("design.split_latency_budget", de.split_latency_budget, {
        "total_ms": Num(200, **pos, skip=frozenset({"huge"})),  # a 1e308 ms target splits into finite budgets
        "shares": Dict({"retrieval": 0.25, "ranking": 0.75}, optional=True, extra=[
            ("nan share", {"a": NAN, "b": 1.0}), ("negative share", {"a": -0.5, "b": 1.5}),
            ("share above 1", {"a": 1.5}), ("sum not 1", {"a": 0.2, "b": 0.2}), ("non-str stage", {1: 1.0}),
            ("str share", {"a": "1"}), ("bool share", {"a": True})])})
    cap_valid = dict(dau=100e6, requests_per_user_per_day=10, peak_factor=3, candidates_per_request=500,
                     features_per_candidate=200, bytes_per_feature=4, model_cost_ms_per_item=0.05,
                     bytes_per_logged_event=500, latency_target_ms=200)
    cap: dict[str, Param] = {k: Num(v, minimum=0) for k, v in cap_valid.items()}
    cap["peak_factor"] = Num(3, minimum=1)
    cap["model_cost_ms_per_item"] = Num(0.05, **pos, extra=[("tiny", 1e-306)])
    cap["latency_target_ms"] = Num(200, **pos, skip=frozenset({"huge"}))  # splits into finite budgets
    cap["impressions_per_request"] = Num(10, minimum=0)
    cap["retention_days"] = Num(90, minimum=0)
    cap["cores_per_machine"] = Int(32, minimum=1, maximum=1_000_000)
    cap["utilisation_target"] = Num(0.5, **util)
    cap["latency_shares"] = Dict({"retrieval": 0.25, "ranking": 0.75}, optional=True,
                                 extra=[("nan share", {"a": NAN, "b": 1.0}), ("sum not 1", {"a": 0.2})])
    add("design.estimate_capacity", de.estimate_capacity, cap)

    # ------------------------------------------------------------------ exercises
    def exercise(ctx, **kwargs):
        return ex.Exercise(**kwargs)

    exercise_params: dict[str, Param] = {
        "id": Str("99.contract_probe", extra=[("bad pattern", "not an id"), ("bad chapter", "1.x")]),
        "title": Str("probe"),
        "chapter": Str("99", extra=[("mismatch", "98")]),
        "reference": Func(lambda x: x),
        "cases": Custom(Fresh(lambda ctx: (ex.Case(args=(1,)),)),
                        extra=[("None", None), ("str", "cases"), ("non-Case item", ((1,),))]),
        "n_random": Int(0, minimum=0, maximum=10_000),
        "rtol": Num(1e-6, minimum=0, skip=frozenset({"huge"})),  # any finite rtol is a valid (lax) tolerance
        "atol": Num(1e-9, minimum=0, skip=frozenset({"huge"})),  # any finite atol is a valid (lax) tolerance
        "timeout_s": Num(5.0, **pos, maximum=600.0),
        "properties": Custom((), extra=[("None", None), ("str", "p"), ("non-callable item", (1,))]),
        "generate": Custom(None, extra=[("int", 1), ("str", "g")]),
        "compare": Custom(None, extra=[("int", 1), ("str", "c")]),
    }
    add("exercises.Exercise", ex.Exercise, exercise_params, call=exercise)
    add("exercises.Case", ex.Case, {
        "args": Custom((1,), extra=[("None", None), ("list", [1]), ("int", 1)]),
        "kwargs": Custom({}, extra=[("None", None), ("list", [1]), ("non-str key", {1: 2})]),
        "note": Str("", empty_ok=True)})
    add("exercises.check", ex.check, {
        "exercise_id": Str("00.ctr", extra=[("unknown", "99.no_such_exercise"), ("bad pattern", "ctr")]),
        "fn": Func(Lazy(lambda ctx: ex.get_exercise("00.ctr").reference)),
        "seed": Int(0, minimum=0, skip=frozenset({"huge"})),  # any non-negative int is a seed
        "n_random": Custom(0, extra=[("negative", -1), ("float", 1.5), ("str", "1"), ("bool", True)]),
        "timeout_s": Custom(5.0, extra=[("zero", 0.0), ("negative", -1.0), ("nan", NAN), ("str", "1"), ("inf", INF)]),
        "memory_mb": Int(4096, minimum=64, maximum=2**20),
        "isolate": Custom(None, extra=[("str", "yes"), ("int", 1), ("float", 0.0)]),
        "verbose": Bool(False)}, timeout_s=15.0)
    add("exercises.get_exercise", ex.get_exercise, {
        "exercise_id": Str("00.ctr", extra=[("unknown", "99.no_such_exercise"), ("bad pattern", "ctr")])})
    add("exercises.list_exercises", ex.list_exercises, {
        "chapter": Custom("00", extra=[("int", 1), ("empty", ""), ("bad pattern", "1"), ("list", ["00"])])})
    add("exercises.register", ex.register, {
        "exercise": Instance(Fresh(lambda ctx: ex.Exercise(**_exercise_kwargs())),
                             extra=[("already registered", Lazy(lambda ctx: ex.get_exercise("00.ctr")))])})

    # ------------------------------------------------------------------ experiments
    add("experiments.seed_sweep", xp.seed_sweep, {
        "fn": Func(lambda s: {"x": float(s)}, extra=[("returns non-mapping", lambda s: 1.0),
                                                      ("returns a str metric", lambda s: {"x": "1"})]),
        "seeds": Custom([0, 1, 2], extra=[("None", None), ("int", 3), ("empty", []), ("one seed", [0]),
                                           ("negative", [-1, 0]), ("float", [0.5, 1.0]), ("bool", [True, False]),
                                           ("duplicates", [1, 1]), ("str", "01")]),
        "progress": Bool(False)})
    sweep_table = Lazy(lambda ctx: xp.seed_sweep(lambda s: {"x": float(s)}, [0, 1, 2]))
    add("experiments.summarize_sweep", xp.summarize_sweep, {"table": Frame(sweep_table, columns=("seed",))})

    # ------------------------------------------------------------------ features
    Xcat = np.array([["a"], ["b"], ["a"]], dtype=object)
    Xnum = np.array([[1.0], [2.0], [3.0], [4.0]])

    def X_param(valid, numeric: bool) -> Custom:
        bad = [("None", None), ("1-D", np.asarray(valid).ravel()), ("3-D", np.asarray(valid)[None]),
               ("empty", np.zeros((0, 1))), ("str", "abc")]
        if numeric:
            bad += [("+inf", np.array([[1.0], [INF]])), ("strings", np.array([["a"], ["b"]]))]
        return Custom(valid, extra=bad)

    add("features.FrequencyEncoder", fe.FrequencyEncoder, {
        "normalize": Bool(True), "unseen": Num(0.0, skip=frozenset({"huge"}))},  # any finite fill value is valid
        call=lambda ctx, **kw: fe.FrequencyEncoder(**kw).fit(Xcat))
    add("features.FrequencyEncoder.fit", fe.FrequencyEncoder.fit, {"X": X_param(Xcat, numeric=False)},
        call=lambda ctx, X: fe.FrequencyEncoder().fit(X), ignored={"y": "sklearn API; unused"})
    add("features.FrequencyEncoder.transform", fe.FrequencyEncoder.transform,
        {"X": X_param(Xcat, numeric=False)}, call=lambda ctx, X: fe.FrequencyEncoder().fit(Xcat).transform(X))
    add("features.Winsorizer", fe.Winsorizer, {"lower": Num(0.01, minimum=0, maximum=1),
                                               "upper": Num(0.99, minimum=0, maximum=1,
                                                            extra=[("below lower", 0.001)])},
        call=lambda ctx, **kw: fe.Winsorizer(**kw).fit(Xnum))
    add("features.Winsorizer.fit", fe.Winsorizer.fit, {"X": X_param(Xnum, numeric=True)},
        call=lambda ctx, X: fe.Winsorizer().fit(X), ignored={"y": "sklearn API; unused"})
    add("features.Winsorizer.transform", fe.Winsorizer.transform, {"X": X_param(Xnum, numeric=True)},
        call=lambda ctx, X: fe.Winsorizer().fit(Xnum).transform(X))
    vec = np.arange(12, dtype=float).reshape(2, 3, 2)
    mask = np.array([[True, True, False], [True, False, False]])
    add("features.mean_pool", fe.mean_pool, {"vectors": Array(vec, ndim=3), "mask": Array(mask, ndim=2, dtype="b")})
    add("features.recency_pool", fe.recency_pool, {
        "vectors": Array(vec, ndim=3), "mask": Array(mask, ndim=2, dtype="b"),
        "ages": Array(np.ones((2, 3)), ndim=2, nonnegative=True),
        "half_life": Num(7.0, **pos, skip=frozenset({"huge"}))})  # an infinitely slow decay is a plain mean
    add("features.attention_pool", fe.attention_pool, {
        "vectors": Array(vec, ndim=3), "mask": Array(mask, ndim=2, dtype="b"),
        # a (rows, dim) query is valid too, so the standard "extra dimension" value is replaced by a wrong row count
        "query": Array(np.ones(2), ndim=1, skip=frozenset({"wrong shape (extra dimension)"}),
                       extra=[("wrong row count", np.ones((3, 2)))]),
        "temperature": Num(1.0, **pos, skip=frozenset({"huge"}))})
    add("features.history_features", fe.history_features, {
        "events": Frame(Fresh(lambda ctx: _history_events()), columns=("user_id", "ts", "click", "watch_s")),
        "queries": Frame(Fresh(lambda ctx: pd.DataFrame({"user_id": [1, 2], "ts": [100, 101]})),
                         columns=("user_id", "ts")),
        "key": Str("user_id", extra=[("not a column", "item_id")]),
        "windows": Numbers((1, 7)),
        "prefix": Custom(None, extra=[("int", 1), ("list", ["u_"])])})

    # ------------------------------------------------------------------ plotting
    def plot(fn):
        def call(ctx, **kw):
            import matplotlib

            matplotlib.use("Agg")
            return fn(**kw)
        return call

    add("plotting.new_figure", pl.new_figure, {"ncols": Int(1, minimum=1, maximum=50),
                                              "nrows": Int(1, minimum=1, maximum=50)},
        call=plot(pl.new_figure), ignored={"kwargs": "forwarded to matplotlib's plt.subplots"})
    add("plotting.box_diagram", pl.box_diagram, {  # size=None is refused: it is (width, height)
        "boxes": Dict({"a": (0.2, 0.5, "request"), "b": (0.8, 0.5, "*job")},
                      extra=[("bad box", {"a": (0.2, 0.5)}), ("nan position", {"a": (NAN, 0.5, "x")})]),
        "arrows": Custom([("a", "b", "logs")], extra=[("None", None), ("unknown box", [("a", "z")]),
                                                      ("not tuples", ["ab"]), ("int", 1)]),
        "size": Custom((8.0, 3.6), extra=[("None", None), ("negative", (-1.0, 3.0)), ("nan", (NAN, 3.0)),
                                           ("one number", 8.0), ("str", "big")]),
        "title": Custom(None, extra=[("int", 1)]),
        "ax": Custom(None, extra=[("str", "ax"), ("int", 1)])},
        call=plot(pl.box_diagram))
    add("plotting.use_style", pl.use_style, {})

    # ------------------------------------------------------------------ text
    add("text.cache_dir", tx.cache_dir, {})
    add("text.load_minilm", tx.load_minilm, {}, sanity=False)  # loads a downloaded model; no parameters
    add("text.tokenize", tx.tokenize, {"text": Str("Puppy training!", empty_ok=True)})
    add("text.tokenize_all", tx.tokenize_all, {"texts": Texts(["a b", "c"])})
    add("text.cached_array", tx.cached_array, {
        "namespace": Str("contract", extra=[("path separator", "../x")]),
        "settings": Custom({"k": 1}, extra=[("None", None), ("list", [1]), ("str", "s")]),
        "texts": Texts(["a", "b"]),
        "compute": Func(lambda: np.zeros(2)),
        "use_cache": Bool(False)})
    w2v = {"vector_size": Int(4, minimum=1, maximum=4096), "window": Int(5, minimum=1, maximum=1_000),
           "min_count": Int(1, minimum=1, maximum=10**9), "epochs": Int(2, minimum=1, maximum=1_000),
           "negative": Int(5, minimum=0, maximum=100), "seed": Int(0, minimum=0, maximum=2**32 - 1)}
    add("text.Item2Vec", tx.Item2Vec, w2v,
        call=lambda ctx, **kw: tx.Item2Vec(**kw).fit([[0, 1, 2], [1, 2, 0]], n_items=3), timeout_s=10.0)
    add("text.Item2Vec.fit", tx.Item2Vec.fit, {
        "sequences": Custom([[0, 1, 2], [1, 2, 0]], extra=[
            ("None", None), ("int", 1), ("empty", []), ("id out of range", [[0, 9]]), ("negative id", [[0, -1]]),
            ("float ids", [[0.5, 1.5]]), ("str ids", [["a", "b"]]), ("2-D ids", [[[0, 1]]])]),
        "n_items": Int(3, minimum=1, maximum=10**8)},
        call=lambda ctx, **kw: tx.Item2Vec(vector_size=4, epochs=2, min_count=1).fit(**kw), timeout_s=10.0)
    add("text.Item2Vec.most_similar", tx.Item2Vec.most_similar, {
        "item_id": Int(0, minimum=0, maximum=3), "k": Int(2, minimum=1, maximum=4)},
        call=lambda ctx, **kw: ctx.lazy(ITEM2VEC).most_similar(**kw))
    add("text.Word2VecEncoder", tx.Word2VecEncoder, {**w2v, "sg": Bool(True)},
        call=lambda ctx, **kw: tx.Word2VecEncoder(**kw).fit(["a b c", "b c a"]), timeout_s=10.0)
    add("text.Word2VecEncoder.fit", tx.Word2VecEncoder.fit, {"texts": Texts(["a b c", "b c a"])},
        call=lambda ctx, texts: tx.Word2VecEncoder(vector_size=4, epochs=2, min_count=1).fit(texts),
        ignored={"y": "sklearn API; unused"}, timeout_s=10.0)
    add("text.Word2VecEncoder.transform", tx.Word2VecEncoder.transform, {"texts": Texts(["a b", "c"])},
        call=lambda ctx, texts: ctx.lazy(WORD2VEC).transform(texts))
    add("text.SentenceEncoder", tx.SentenceEncoder, {
        "batch_size": Int(64, minimum=1, maximum=1_000_000), "normalize": Bool(True), "use_cache": Bool(True)},
        call=lambda ctx, **kw: tx.SentenceEncoder(**kw).fit())
    add("text.SentenceEncoder.fit", tx.SentenceEncoder.fit, {}, call=lambda ctx: tx.SentenceEncoder().fit(),
        ignored={"texts": "sklearn API; the encoder is pretrained, fit only validates the settings",
                 "y": "sklearn API; unused"})
    # The valid call would load the MiniLM model (a download); the bad values must be refused before it.
    add("text.SentenceEncoder.transform", tx.SentenceEncoder.transform,
        {"texts": Texts(["a b"])},
        call=lambda ctx, texts: tx.SentenceEncoder(use_cache=False).transform(texts), sanity=False)

    # ------------------------------------------------------------------ world
    eng_defaults = {f: getattr(wo.EngagementParams(), f) for f in wo.EngagementParams.__dataclass_fields__}
    eng: dict[str, Param] = {}
    nonneg = {"seen_penalty", "clicked_penalty", "fatigue", "follow", "retention", "fade"}
    for f, v in eng_defaults.items():
        if f in ("affinity_eps", "freshness_days"):
            eng[f] = Num(v, **pos, maximum=100)
        elif f == "position_decay":
            eng[f] = Num(v, minimum=0, maximum=10)
        elif f == "satisfaction_memory":
            eng[f] = Num(v, minimum=0, maximum=1)
        elif f in nonneg:
            eng[f] = Num(v, minimum=0, maximum=100)
        else:
            eng[f] = Num(v, minimum=-100, maximum=100)
    add("world.EngagementParams", wo.EngagementParams, eng)

    cfg_defaults = {f: getattr(wo.SIZES["tiny"], f) for f in wo.WorldConfig.__dataclass_fields__}
    cfg: dict[str, Param] = {}
    int_bounds = {"slate_size": (1, 50), "n_users": (10, 10_000_000), "n_items": (40, 10_000_000),
                  "n_days": (4, 3_650), "n_topics": (2, 20), "n_creators": (1, 400), "n_factors": (1, 256),
                  "surge_day": (1, 13), "cohort_day": (1, 13), "drift_day": (1, 13), "fade_start_day": (1, 13),
                  "surge_topic": (0, 19), "fade_topic": (0, 19)}
    for f, v in cfg_defaults.items():
        if f == "name":
            cfg[f] = Str(v, empty_ok=True)
        elif f == "engagement":
            cfg[f] = Instance(v)
        elif f in int_bounds:
            lo, hi = int_bounds[f]
            cfg[f] = Int(v, minimum=lo, maximum=hi)
        elif f == "requests_per_active_day":
            cfg[f] = Num(v, **pos, maximum=100)
        elif f == "signup_day_boost":
            cfg[f] = Num(v, minimum=0, maximum=100)
        elif f in ("initial_user_share", "initial_item_share"):
            cfg[f] = Num(v, minimum=0.05, maximum=1)
        elif f == "cohort_share":
            cfg[f] = Num(v, minimum=0, maximum=0.5)
        elif f == "explore_share":
            cfg[f] = Num(v, minimum=0, maximum=1)
        else:
            cfg[f] = Num(v, minimum=0, maximum=0.2)
    add("world.WorldConfig", wo.WorldConfig, cfg)
    add("world.WorldConfig.from_dict", wo.WorldConfig.from_dict, {
        "data": Dict(Fresh(lambda ctx: wo.SIZES["tiny"].to_dict()), skip=frozenset({"empty"}),  # {} = defaults
                     extra=[("unknown key", {"no_such_setting": 1}), ("engagement not dict", {"engagement": 1})])})
    add("world.world_config", wo.world_config, {
        "size": Choice("tiny", options=tuple(wo.SIZES), extra=[("WorldConfig-like dict", {"n_users": 10})])},
        ignored={"overrides": "each is a WorldConfig field, checked by WorldConfig (see world.WorldConfig)"})
    add("world.make_world", wo.make_world, {
        "size": Choice("tiny", options=tuple(wo.SIZES)),
        "seed": Int(0, minimum=0, skip=frozenset({"huge"})),  # any non-negative int is a seed
        "progress": Custom(False, extra=[("str", "no"), ("int", 1), ("float", 0.0)])},
        ignored={"overrides": "each is a WorldConfig field, checked by WorldConfig (see world.WorldConfig)"},
        timeout_s=10.0)
    add("world.sample_distinct", wo.sample_distinct, {
        "rng": Rng(Fresh(lambda ctx: np.random.default_rng(0)), skip=frozenset({"negative"}),
                   extra=[("int seed", 0)]),
        "p": Array(np.array([0.1, 0.2, 0.3, 0.4]), ndim=1, nonnegative=True, extra=[
            ("all zero", np.zeros(4)), ("list of str", ["a", "b", "c", "d"]), ("nan weight", [NAN, 1.0, 1.0, 1.0]),
            ("huge weights", np.full(4, 1e308))]),
        "n_rows": Int(5, minimum=0, maximum=10**8),
        "k": Int(2, minimum=1, maximum=4)})
    add("world.SeenSet", wo.SeenSet, {"n_users": Int(5, minimum=1, maximum=10**9),
                                      "n_items": Int(5, minimum=1, maximum=10**9)})
    for meth in ("add", "contains"):
        add(f"world.SeenSet.{meth}", getattr(wo.SeenSet, meth), {
            "users": Array(np.array([0, 1]), dtype="i", nonnegative=True, empty_ok=True),
            "items": Array(np.array([1, 2]), dtype="i", nonnegative=True, empty_ok=True)},
            call=functools.partial(lambda ctx, meth, **kw: getattr(_seen_set(ctx), meth)(**kw), meth=meth))
    add("world.PopularityPolicy", wo.PopularityPolicy, {
        "window_days": Int(7, minimum=1, maximum=3650), "exponent": Num(0.8, minimum=0, maximum=10,
                                                                       extra=[("160", 160.0)]),
        "uniform_mix": Num(0.2, minimum=0, maximum=1), "explore_share": Num(0.1, minimum=0, maximum=1),
        "filter_seen": Bool(False)})
    topic = {"realtime": Bool(True), "ctr_weight": Num(1.0, minimum=0, maximum=1e6),
             "freshness_weight": Num(0.8, minimum=0, maximum=1e6), "smoothing": Num(2.0, **pos, maximum=1e9),
             "prior_impressions": Num(20.0, **pos, maximum=1e12), "filter_seen": Bool(False)}
    add("world.TopicProfilePolicy", wo.TopicProfilePolicy, topic)
    add("world.HybridPolicy", wo.HybridPolicy, {"n_candidates": Int(100, minimum=1, maximum=10**7)},
        ignored={"kwargs": "forwarded to TopicProfilePolicy (see world.TopicProfilePolicy)"})
    add("world.TreatedPolicy", wo.TreatedPolicy, {
        "base": Instance(POLICY), "lift": Num(0.1, minimum=-5, maximum=5), "novelty": Num(0.0, minimum=-5, maximum=5),
        "novelty_days": Num(3.0, **pos, skip=frozenset({"huge"})),  # 1e308 days: a novelty that never fades
        "label": Custom(None, extra=[("int", 1), ("empty", "")])})
    add("world.treatment_family", wo.treatment_family, {
        "base": Custom(None, extra=[("int", 1), ("str", "b"), ("returns non-policy", lambda: 1),
                                    ("a policy, not a factory", _popularity(None))])})
    add("world.true_effect", wo.true_effect, {
        "world": Instance(WORLD), "control": Instance(POLICY),
        "treatment": Instance(Fresh(lambda ctx: wo.TreatedPolicy(_popularity(ctx), lift=0.1))),
        "seed": Int(0, minimum=0, skip=frozenset({"huge"})),  # any non-negative int is a seed
        "days": Days(range(0, 2)),
        "metric": Choice("expected_clicks", options=wo.METRICS),
        "by_day": Bool(False)}, timeout_s=10.0)
    # Simulator
    add("world.Simulator", wo.Simulator, {
        "truth": Instance(TRUTH), "users": Frame(USERS, columns=("user_id", "signup_day"),
                                                 extra=[("too few rows", Lazy(lambda ctx: ctx.world.users.head(3)))]),
        "items": Frame(ITEMS, columns=("item_id", "upload_day"))})
    add("world.Simulator.requests_for_day", wo.Simulator.requests_for_day, {
        "day": Int(3, minimum=0, maximum=13),
        "rng": Rng(Fresh(lambda ctx: np.random.default_rng(0)), skip=frozenset({"negative"}),
                   extra=[("int seed", 0)]),
        "rate_multiplier": Custom(None, extra=[("nan", np.full(300, NAN)), ("wrong length", np.ones(3)),
                                               ("negative", -np.ones(300)), ("str", "x")])},
        call=lambda ctx, **kw: ctx.lazy(SIM).requests_for_day(**kw))
    run_params: dict[str, Param] = {
        "policy": Instance(POLICY),
        "seed": Int(0, minimum=0, skip=frozenset({"huge"})),  # any non-negative int is a seed
        "days": Days(TAIL_DAYS),
        "history": Frame(HISTORY, columns=("day", "user_id", "item_id", "click"), optional=True,
                         extra=[("leaks the simulated days", Lazy(lambda ctx: ctx.world.events))]),
        "progress": Custom(False, extra=[("str", "no"), ("int", 1)])}
    add("world.Simulator.outcomes", wo.Simulator.outcomes, {
        "user": Array(IDS, dtype="i", nonnegative=True), "item": Array(IDS, dtype="i", nonnegative=True),
        "day": Int(3, minimum=0, maximum=13),
        "position": Array(np.array([0, 1, 2]), dtype="i", nonnegative=True),
        "rng": Rng(Fresh(lambda ctx: np.random.default_rng(0)), skip=frozenset({"negative"}),
                   extra=[("int seed", 0)]),
        "dynamic": Custom(None, extra=[("nan", np.array([NAN, 0.0, 0.0])), ("wrong length", np.zeros(2)),
                                       ("str", "x")])},
        call=lambda ctx, **kw: ctx.lazy(SIM).outcomes(**kw))
    add("world.Simulator.run", wo.Simulator.run, run_params,
        call=lambda ctx, **kw: ctx.lazy(SIM).run(**kw), timeout_s=10.0)
    add("world.Simulator.run_experiment", wo.Simulator.run_experiment, {
        "arms": Dict(Fresh(lambda ctx: {"a": _popularity(ctx), "b": _popularity(ctx)}), extra=[
            ("one arm", Fresh(lambda ctx: {"a": _popularity(ctx)})), ("non-policy", {"a": 1, "b": 2})]),
        "shares": Custom(None, extra=[("nan", [NAN, 1.0]), ("negative", [-0.5, 1.5]), ("wrong length", [1.0]),
                                      ("sum not 1", [0.2, 0.2]), ("str", "ab")]),
        **{k: v for k, v in run_params.items() if k != "policy"}},
        call=lambda ctx, **kw: ctx.lazy(SIM).run_experiment(**kw), timeout_s=10.0)
    # Truth
    ids_params = {"user_ids": Array(IDS, dtype="i", nonnegative=True, empty_ok=True),
                  "item_ids": Array(IDS, dtype="i", nonnegative=True, empty_ok=True),
                  "day": Array(np.array([3, 3, 3]), dtype="i", nonnegative=True, empty_ok=True)}
    grid = {k: Array(IDS if k != "day" else np.array([3, 3, 3]), dtype="i", nonnegative=True, empty_ok=True,
                     skip=frozenset({"wrong shape (extra dimension)"}))  # logit_terms broadcasts to any shape
            for k in ids_params}
    for meth in ("attractiveness", "utility", "logit_components", "logit_terms"):
        add(f"world.Truth.{meth}", getattr(wo.Truth, meth), grid if meth == "logit_terms" else ids_params,
            call=functools.partial(lambda ctx, meth, **kw: getattr(ctx.world.truth, meth)(**kw), meth=meth))
    add("world.Truth.click_probability", wo.Truth.click_probability, {
        **ids_params, "position": Array(np.array([0, 1, 2]), dtype="i", nonnegative=True, empty_ok=True)},
        call=lambda ctx, **kw: ctx.world.truth.click_probability(**kw))
    add("world.Truth.dynamic_logit", wo.Truth.dynamic_logit, {
        "seen": Array(np.array([True, False]), dtype="b", empty_ok=True),
        "clicked": Array(np.array([False, False]), dtype="b", empty_ok=True),
        "same_topic_above": Array(np.array([0, 1]), dtype="i", nonnegative=True, empty_ok=True,
                                  skip=frozenset({"out of range"})),  # 10**9 items above is just a count
        "followed": Array(np.array([False, True]), dtype="b", empty_ok=True, optional=True)},
        call=lambda ctx, **kw: ctx.world.truth.dynamic_logit(**kw))
    add("world.Truth.memory", wo.Truth.memory, {
        "history": Frame(HISTORY, columns=("user_id", "item_id", "click"), optional=True,
                         skip=frozenset({"empty DataFrame"}))},  # an empty log is a valid (empty) memory
        call=lambda ctx, **kw: ctx.world.truth.memory(**kw))
    add("world.Truth.best_items", wo.Truth.best_items, {
        "user_id": Int(0, minimum=0, maximum=299), "day": Int(3, minimum=0, maximum=13),
        "candidates": Array(np.arange(50), dtype="i", nonnegative=True),
        "k": Int(5, minimum=1, skip=frozenset({"huge"}))},  # documented: k above len(candidates) returns them all
        call=lambda ctx, **kw: ctx.world.truth.best_items(**kw))
    add("world.Truth.top_items", wo.Truth.top_items, {
        "user_ids": Array(IDS, dtype="i", nonnegative=True, empty_ok=True),  # no users: an empty answer
        "candidates": Array(np.arange(50), dtype="i", nonnegative=True), "day": Int(3, minimum=0, maximum=13),
        "k": Int(5, minimum=1, maximum=50),
        "history": Frame(HISTORY, columns=("user_id", "item_id", "click"), optional=True,
                         skip=frozenset({"empty DataFrame"}))},
        call=lambda ctx, **kw: ctx.world.truth.top_items(**kw))
    add("world.World.sql", wo.World.sql, {"query": Str("select count(*) from users",
                                                     extra=[("not SQL", "no such query")])},
        call=lambda ctx, **kw: ctx.world.sql(**kw))

    # ------------------------------------------------------------------ retrieval
    task = Lazy(lambda ctx: rt.make_task(ctx.world, 10, n_true=10, min_clicks=5))
    task_param = Instance(task)
    add("retrieval.make_task", rt.make_task, {
        "world": Instance(WORLD), "day": Int(10, minimum=1, maximum=13),
        "n_true": Int(10, minimum=1, maximum=1_000, extra=[("more than the fresh items", 900)]),
        "min_clicks": Int(5, minimum=1, maximum=100_000)}, timeout_s=10.0)
    add("retrieval.random_scores", rt.random_scores, {
        "task": task_param, "seed": Int(0, minimum=0, skip=frozenset({"huge"}))})  # any non-negative int is a seed
    add("retrieval.popularity_scores", rt.popularity_scores, {
        "task": task_param, "window_days": Int(7, minimum=1, maximum=10_000)})
    add("retrieval.covisitation_scores", rt.covisitation_scores, {"task": task_param})
    add("retrieval.svd_scores", rt.svd_scores, {
        "task": task_param, "n_components": Int(8, minimum=1, extra=[("not below the matrix size", 10**6)]),
        "seed": Int(0, minimum=0, maximum=2**32 - 1)})
    add("retrieval.content_scores", rt.content_scores, {
        "task": task_param,
        "item_vectors": Array(Lazy(lambda ctx: np.eye(len(ctx.world.items))[:, :16] + 0.1), ndim=2,
                              extra=[("wrong number of rows", np.ones((3, 4)))])})
    scores = Lazy(lambda ctx: rt.random_scores(ctx.lazy(task)))
    add("retrieval.top_k", rt.top_k, {
        "task": task_param,
        # -inf (never) and +inf (always first) are meaningful scores; NaN is refused.
        "scores": Array(scores, ndim=2, skip=frozenset({"+inf", "-inf"}),
                        extra=[("wrong width", np.zeros((3, 2)))]),
        "k": Int(10, minimum=1, extra=[("more than the fresh items", 10**6)]),
        "seed": Int(0, minimum=0, skip=frozenset({"huge"}))})  # any non-negative int is a seed
    add("retrieval.recall_at_k", rt.recall_at_k, {
        "task": task_param,
        # -1 marks an empty slot (valid); ids below -1 are refused.
        "candidates": Array(Lazy(lambda ctx: np.array(ctx.lazy(task).ideal)), ndim=2, dtype="i",
                            extra=[("id below -1", Lazy(lambda ctx: np.array(ctx.lazy(task).ideal) - 10**6)),
                                   ("wrong number of rows", np.zeros((2, 3), dtype=int))])})
    lists = {"a": np.array([[1, 2, 3]]), "b": np.array([[2, 4, 5]])}
    add("retrieval.blend", rt.blend, {
        "candidates": Custom(lists, extra=[("None", None), ("empty", {}), ("list", [np.array([[1]])]),
                                           ("float lists", {"a": np.array([[1.5]]), "b": np.array([[2.0]])}),
                                           ("1-D lists", {"a": np.array([1, 2]), "b": np.array([3])}),
                                           ("rows differ", {"a": np.zeros((2, 3), int), "b": np.zeros((1, 3), int)})]),
        "quotas": Custom({"a": 2, "b": 2}, extra=[("None", None), ("empty", {}), ("unknown source", {"c": 1}),
                                                  ("negative", {"a": -1}), ("float", {"a": 1.5}),
                                                  ("bool", {"a": True}), ("huge", {"a": 10**400})])})
    add("retrieval.RetrievalTask.floor", rt.RetrievalTask.floor, {"k": Int(10, minimum=1, extra=[
        ("more than the available items", 10**6)])}, call=lambda ctx, k: ctx.lazy(task).floor(k))
    return specs


ITEM2VEC = Lazy(_item2vec_fitted)
WORD2VEC = Lazy(_word2vec_fitted)


# ------------------------------------------------------------------------------------------ exemptions
#: Public callables with no spec, and why.
EXEMPT: dict[str, str] = {
    "retrieval.RetrievalTask": "a frozen record built (from a validated world) by make_task",
    "design.CapacityEstimate": "a frozen record built (with validated values) by estimate_capacity",
    "exercises.CaseResult": "a record built by check() for its report, not an entry point",
    "exercises.CheckReport": "a record built by check(), not an entry point",
    "world.Policy": "abstract base class with no parameters; subclasses are specified",
    "world.Slates": "the NamedTuple a policy's rank() returns; the simulator validates it (_check_slates)",
    "world.SimulationResult": "a record built by Simulator.run, not an entry point",
    "world.Subtopic": "a static vocabulary record defined in companion.world.vocabulary",
    "world.Topic": "a static vocabulary record defined in companion.world.topics",
    "world.Truth": "built by make_world (Truth.from_populations) or load_world, which check the arrays",
    "world.Truth.from_populations": "takes internal Population objects built by make_world",
    "world.World": "a container built by make_world or load_world",
    "world.Policy.start": "policy hook called by the Simulator with the world's validated tables",
    "world.Policy.rank": "policy hook called by the Simulator; its output is validated by the Simulator",
    "world.Policy.observe": "policy hook called by the Simulator with its own logs",
    "world.Policy.end_of_day": "policy hook called by the Simulator",
    "world.Policy.product_effect": "policy hook called by the Simulator; its output is validated there",
    "world.TopicProfilePolicy.user_log_share": "scoring helper used by rank() on ids the Simulator validated",
    "world.TopicProfilePolicy.item_score": "scoring helper used by rank() on ids the Simulator validated",
    "world.TopicProfilePolicy.score": "scoring helper used by rank() on ids the Simulator validated",
    "text.Word2VecEncoder.get_feature_names_out": "sklearn API hook; input_features is ignored",
    "text.SentenceEncoder.get_feature_names_out": "sklearn API hook; input_features is ignored",
}


def public_callables() -> dict[str, Callable[..., Any]]:
    """Every public function and class of companion, and the public methods (with parameters) of the classes.

    Keys are ``"<subpackage>.<name>"`` and ``"<subpackage>.<Class>.<method>"``. A method that overrides a
    :class:`~companion.world.Policy` hook is keyed ``"world.Policy.<hook>"`` (one exemption covers them).
    """
    import companion

    out: dict[str, Callable[..., Any]] = {}
    for sub in companion.__all__:
        if sub == "__version__":
            continue
        module = getattr(companion, sub)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                out[f"{sub}.{name}"] = obj
                out.update(_public_methods(sub, obj))
            elif callable(obj):
                out[f"{sub}.{name}"] = obj
    return out


def _public_methods(sub: str, cls: type) -> dict[str, Callable[..., Any]]:
    from companion.world import Policy

    hooks = {n for n in vars(Policy) if not n.startswith("_")}
    out = {}
    for klass in cls.__mro__:
        if not klass.__module__.startswith("companion."):
            continue
        for name, attr in vars(klass).items():
            if name.startswith("_") or isinstance(attr, property):
                continue
            fn = attr.__func__ if isinstance(attr, (classmethod, staticmethod)) else attr
            if not inspect.isfunction(fn):
                continue
            params = [p for p in inspect.signature(fn).parameters if p not in ("self", "cls")]
            if not params:
                continue  # nothing to pass a bad value to
            owner = "Policy" if issubclass(cls, Policy) and name in hooks else klass.__name__
            out.setdefault(f"{sub}.{owner}.{name}", fn)
    return out


def summarize(outcomes: list[Outcome]) -> dict[str, int]:
    bad = [o for o in outcomes if o.param]
    counts = {"total": len(bad)}
    for status in ("clear", "unclear", "silent", "hang"):
        counts[status] = sum(o.status == status for o in bad)
    return counts


def ratio(counts: Mapping[str, int]) -> float:
    return counts["clear"] / counts["total"] if counts["total"] else math.nan
