"""The package's public names are exactly those in ``__all__``, and each exists."""

from __future__ import annotations

import ballotproof
import ballotproof.model
import ballotproof.results


def test_top_level_exports() -> None:
    """The errors and the documented Python API (docs/api.md), nothing else."""
    assert set(ballotproof.__all__) == {
        "AnalysisError",
        "BallotproofError",
        "InputError",
        "IntegrityError",
        "StoreError",
        "__version__",
        # load
        "load_election",
        "load_recount_rules",
        "load_manifest",
        "Election",
        # results
        "popular_vote",
        "electoral_college",
        "margins",
        "tipping_point",
        "minimal_flip",
        "recount_eligibility",
        "recounts",
        "FlipGoal",
        "FlipObjective",
        "PopularVote",
        "ElectoralResult",
        "UnitResult",
        "TippingPoint",
        "FlipSet",
        "RecountCheck",
        "RecountStatus",
        # audits
        "AuditContest",
        "Decision",
        "bravo_sample_sizes",
        "bravo_risk",
        "BravoSampleSizes",
        "BravoRisk",
        "minerva_sample_sizes",
        "minerva_risk",
        "draw_sample",
        # comparison, ALPHA and batch audits
        "Discrepancies",
        "SuperSimpleSampleSize",
        "SuperSimpleRisk",
        "supersimple_sample_size",
        "supersimple_risk",
        "AlphaPollingSizes",
        "AlphaComparisonSize",
        "alpha_polling_sample_sizes",
        "alpha_comparison_sample_size",
        "alpha_polling_risks",
        "MacroBatch",
        "MacroSampleSize",
        "MacroRisk",
        "macro_sample_size",
        "macro_risk",
        # stored audits
        "start_audit",
        "retrieval_sheet",
        "record_audit",
        "audit_status",
        "verify_audit",
        "export_audit",
        "verify_published",
        "Sample",
        "Batch",
        # election night
        "replay",
    }
    for name in ballotproof.__all__:
        assert hasattr(ballotproof, name)


def test_subpackage_exports_exist() -> None:
    for module in (ballotproof.model, ballotproof.results):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
