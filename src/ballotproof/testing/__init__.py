"""Hypothesis strategies and small factories for ballotproof's model, shipped with the package
so that users' own tests can generate elections too."""
