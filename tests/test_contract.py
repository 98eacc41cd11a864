"""Contract test of the public API (in the spirit of scikit-learn's common estimator checks).

Every public callable of :mod:`companion` (each function and class in ``companion.<sub>.__all__``, and
the public methods of those classes that take arguments) has a signature spec in
``tests/contract_specs.py``, or an entry in its ``EXEMPT`` dict saying why not. From each spec a battery
of bad values is generated; each bad call (every other argument valid) runs in a forked child under a
time and memory limit and must raise ``ValueError`` or ``TypeError`` naming the parameter. A returned
result is a *silent* wrong result, a timeout or a dead child is a *hang*; both fail the contract.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import contract_specs as cs
import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the contract battery forks a child per call")

MIN_CLEAR_SHARE = 0.98
SPECS = cs.build_specs()
OUTCOMES: dict[str, list[cs.Outcome]] = {}


@pytest.fixture(scope="module")
def ctx(tiny_world, tmp_path_factory) -> cs.Ctx:
    return cs.Ctx(tiny_world, Path(tmp_path_factory.mktemp("contract")))


def test_every_public_callable_has_a_spec_or_an_exemption():
    public = cs.public_callables()
    missing = sorted(set(public) - set(SPECS) - set(cs.EXEMPT))
    assert not missing, f"public callables with no contract spec and no EXEMPT entry (say why): {missing}"
    stale = sorted((set(SPECS) | set(cs.EXEMPT)) - set(public))
    assert not stale, f"specs or exemptions for names that are not public callables: {stale}"
    both = sorted(set(SPECS) & set(cs.EXEMPT))
    assert not both, f"both specified and exempt: {both}"
    assert all(isinstance(why, str) and why for why in cs.EXEMPT.values())


@pytest.mark.parametrize("name", sorted(SPECS))
def test_spec_covers_the_signature(name):
    spec = SPECS[name]
    params = cs.target_params(spec)
    sig = inspect.signature(spec.target).parameters
    var = {n for n, p in sig.items() if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
    undeclared = sorted(set(params) - set(spec.params) - set(spec.ignored))
    assert not undeclared, f"{name}: parameters with no spec and no `ignored` reason: {undeclared}"
    unknown = sorted(set(spec.params) - set(params))
    assert not unknown, f"{name}: spec names parameters the signature does not have: {unknown}"
    assert set(spec.ignored) <= set(params) | var


@pytest.mark.parametrize("name", sorted(SPECS))
def test_bad_values_are_refused_clearly(name, ctx):
    outcomes = cs.run_spec(name, SPECS[name], ctx)
    OUTCOMES[name] = outcomes
    sanity = [o for o in outcomes if not o.param]
    assert all(o.status == "ok" for o in sanity), f"{name}: the spec's valid call failed: {sanity[0].detail}"
    wrong = [o for o in outcomes if o.param and o.status in ("silent", "hang")]
    assert not wrong, f"{name}: " + "; ".join(f"{o.param}={o.label}: {o.status} ({o.detail})" for o in wrong)
    unclear = [o for o in outcomes if o.param and o.status == "unclear"]
    assert not unclear, f"{name}: " + "; ".join(f"{o.param}={o.label}: {o.detail}" for o in unclear)


def test_truth_accepts_scalar_ids(tiny_world):
    """Scalars are accepted where ids are (one impression): no crash deep in pandas."""
    truth = tiny_world.truth
    assert truth.attractiveness(0, 0, 0).shape == (1,)
    assert truth.click_probability(0, 0, 0, 0).shape == (1,)


def test_contract_summary(capsys):
    """Session summary: total bad calls and how they were answered (quoted in the closing note of issue 6)."""
    if len(OUTCOMES) < len(SPECS):
        pytest.skip("run the whole module for the summary")
    outcomes = [o for group in OUTCOMES.values() for o in group]
    counts = cs.summarize(outcomes)
    share = cs.ratio(counts)
    with capsys.disabled():
        print(f"\ncontract battery: {len(SPECS)} specs, {len(cs.EXEMPT)} exempt; {counts['total']} bad calls: "
              f"{counts['clear']} clear errors ({share:.1%}), {counts['unclear']} unclear errors, "
              f"{counts['silent']} silent results, {counts['hang']} hangs")
        for o in outcomes:
            if o.param and o.status != "clear":
                print(f"  {o.status:8s} {o.callable}({o.param}={o.label}): {o.detail}")
    assert counts["silent"] == 0 and counts["hang"] == 0
    assert share >= MIN_CLEAR_SHARE
