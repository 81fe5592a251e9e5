"""The package's public names are exactly those in ``__all__``, and each exists."""

from __future__ import annotations

import ballotproof
import ballotproof.model
import ballotproof.results


def test_top_level_exports() -> None:
    assert set(ballotproof.__all__) == {
        "AnalysisError",
        "BallotproofError",
        "InputError",
        "IntegrityError",
        "StoreError",
        "__version__",
    }
    for name in ballotproof.__all__:
        assert hasattr(ballotproof, name)


def test_subpackage_exports_exist() -> None:
    for module in (ballotproof.model, ballotproof.results):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
