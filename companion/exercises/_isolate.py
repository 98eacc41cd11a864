"""Run learner calls in a separate process: a hard time limit, a memory cap, captured output.

:func:`run_in_child` forks the current process (Linux), so the learner's function -- even one
defined in a notebook -- runs in a copy of the kernel that the checker throws away afterwards.
Nothing the function does there reaches the kernel: it may swallow exceptions, ignore signals,
call ``os._exit``, crash the interpreter, monkeypatch pandas, start threads that never end, print
megabytes or allocate without bound. The parent waits on a pipe with a wall-clock deadline and
kills the child's whole process group when it is over.

What the child sends back is plain data: how the call ended, the elapsed time, the first
``output_chars`` characters the call printed (and how many more there were), and the result,
pickled. The parent unpickles it with a restricted unpickler that accepts only plain types
(numbers, strings, containers, numpy and pandas objects), so a result's ``__repr__``, ``__eq__``
or ``__reduce__`` written by the learner never runs in the kernel; such a result is reported as
not comparable, with the reason. An exception travels as its type's name, the names of the
classes it derives from, its message and the learner's line.

In the child, native thread pools (OpenMP, BLAS, LightGBM, torch) are limited to one thread:
GNU OpenMP's pool does not survive ``fork`` and would hang the first parallel region.
Introduced in chapter 00 (how to check yourself); every chapter's exercises use it.
"""

from __future__ import annotations

import copy
import faulthandler
import inspect
import io
import linecache
import os
import pickle
import re
import select
import signal
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Outcome", "Worker", "can_isolate", "type_names"]

# Captured before any learner code runs, so patching these modules in the child changes nothing.
_dumps = pickle.dumps
_write = os.write
_exit = os._exit
_clock = time.perf_counter

_SETUP_S = 60.0          # fork + deep copy of the inputs, before the learner's call starts
_SEND_S = 10.0           # pickling and sending the result, after the call returned
_MAX_RESULT_BYTES = 512 * 2**20
_FILE_LIMIT_BYTES = 8 * 2**20
_SAFE_ROOTS = {"numpy", "pandas", "collections", "datetime", "decimal", "fractions", "zoneinfo",
               "copyreg", "_codecs", "uuid", "pyarrow", "scipy"}
_SAFE_BUILTINS = {"set", "frozenset", "complex", "slice", "range", "bytearray", "bytes", "str", "int",
                  "float", "bool", "list", "tuple", "dict", "object", "NotImplemented", "Ellipsis"}


@dataclass
class Outcome:
    """How one learner call ended.

    ``kind`` is ``"returned"``, ``"raised"``, ``"timeout"``, ``"crashed"`` (the process ended
    without reporting) or ``"unsendable"`` (it returned a value the checker does not accept).
    """

    kind: str
    value: Any = None
    error: str | None = None
    error_types: tuple[str, ...] = ()
    learner_line: str | None = None
    elapsed_s: float = 0.0
    output: str = ""
    output_omitted: int = 0
    reason: str | None = None


def can_isolate() -> bool:
    """Whether calls can run in a forked child here (Linux with ``os.fork`` and ``os.memfd_create``)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(os, "memfd_create")


def type_names(cls: type) -> tuple[str, ...]:
    """``"module.QualName"`` of a class and of every class it derives from."""
    return tuple(f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__)


class _Capture(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters written to it and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit, self.parts, self.kept, self.omitted = limit, [], 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text: Any) -> int:
        text = str(text) if not isinstance(text, str) else text
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.omitted += max(0, len(text) - max(room, 0))
        return len(text)

    def flush(self) -> None:
        pass


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.split(".")[0] in _SAFE_ROOTS or (module == "builtins" and name in _SAFE_BUILTINS):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


class Worker:
    """A forked process that runs ``fn`` on the cases it is asked for, one at a time.

    Parameters
    ----------
    fn : callable
        The learner's function (it is not pickled: the worker is a copy of this process).
    cases : sequence of (args, kwargs)
        The inputs; the worker deep-copies a case's inputs before each call.
    memory_mb : int
        Address space the worker may add to what this process already uses, in MiB.
    output_chars : int, default 2000
        Characters of printed output kept per call; the rest is counted.
    learner_line : callable, optional
        Maps the learner's exception to "line N in f: code" (run in the worker).

    Use it as a context manager (the worker is killed on exit), and :meth:`run` each case.
    """

    def __init__(self, fn: Callable[..., Any], cases: list[tuple[tuple, dict]], *, memory_mb: int,
                 output_chars: int = 2000,
                 learner_line: Callable[[BaseException], str | None] | None = None) -> None:
        self.fn, self.cases, self.memory_mb = fn, cases, memory_mb
        self.output_chars, self.learner_line = output_chars, learner_line
        self._pid: int | None = None
        self._limiter = _thread_limiter()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Kill the worker (and anything it started) and release its pipes."""
        if self._pid is not None:
            _kill_group(self._pid)
            for fd in (self._cmd, self._out, self._capture, self._dump):
                os.close(fd)
            self._pid = None

    def _start(self) -> None:
        self._capture = os.memfd_create("companion-check-output")
        self._dump = os.memfd_create("companion-check-traceback")
        cmd_read, self._cmd = os.pipe()
        self._out, out_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            try:
                os.close(self._cmd)
                os.close(self._out)
                _serve(self, cmd_read, out_write)
            finally:
                _exit(70)
        os.close(cmd_read)
        os.close(out_write)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass  # the worker did it first, or has already ended
        self._pid = pid

    def run(self, index: int, timeout_s: float) -> Outcome:
        """Run case ``index`` with a wall-clock limit of ``timeout_s`` seconds and report how it ended."""
        if self._pid is None:
            self._start()
        try:
            _write(self._cmd, struct.pack("<I", index))
        except OSError:  # the worker is gone (the previous call closed its pipes): start a new one
            self.close()
            self._start()
            _write(self._cmd, struct.pack("<I", index))
        outcome, alive = _receive(self._pid, self._out, self._capture, timeout_s, self._dump)
        if outcome.kind in ("timeout", "crashed"):
            outcome.learner_line = _stopped_at(self._dump, self.fn)
        if not alive:
            self.close()
        return outcome


def _thread_limiter() -> Any:
    if "threadpoolctl" not in sys.modules and "numpy" not in sys.modules:
        return None
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()
    except Exception:  # threadpoolctl is a dependency; without it the worker just runs as is
        return None


def _serve(worker: Worker, cmd_fd: int, out_fd: int) -> None:
    import resource

    os.setpgid(0, 0)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(worker._capture, 1)
    os.dup2(worker._capture, 2)
    capture = _Capture(worker.output_chars)
    sys.stdin, sys.stdout, sys.stderr = open(os.devnull), capture, capture  # noqa: SIM115
    _limit_threads(worker._limiter)
    # On a timeout the parent sends SIGUSR1 before SIGKILL: the C-level handler dumps where the call was.
    # A crash (segmentation fault, abort) is dumped there too, not on the kernel's stderr.
    faulthandler.register(signal.SIGUSR1, file=worker._dump, all_threads=False)
    faulthandler.enable(file=worker._dump, all_threads=False)
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (used + worker.memory_mb * 2**20, resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_FSIZE, (_FILE_LIMIT_BYTES, resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    fn, read = worker.fn, os.read
    while True:
        request = read(cmd_fd, 4)
        if len(request) < 4:
            _exit(0)
        (index,) = struct.unpack("<I", request)
        os.ftruncate(worker._capture, 0)
        os.lseek(1, 0, os.SEEK_SET)
        capture.parts, capture.kept, capture.omitted = [], 0, 0
        args, kwargs = worker.cases[index]
        a, k = copy.deepcopy(args), copy.deepcopy(kwargs)
        _write(out_fd, b"S")
        start = _clock()
        try:
            value = fn(*a, **k)
        except BaseException as exc:  # noqa: BLE001 -- everything the learner raises is reported
            elapsed = _clock() - start
            _write(out_fd, b"D")
            message = {"kind": "raised", "error": f"{type(exc).__name__}: {_safe_str(exc)}",
                       "error_types": type_names(type(exc)),
                       "learner_line": _safe_line(worker.learner_line, exc)}
        else:
            elapsed = _clock() - start
            _write(out_fd, b"D")
            message = _pack_value(value)
        del a, k
        message.update(elapsed_s=elapsed, output="".join(capture.parts), output_omitted=capture.omitted)
        payload = _dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(struct.pack("<Q", len(payload)) + payload)
        while view:
            view = view[_write(out_fd, view):]


def _pack_value(value: Any) -> dict[str, Any]:
    try:
        data = _dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # noqa: BLE001
        return {"kind": "unsendable", "reason": (
            f"your result ({_type_label(value)}) cannot be sent back from the checker's worker process "
            f"({type(exc).__name__}: {_safe_str(exc)}); return plain values instead (numbers, strings, "
            "lists, tuples, dicts, numpy arrays, pandas objects)")}
    if len(data) > _MAX_RESULT_BYTES:
        return {"kind": "unsendable",
                "reason": f"your result is {len(data) / 2**20:.0f} MiB when pickled, "
                          f"over the checker's {_MAX_RESULT_BYTES // 2**20} MiB limit"}
    return {"kind": "returned", "value": data}


def _limit_threads(limiter: Any) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    if limiter is not None:
        try:
            limiter.limit(limits=1)
        except Exception:
            pass
    lightgbm = sys.modules.get("lightgbm.basic")
    if lightgbm is not None and hasattr(getattr(lightgbm, "_LIB", None), "LGBM_SetMaxThreads"):
        import ctypes

        lightgbm._LIB.LGBM_SetMaxThreads(ctypes.c_int(1))
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "set_num_threads"):
        torch.set_num_threads(1)


def _safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException as inner:  # noqa: BLE001
        text = f"<its message could not be turned into text: {type(inner).__name__}>"
    return text if len(text) <= 300 else text[:297] + "..."


def _safe_line(learner_line: Any, exc: BaseException) -> str | None:
    try:
        return learner_line(exc) if learner_line is not None else None
    except BaseException:  # noqa: BLE001
        return None


def _type_label(value: Any) -> str:
    cls = type(value)
    return f"a {cls.__qualname__}" if cls.__module__ == "builtins" else f"a {cls.__module__}.{cls.__qualname__}"


def _receive(pid: int, read_fd: int, capture_fd: int, timeout_s: float, dump_fd: int) -> tuple[Outcome, bool]:
    """Read one case's report from the worker; return it and whether the worker is still usable."""
    buffer = bytearray()
    phase, deadline, call_started = "setup", time.monotonic() + _SETUP_S, None
    remaining = _SETUP_S
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            break  # the worker ended (or closed the pipe) before it finished reporting
        buffer += chunk
        if phase == "setup" and buffer[:1] == b"S":
            phase, call_started = "call", time.monotonic()
            deadline = call_started + timeout_s
        if phase == "call" and buffer[1:2] == b"D":
            phase, deadline = "send", time.monotonic() + _SEND_S
        if phase == "send" and len(buffer) >= 10:
            (size,) = struct.unpack("<Q", bytes(buffer[2:10]))
            if len(buffer) >= 10 + size:
                output = _read_capture(capture_fd)
                return _decode(bytes(buffer[10:10 + size]), timeout_s, output), True
    elapsed = time.monotonic() - call_started if call_started is not None else 0.0
    if remaining > 0:  # the pipe closed early: wait (until the deadline) for the process to end
        status, ended = _reap(pid, deadline)
    else:
        status, ended = None, False
    if not ended:
        if phase == "call":
            _dump_stack(pid, dump_fd)
        _kill_group(pid)
    output, omitted = _read_capture(capture_fd)
    common = {"elapsed_s": elapsed, "output": output, "output_omitted": omitted}
    if not ended and phase == "call":
        return Outcome("timeout", error=f"CaseTimeout: stopped after {timeout_s:g} s (time limit)", **common), False
    if not ended and phase == "send":
        return Outcome("unsendable", **common,
                       reason=f"your result could not be sent back within {_SEND_S:g} s of your function "
                              "returning (does pickling it block?)"), False
    if not ended:
        return Outcome("crashed", error="the checker's worker process did not start in time",
                       reason="the inputs could not be prepared; run the check again", **common), False
    return Outcome("crashed", error=_describe_end(status), **common,
                   reason="your function ended the process it ran in (the checker runs it in a separate "
                          "process, so your notebook is unaffected)"), False


def _decode(payload: bytes, timeout_s: float, output: tuple[str, int]) -> Outcome:
    message = pickle.loads(payload)
    kind = message.pop("kind")
    if not message["output"] and output[0]:  # printed at the level of file descriptors (C code, os.write)
        message["output"], message["output_omitted"] = output
    elif output[0]:
        message["output_omitted"] += len(output[0]) + output[1]
    if kind == "returned":
        try:
            value = _Unpickler(io.BytesIO(message.pop("value"))).load()
        except pickle.UnpicklingError as exc:
            return Outcome("unsendable", **message, reason=(
                f"your result contains an object of type {exc}, which the checker does not accept: "
                "return plain values (numbers, strings, lists, tuples, dicts, numpy arrays, pandas objects)"))
        except Exception as exc:
            return Outcome("unsendable", **message,
                           reason=f"your result could not be read back ({type(exc).__name__}: {exc})")
        outcome = Outcome("returned", value=value, **message)
    else:
        outcome = Outcome(kind, **message)
    if outcome.elapsed_s > timeout_s:
        outcome.kind = "timeout"
        outcome.error = f"CaseTimeout: took {outcome.elapsed_s:.2f} s, over the {timeout_s:g} s limit"
    return outcome


def _describe_end(status: int | None) -> str:
    if status is None:
        return "the process did not end"
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        what = {"SIGSEGV": "a segmentation fault", "SIGABRT": "abort()", "SIGKILL": "it was killed",
                "SIGBUS": "a bus error", "SIGFPE": "a floating-point exception"}.get(name, name)
        return f"the process was ended by {name} ({what})"
    return f"the process exited with status {status} (os._exit or a crash) before returning a result"


def _read_capture(fd: int) -> tuple[str, int]:
    size = os.fstat(fd).st_size
    data = os.pread(fd, 2000, 0)
    text = data.decode("utf-8", errors="replace")
    return text, max(0, size - len(data))


def _dump_stack(pid: int, dump_fd: int) -> None:
    """Ask the worker where it is (SIGUSR1 -> faulthandler) and wait up to 0.2 s for the answer."""
    try:
        os.kill(pid, signal.SIGUSR1)
    except ProcessLookupError:
        return
    until = time.monotonic() + 0.2
    while time.monotonic() < until:
        if os.fstat(dump_fd).st_size:
            time.sleep(0.01)  # let the handler finish writing
            return
        time.sleep(0.002)


_FRAME = re.compile(r'^\s*File "(?P<file>.+)", line (?P<line>\d+) in (?P<name>\S+)')


def _stopped_at(dump_fd: int, fn: Any) -> str | None:
    """The learner's line in a faulthandler dump: the innermost frame in ``fn``'s file, else outside ours."""
    text = os.pread(dump_fd, 1 << 16, 0).decode("utf-8", errors="replace")
    frames = [m for m in map(_FRAME.match, text.splitlines()) if m]
    ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = [m for m in frames if not os.path.abspath(m["file"]).startswith(ours + os.sep)]
    if not frames:
        return None
    code = getattr(inspect.unwrap(fn), "__code__", None)
    own = [m for m in frames if code is not None and m["file"] == code.co_filename]
    frame = (own or frames)[0]
    where = f"line {frame['line']} in {frame['name']}"
    source = linecache.getline(frame["file"], int(frame["line"])).strip()
    return f"{where}: {source}" if source else where


def _reap(pid: int, deadline: float) -> tuple[int | None, bool]:
    """Wait until ``pid`` ends or the deadline passes; return (exit status, whether it ended)."""
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None, True
        if done:
            return os.waitstatus_to_exitcode(status), True
        if time.monotonic() >= deadline:
            return None, False
        time.sleep(0.002)


def _kill_group(pid: int) -> None:
    """Kill the child's process group (the child and anything it started) and reap the child."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
