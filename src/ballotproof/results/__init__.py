"""Pure analyses of election results: tabulation, Electoral College, margins, tipping point,
minimal flips, recount eligibility. No I/O: everything here takes model objects."""

from ballotproof.results.electoral import ElectoralResult, electoral_college
from ballotproof.results.flips import FlipGoal, FlipObjective, FlipSet, minimal_flip
from ballotproof.results.margins import margins
from ballotproof.results.recounts import RecountCheck, RecountStatus, recount_eligibility
from ballotproof.results.tabulate import PopularVote, UnitResult, popular_vote, tabulate_unit
from ballotproof.results.tipping import TippingPoint, tipping_point

__all__ = [
    "ElectoralResult",
    "FlipGoal",
    "FlipObjective",
    "FlipSet",
    "PopularVote",
    "RecountCheck",
    "RecountStatus",
    "TippingPoint",
    "UnitResult",
    "electoral_college",
    "margins",
    "minimal_flip",
    "popular_vote",
    "recount_eligibility",
    "tabulate_unit",
    "tipping_point",
]
