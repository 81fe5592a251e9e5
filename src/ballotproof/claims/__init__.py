"""Claims checked against the record (``ballotproof check``): a small claim language, parsed by
hand (:mod:`.parse`) and evaluated over the loaded elections (:mod:`.evaluate`). Pure: the data
comes in as :class:`ClaimData`; the edges load it."""

from ballotproof.claims.evaluate import (
    ClaimData,
    ClaimResult,
    Evidence,
    HandCount,
    MailCount,
    Verdict,
    check_claim,
)
from ballotproof.claims.parse import parse_claim

__all__ = [
    "ClaimData",
    "ClaimResult",
    "Evidence",
    "HandCount",
    "MailCount",
    "Verdict",
    "check_claim",
    "parse_claim",
]
