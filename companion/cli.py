"""The ``companion`` command line: worlds and exercise checks without the book.

``companion world`` generates a world and saves it (parquet + manifest); ``companion exercises``
lists the exercises per chapter; ``companion check ID FILE.py`` checks a learner's solution file and
exits 0 when every case passes, 1 when a case fails, 2 for a bad call (unknown exercise, missing file
or function). Also runnable as ``python -m companion``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

__all__ = ["main"]


def _world(args: argparse.Namespace) -> int:
    from .datasets import save_world
    from .world import SIZES, make_world

    if args.size not in SIZES:
        print(f"companion world: unknown size {args.size!r}; choose one of {', '.join(SIZES)}.", file=sys.stderr)
        return 2
    world = make_world(args.size, seed=args.seed, progress=True)
    manifest = save_world(world, args.out, overwrite=args.overwrite)
    print(repr(world))
    print(f"saved to {manifest.parent} (manifest {manifest.name})")
    return 0


def _exercises(args: argparse.Namespace) -> int:
    from .exercises import get_exercise, list_exercises

    ids = list_exercises(args.chapter)
    if not ids:
        print(f"no exercises in chapter {args.chapter}" if args.chapter else "no exercises")
        return 0
    width = max(len(i) for i in ids)
    for ex_id in ids:
        print(f"{ex_id:<{width}}  {get_exercise(ex_id).title}")
    return 0


def _load_function(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(f"_learner_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot import {str(path)!r} as Python")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = getattr(module, name, None)
    if not callable(fn):
        defined = sorted(k for k, v in vars(module).items() if callable(v) and not k.startswith("_"))
        raise ValueError(f"{str(path)!r} defines no function {name!r}; it defines {defined}. "
                         "Pass --function NAME to pick another.")
    return fn


def _check(args: argparse.Namespace) -> int:
    from .exercises import check, get_exercise

    try:
        exercise = get_exercise(args.exercise_id)
    except (ValueError, TypeError, KeyError) as exc:
        print(f"companion check: {exc}", file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"companion check: no such file {str(path)!r}.", file=sys.stderr)
        return 2
    name = args.function or exercise.id.split(".", 1)[1]
    try:
        fn = _load_function(path, name)
    except Exception as exc:  # the learner's file may fail to import for any reason: report it
        print(f"companion check: could not load {name!r} from {str(path)!r}: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 2
    report = check(exercise.id, fn, seed=args.seed, verbose=True)
    return 0 if report.passed else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="companion", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("world", help="generate a world and save it as parquet with a manifest")
    w.add_argument("--size", default="small", help="tiny, small, medium or large (default small)")
    w.add_argument("--seed", type=int, default=0, help="the world's seed (default 0)")
    w.add_argument("--out", required=True, help="folder to write (created if missing)")
    w.add_argument("--overwrite", action="store_true", help="replace a world saved in --out")
    w.set_defaults(run=_world)
    e = sub.add_parser("exercises", help="list the exercises, per chapter")
    e.add_argument("--chapter", help="two digits, e.g. 04")
    e.set_defaults(run=_exercises)
    c = sub.add_parser("check", help="check a solution file against an exercise")
    c.add_argument("exercise_id", help='e.g. "00.ctr"')
    c.add_argument("file", help="a .py file that defines the function")
    c.add_argument("--function", help="the function's name (default: the part of the id after the dot)")
    c.add_argument("--seed", type=int, default=0, help="seed of the random cases (default 0)")
    c.set_defaults(run=_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (``sys.argv[1:]`` by default); returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, TypeError) as exc:  # a bad argument value found by the library: say it, exit 2
        print(f"companion {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
