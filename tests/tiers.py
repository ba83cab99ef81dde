"""The fast tier and the full run: a sweep keeps a sample in `scripts/test --fast`.

`scripts/test --fast` runs ``-m "not browser and not slow"``; `scripts/test` (CI) runs every test.
A parametrized sweep (every URL, every persona, every bad value) written with ``sweep`` instead of
``pytest.mark.parametrize`` runs its first ``fast`` cases in the fast tier, so each rule keeps a
quick example there, and marks the others ``slow``: the full run still runs every case.
"""

import pytest

_ParameterSet = type(pytest.param(None))


def sweep(argnames, argvalues, *, fast=1, **kwargs):
    """``pytest.mark.parametrize(argnames, argvalues, **kwargs)`` with all but the first ``fast``
    cases marked ``slow`` (their ids, order and number are unchanged)."""
    one_name = isinstance(argnames, str) and len([n for n in argnames.split(",") if n.strip()]) == 1
    cases = []
    for i, case in enumerate(argvalues):
        if i < fast:
            cases.append(case)
        elif isinstance(case, _ParameterSet):
            cases.append(pytest.param(*case.values, marks=(*case.marks, pytest.mark.slow), id=case.id))
        elif one_name:
            cases.append(pytest.param(case, marks=pytest.mark.slow))
        else:
            cases.append(pytest.param(*case, marks=pytest.mark.slow))
    return pytest.mark.parametrize(argnames, cases, **kwargs)
