"""ballotproof: turn counted ballots into an election outcome that everyone can check."""

from ballotproof.errors import (
    AnalysisError,
    BallotproofError,
    InputError,
    IntegrityError,
    StoreError,
)

__version__ = "0.1.0"

__all__ = [
    "AnalysisError",
    "BallotproofError",
    "InputError",
    "IntegrityError",
    "StoreError",
    "__version__",
]
