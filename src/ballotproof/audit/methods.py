"""The registry of stored audit methods: what each is, which paper it follows, how it reads.

One entry per :class:`~ballotproof.audit.process.Method`; the command line's ``--method``
choices and help, ``ballotproof audit methods`` and the documentation are made from it, and a
test keeps it complete. Adding a method is its module (the test and its planner), a member of
``Method``, its branch in :func:`ballotproof.audit.process.evaluate`, and one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from ballotproof.audit.process import Method

__all__ = ["METHODS", "MethodInfo"]


@dataclass(frozen=True, slots=True)
class MethodInfo:
    """A stored method described.

    Attributes
    ----------
    method : the method's id (``--method``)
    kind : "ballot polling", "ballot comparison" or "batch comparison"
    title : one line for people
    source : the paper (and the module that implements it)
    later_rounds : how a round after the first is sized
    """

    method: Method
    kind: str
    title: str
    source: str
    later_rounds: str

    def to_json(self) -> dict[str, str]:
        return {
            "method": self.method.value,
            "kind": self.kind,
            "title": self.title,
            "source": self.source,
            "later_rounds": self.later_rounds,
        }


_ENTRIES = (
    MethodInfo(
        Method.BRAVO,
        "ballot polling",
        "BRAVO: Wald's SPRT per winner-loser pair",
        "Lindeman, Stark & Yates, EVT/WOTE 2012 (audit/bravo.py)",
        "sized by the evidence so far: a 90 % chance of finishing (audit/rounds.py)",
    ),
    MethodInfo(
        Method.MINERVA,
        "ballot polling",
        "Minerva: the round-by-round Athena-class test",
        "Zagórski, McClearn, Morin, McBurnett & Vora, USENIX Security 2021 (audit/minerva.py)",
        "the first round's size again (its guarantee is for a schedule fixed in advance)",
    ),
    MethodInfo(
        Method.ALPHA,
        "ballot polling",
        "ALPHA with SHANGRLA polling assorters, η fixed at the reported mean",
        "Stark, Ann. Appl. Stat. 2023; SHANGRLA 2020 (audit/alpha.py, audit/alpha_audit.py)",
        "the first round's size again",
    ),
    MethodInfo(
        Method.SUPERSIMPLE,
        "ballot comparison",
        "super-simple: Kaplan-Markov on overstatements",
        "Stark, 'Super-simple simultaneous single-ballot RLAs', EVT/WOTE 2010 "
        "(audit/supersimple.py)",
        "Stark's escalation: the size at which the discrepancies seen would still suffice",
    ),
    MethodInfo(
        Method.ALPHA_COMPARISON,
        "ballot comparison",
        "ALPHA with SHANGRLA overstatement assorters, SHANGRLA's optimal_comparison η",
        "Stark, Ann. Appl. Stat. 2023; SHANGRLA 2020 (audit/alpha.py, audit/alpha_audit.py)",
        "sized by the evidence: enough error-free cards to reach 1/α from the current T",
    ),
    MethodInfo(
        Method.MACRO,
        "batch comparison",
        "MACRO with PPEB sampling of batches",
        "Stark 2008/2009; Aslam, Popa & Rivest 2008 (audit/macro.py, audit/ppeb.py)",
        "the first round's size again; a full count when it would reach every batch",
    ),
)

METHODS: MappingProxyType[Method, MethodInfo] = MappingProxyType({e.method: e for e in _ENTRIES})
