"""The data model: what an election's results are, validated on construction.

Concepts follow NIST SP 1500-100 (Election Results Common Data Format, v2):
``Election`` ↔ Election, ``Contest`` ↔ CandidateContest, ``Choice`` ↔ ContestSelection /
Candidate, ``Unit`` ↔ GpUnit (ReportingUnit), ``VoteCount`` ↔ VoteCounts, ``CountType`` ↔
CountItemType.
"""

from ballotproof.model.election import (
    Choice,
    ChoiceId,
    Contest,
    ContestId,
    CountType,
    Election,
    Unit,
    UnitId,
    UnitType,
    VoteCount,
)

__all__ = [
    "Choice",
    "ChoiceId",
    "Contest",
    "ContestId",
    "CountType",
    "Election",
    "Unit",
    "UnitId",
    "UnitType",
    "VoteCount",
]
