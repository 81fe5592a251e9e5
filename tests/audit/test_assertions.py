"""SHANGRLA assertions for several contests from one sample (audit/assertions.py), checked
against SHANGRLA itself.

The vectors below were computed by running SHANGRLA (pbstark/SHANGRLA at commit
9d5db92edf1b5405204ab5a9f10cce2a9331e913, 2026-05-04; classes Contest, Assertion, CVR,
NonnegMean) on the election of tests/data/shangrla/election.py with
tests/data/shangrla/make_vectors.py.  Keys: "contest|assertion[|cvr|mvr|cvr is phantom]";
SHANGRLA names the supermajority assertion "Yes v ALL_OTHERS", ballotproof "Yes v all others".
Floats agree to 1e-12 (SHANGRLA computes in floats, ballotproof in fractions).
"""

from __future__ import annotations

import json
import math
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballotproof.audit.assertions import (
    Assertion,
    AuditedContest,
    Card,
    Rule,
    margins,
    overstatement_value,
    polling_value,
)
from ballotproof.audit.contest import Decision
from ballotproof.audit.multi import (
    assertion_sample_size,
    contest_sample_size,
    next_round_size,
    set_risk,
    set_sample_size,
)
from ballotproof.errors import AnalysisError

sys.path.insert(0, str(Path(__file__).parents[1] / "data" / "shangrla"))
import election

SHANGRLA = {
    "shangrla_commit": "9d5db92edf1b5405204ab5a9f10cce2a9331e913",
    "alpha": 0.05,
    "margins": {
        "Mayor|A v B": 0.19801980198019797,
        "Mayor|A v C": 0.39603960396039595,
        "Council|P v R": 0.12315270935960587,
        "Council|P v S": 0.24630541871921174,
        "Council|Q v R": 0.24630541871921174,
        "Council|Q v S": 0.36945812807881784,
        "Measure|Yes v ALL_OTHERS": 0.17241379310344818,
    },
    "assort": {
        'Mayor|A v B|{"Mayor": ["A"]}': 1.0,
        'Mayor|A v B|{"Mayor": ["B"]}': 0.0,
        'Mayor|A v B|{"Mayor": []}': 0.5,
        'Mayor|A v C|{"Mayor": ["A"]}': 1.0,
        'Mayor|A v C|{"Mayor": ["B"]}': 0.5,
        'Mayor|A v C|{"Mayor": []}': 0.5,
        'Council|P v R|{"Council": ["P", "R"]}': 0.5,
        'Council|P v R|{"Council": ["R", "S"]}': 0.0,
        'Council|P v R|{"Council": ["Q"]}': 0.5,
        'Council|P v S|{"Council": ["P", "R"]}': 1.0,
        'Council|P v S|{"Council": ["R", "S"]}': 0.0,
        'Council|P v S|{"Council": ["Q"]}': 0.5,
        'Council|Q v R|{"Council": ["P", "R"]}': 0.0,
        'Council|Q v R|{"Council": ["R", "S"]}': 0.0,
        'Council|Q v R|{"Council": ["Q"]}': 1.0,
        'Council|Q v S|{"Council": ["P", "R"]}': 0.5,
        'Council|Q v S|{"Council": ["R", "S"]}': 0.0,
        'Council|Q v S|{"Council": ["Q"]}': 1.0,
        'Measure|Yes v ALL_OTHERS|{"Measure": ["Yes"]}': 0.75,
        'Measure|Yes v ALL_OTHERS|{"Measure": ["No"]}': 0.0,
        'Measure|Yes v ALL_OTHERS|{"Measure": ["Yes", "No"]}': 0.5,
        'Measure|Yes v ALL_OTHERS|{"Measure": []}': 0.5,
    },
    "overstatement": {
        'Mayor|A v B|{"Mayor": ["A"]}|{"Mayor": ["A"]}|False': 0.554945054945055,
        'Mayor|A v B|{"Mayor": ["A"]}|{"Mayor": ["B"]}|False': 0.0,
        'Mayor|A v B|{"Mayor": ["A"]}|{"Mayor": []}|False': 0.2774725274725275,
        'Mayor|A v B|{"Mayor": ["B"]}|{"Mayor": ["A"]}|False': 1.10989010989011,
        'Mayor|A v B|{"Mayor": ["A"]}|{}|False': 0.0,
        'Mayor|A v B|{"Mayor": ["A"]}|null|False': 0.0,
        'Mayor|A v B|{"Mayor": []}|null|True': 0.2774725274725275,
        'Mayor|A v C|{"Mayor": ["A"]}|{"Mayor": ["A"]}|False': 0.6234567901234568,
        'Mayor|A v C|{"Mayor": ["A"]}|{"Mayor": ["B"]}|False': 0.3117283950617284,
        'Mayor|A v C|{"Mayor": ["A"]}|{"Mayor": []}|False': 0.3117283950617284,
        'Mayor|A v C|{"Mayor": ["B"]}|{"Mayor": ["A"]}|False': 0.9351851851851851,
        'Mayor|A v C|{"Mayor": ["A"]}|{}|False': 0.0,
        'Mayor|A v C|{"Mayor": ["A"]}|null|False': 0.0,
        'Mayor|A v C|{"Mayor": []}|null|True': 0.3117283950617284,
        'Council|P v R|{"Council": ["P", "Q"]}|{"Council": ["R", "S"]}|False': 0.0,
        'Council|P v S|{"Council": ["P", "Q"]}|{"Council": ["R", "S"]}|False': 0.0,
        'Council|Q v R|{"Council": ["P", "Q"]}|{"Council": ["R", "S"]}|False': 0.0,
        'Council|Q v S|{"Council": ["P", "Q"]}|{"Council": ["R", "S"]}|False': 0.0,
        'Measure|Yes v ALL_OTHERS|{"Measure": ["Yes"]}|{"Measure": ["No"]}|False': 0.0,
        'Measure|Yes v ALL_OTHERS|{"Measure": ["No"]}|{"Measure": ["Yes"]}|False': 1.12987012987013,
        'Measure|Yes v ALL_OTHERS|{"Measure": ["Yes"]}|{"Measure": ["Yes", "No"]}|False': (
            0.37662337662337664
        ),
    },
    "comparison_risk": {
        "Mayor|A v B": [46, 0.7314305310604857],
        "Mayor|A v C": [46, 0.5158268734562715],
        "Council|P v R": [27, 0.7755559610640452],
        "Council|P v S": [27, 0.5911711469216682],
        "Council|Q v R": [27, 0.5911711469216682],
        "Council|Q v S": [27, 0.4417994925035015],
        "Measure|Yes v ALL_OTHERS": [33, 0.6933099716537725],
    },
    "polling_risk": {
        "Mayor|A v B": [46, 0.8347107438016529],
        "Mayor|A v C": [46, 0.08409718749195014],
        "Council|P v R": [27, 0.7854963265454494],
        "Council|P v S": [27, 0.41353661379965473],
        "Council|Q v R": [27, 0.6838219822961612],
        "Council|Q v S": [27, 0.23059253582290926],
        "Measure|Yes v ALL_OTHERS": [33, 0.3820200530214105],
    },
    "clean_size_with_replacement": {
        "Mayor|A v B": 29,
        "Mayor|A v C": 14,
        "Council|P v R": 48,
        "Council|P v S": 23,
        "Council|Q v R": 23,
        "Council|Q v S": 15,
        "Measure|Yes v ALL_OTHERS": 25,
    },
}


def _contests(
    *, targeted: tuple[str, ...] = ("Mayor", "Council", "Measure")
) -> list[AuditedContest]:
    return [
        AuditedContest(
            "Mayor", election.MAYOR, ("A",), election.cards("Mayor"), "Mayor" in targeted
        ),
        AuditedContest(
            "Council", election.COUNCIL, ("P", "Q"), election.cards("Council"),
            "Council" in targeted, votes_allowed=2,
        ),
        AuditedContest(
            "Measure", election.MEASURE, ("Yes",), election.cards("Measure"),
            "Measure" in targeted, Rule.SUPERMAJORITY, share_to_win=Fraction(2, 3),
        ),
    ]  # fmt: skip


CVRS: list[Card] = list(election.cvrs())
MARGINS = {a: v for c in _contests() for a, v in margins(c, CVRS).items()}
BY_KEY = {f"{a.contest}|{a.name}": a for a in MARGINS}


def _key(shangrla_key: str) -> str:
    return shangrla_key.replace("ALL_OTHERS", "all others")


def test_every_shangrla_assertion_is_made_and_no_other() -> None:
    assert sorted(BY_KEY) == sorted(_key(k) for k in SHANGRLA["margins"])


@pytest.mark.parametrize("key", list(SHANGRLA["margins"]))
def test_reported_margins_with_phantoms_match_shangrla(key: str) -> None:
    a = BY_KEY[_key(key)]
    assert float(MARGINS[a]) == pytest.approx(SHANGRLA["margins"][key], abs=1e-12)


@pytest.mark.parametrize("key", list(SHANGRLA["assort"]))
def test_assorter_values_match_shangrla(key: str) -> None:
    contest, name, card = key.split("|")
    a = BY_KEY[_key(f"{contest}|{name}")]
    marks = json.loads(card)[contest]
    assert float(a.assort(marks)) == pytest.approx(SHANGRLA["assort"][key], abs=1e-12)


@pytest.mark.parametrize("key", list(SHANGRLA["overstatement"]))
def test_overstatement_assorter_values_match_shangrla(key: str) -> None:
    contest, name, cvr_text, mvr_text, _cvr_phantom = key.split("|")
    a = BY_KEY[_key(f"{contest}|{name}")]
    cvr: Card = json.loads(cvr_text)  # a phantom CVR: the contest with no vote
    mvr: Card | None = json.loads(mvr_text)
    got = overstatement_value(a, MARGINS[a], cvr, mvr)
    assert float(got) == pytest.approx(SHANGRLA["overstatement"][key], abs=1e-12)


def _draws() -> tuple[list[Card], list[Card | None]]:
    cvrs = [CVRS[i] for i in election.DRAWS]
    mvrs: list[Card | None] = [
        election.CHANGED[j] if j in election.CHANGED else CVRS[i]
        for j, i in enumerate(election.DRAWS)
    ]
    return cvrs, mvrs


@pytest.mark.parametrize("comparison", [True, False])
def test_risks_on_one_sample_match_shangrla(comparison: bool) -> None:
    cvrs, mvrs = _draws()
    r = set_risk(
        _contests(), MARGINS, cvrs, mvrs, risk_limit=SHANGRLA["alpha"], comparison=comparison
    )
    expected = SHANGRLA["comparison_risk" if comparison else "polling_risk"]
    got = {f"{t.contest}|{t.assertion}": (t.n, t.p_value) for c in r.contests for t in c.assertions}
    assert len(got) == len(expected)
    for key, (n, p) in expected.items():
        assert got[_key(key)][0] == n
        assert got[_key(key)][1] == pytest.approx(p, rel=1e-9)
    for c in r.contests:  # a contest's risk is its worst assertion's
        assert c.risk == max(t.p_value for t in c.assertions)
    assert r.risk == max(c.risk for c in r.contests)


@pytest.mark.parametrize("key", list(SHANGRLA["clean_size_with_replacement"]))
def test_error_free_sizes_match_shangrla(key: str) -> None:
    a = BY_KEY[_key(key)]
    n = assertion_sample_size(a, MARGINS[a], risk_limit=SHANGRLA["alpha"])
    assert n == SHANGRLA["clean_size_with_replacement"][key]


def test_a_contest_needs_its_worst_assertion_and_the_set_its_worst_targeted_contest() -> None:
    sizes = SHANGRLA["clean_size_with_replacement"]
    alpha = SHANGRLA["alpha"]
    per_contest = {
        c.name: max(v for k, v in sizes.items() if k.startswith(c.name + "|")) for c in _contests()
    }
    for c in _contests():
        assert contest_sample_size(c, MARGINS, risk_limit=alpha) == per_contest[c.name]
    # Card-style: the universe is the 400 cards (every card has some contest) plus the
    # phantoms; contest c needs n_c of its own N_c cards, so about n_c·U/N_c universe draws.
    universe = 400 + 3 * election.PHANTOMS
    want = max(math.ceil(per_contest[c.name] * universe / c.cards) for c in _contests())
    assert set_sample_size(_contests(), MARGINS, universe=universe, risk_limit=alpha) == want
    only_mayor = _contests(targeted=("Mayor",))
    mayor = only_mayor[0]
    assert set_sample_size(only_mayor, MARGINS, universe=universe, risk_limit=alpha) == (
        math.ceil(per_contest["Mayor"] * universe / mayor.cards)
    )


# ----------------------------------------------------------------------------- rules


def test_a_confirmed_set_needs_every_targeted_contest_and_reports_the_others() -> None:
    cvrs = [CVRS[i] for i in election.DRAWS] * 8  # no errors: every contest gains evidence
    mvrs: list[Card | None] = list(cvrs)
    alpha = SHANGRLA["alpha"]
    both = set_risk(_contests(), MARGINS, cvrs, mvrs, risk_limit=alpha)
    assert both.decision is Decision.CONFIRM
    assert all(c.confirmed for c in both.contests)
    # A wrong Council reading on every Council draw: Council cannot be confirmed.
    bad: list[Card | None] = [
        {**m, "Council": ["R", "S"]} if m is not None and "Council" in m else m for m in mvrs
    ]
    r = set_risk(_contests(), MARGINS, cvrs, bad, risk_limit=alpha)
    assert r.decision is Decision.NEXT_ROUND
    assert [c.confirmed for c in r.contests] == [True, False, True]
    assert r.risk == next(c.risk for c in r.contests if c.contest == "Council")
    # Council only reported (opportunistic): the set is confirmed, Council's risk still shown.
    opp = set_risk(_contests(targeted=("Mayor", "Measure")), MARGINS, cvrs, bad, risk_limit=alpha)
    assert opp.decision is Decision.CONFIRM
    council = next(c for c in opp.contests if c.contest == "Council")
    assert not council.targeted and council.risk == 1.0
    assert opp.to_json()["contests"][1]["contest"] == "Council"  # type: ignore[index]


def test_the_next_round_finishes_every_targeted_contest_if_no_error_follows() -> None:
    cvrs, mvrs = _draws()
    alpha = SHANGRLA["alpha"]
    contests = _contests()
    first = set_risk(contests, MARGINS, cvrs, mvrs, risk_limit=alpha)
    assert first.decision is Decision.NEXT_ROUND
    universe = 400 + 3 * election.PHANTOMS
    log_t = {
        c.contest: {t.assertion: math.log(t.T_n) for t in c.assertions} for c in first.contests
    }
    need = {
        c.name: contest_sample_size(c, MARGINS, risk_limit=alpha, log_t=log_t[c.name])
        for c in contests
    }
    more = next_round_size(contests, MARGINS, first, universe=universe)
    assert more == max(math.ceil(need[c.name] * universe / c.cards) for c in contests)  # type: ignore[operator]
    for c in contests:
        n = need[c.name]
        assert n is not None and n > 0
        card = next(x for x in CVRS if c.name in x)

        def with_clean(k: int, card: Card = card, name: str = c.name) -> list[bool]:
            r = set_risk(
                contests, MARGINS, cvrs + [card] * k, [*mvrs, *[card] * k], risk_limit=alpha
            )
            return [x.confirmed for x in r.contests if x.contest == name]

        assert with_clean(n) == [True]
        assert with_clean(n - 1) == [False]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"winners": ("Z",)}, "every reported winner"),
        ({"cards": 0}, "cards must be"),
        ({"winners": ("A", "B")}, "vote-for-1 contest has 1 winners"),
        ({"rule": Rule.SUPERMAJORITY}, "share_to_win must be"),
        ({"share_to_win": Fraction(1, 2)}, "share_to_win is for supermajority"),
    ],
)
def test_a_contest_that_cannot_be_audited_is_refused(
    kwargs: dict[str, object], message: str
) -> None:
    base: dict[str, object] = {
        "name": "M",
        "choices": ("A", "B", "C"),
        "winners": ("A",),
        "cards": 9,
    }
    with pytest.raises(AnalysisError, match=message):
        AuditedContest(**{**base, **kwargs})  # type: ignore[arg-type]


def test_more_cvrs_than_cards_is_refused() -> None:
    c = AuditedContest("M", ("A", "B"), ("A",), cards=1)
    with pytest.raises(AnalysisError, match="2 CVRs contain it but it has only 1 cards"):
        margins(c, [{"M": ["A"]}, {"M": ["B"]}])


def test_an_overvote_is_no_vote_and_a_missing_contest_the_worst_case() -> None:
    a = Assertion("M", "A", "C", Fraction(1), votes_allowed=1)
    assert a.assort(["A", "B"]) == Fraction(1, 2)
    assert polling_value(a, {"Other": ["x"]}) == 0
    assert polling_value(a, None) == 0


# ----------------------------------------------------------------------------- property


_ALL = [c for c in _contests()]
_PHANTOM_CARDS: list[Card] = [{c.name: []} for c in _ALL for _ in range(election.PHANTOMS)]
_UNIVERSE = CVRS + _PHANTOM_CARDS
_ALTERNATIVES: dict[str, list[list[str]]] = {
    "Mayor": [["A"], ["B"], ["C"], [], ["A", "B"]],
    "Council": [["P", "Q"], ["R", "S"], ["P"], [], ["P", "Q", "R"]],
    "Measure": [["Yes"], ["No"], [], ["Yes", "No"]],
}


@st.composite
def _audit_sample(draw: st.DrawFn) -> tuple[list[Card], list[Card | None], list[bool]]:
    n = draw(st.integers(1, 80))
    idx = draw(st.lists(st.integers(0, len(_UNIVERSE) - 1), min_size=n, max_size=n))
    cvrs = [_UNIVERSE[i] for i in idx]
    mvrs: list[Card | None] = []
    for card in cvrs:
        mode = draw(st.sampled_from(["same", "other"]))
        if mode == "same":
            mvrs.append(card)
        else:
            mvrs.append({k: draw(st.sampled_from(_ALTERNATIVES[k])) for k in card})
    lost = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return cvrs, mvrs, lost


@settings(max_examples=60, deadline=None)
@given(_audit_sample(), st.booleans())
def test_not_found_and_phantoms_never_lower_any_contests_risk(
    sample: tuple[list[Card], list[Card | None], list[bool]], comparison: bool
) -> None:
    """Whatever a card says, reading it as not found (a phantom, or a card that could not be
    retrieved) leaves every contest's risk as high or higher: a(MVR) = 0 is the worst case for
    every assertion at once."""
    cvrs, mvrs, lost = sample
    worse: list[Card | None] = [None if gone else m for m, gone in zip(mvrs, lost, strict=True)]
    kw = {"risk_limit": 0.05, "comparison": comparison}
    before = set_risk(_ALL, MARGINS, cvrs, mvrs, **kw)  # type: ignore[arg-type]
    after = set_risk(_ALL, MARGINS, cvrs, worse, **kw)  # type: ignore[arg-type]
    for b, a in zip(before.contests, after.contests, strict=True):
        assert a.risk >= b.risk * (1 - 1e-12)
        for tb, ta in zip(b.assertions, a.assertions, strict=True):
            assert ta.p_value >= tb.p_value * (1 - 1e-12)


# SHANGRLA's card-style sizes for the same election (make_vectors.py, second document):
# consistent sampling, without replacement, no errors assumed.
SHANGRLA_CONSISTENT_TOTAL = 67
SHANGRLA_CONTEST_SIZES_WITHOUT_REPLACEMENT = {"Mayor": 28, "Council": 43, "Measure": 24}


def test_set_sizes_against_shangrla_consistent_sampling() -> None:
    """Uniform draws from one frame need more cards than SHANGRLA's consistent sampling (which
    gives each card the largest n_c/N_c of its contests), and draws with replacement a few more
    than without: ballotproof's sizes are never the smaller.  The numbers, not just the
    direction: 97 draws here against SHANGRLA's 67."""
    alpha = SHANGRLA["alpha"]
    universe = 400 + 3 * election.PHANTOMS
    for c in _contests():
        ours = contest_sample_size(c, MARGINS, risk_limit=alpha)
        assert ours is not None
        assert SHANGRLA_CONTEST_SIZES_WITHOUT_REPLACEMENT[c.name] <= ours
        assert ours - SHANGRLA_CONTEST_SIZES_WITHOUT_REPLACEMENT[c.name] <= 5
    ours_total = set_sample_size(_contests(), MARGINS, universe=universe, risk_limit=alpha)
    assert ours_total == 97  # max(⌈29·409/303⌉, ⌈48·409/203⌉, ⌈25·409/203⌉): Council
    assert ours_total >= SHANGRLA_CONSISTENT_TOTAL


@st.composite
def _plurality(draw: st.DrawFn) -> tuple[AuditedContest, list[Card]]:
    k = draw(st.integers(2, 5))
    choices = tuple(f"c{i}" for i in range(k))
    n = draw(st.integers(1, k - 1))
    winners = tuple(draw(st.permutations(choices))[:n])
    cards: list[Card] = [
        {"X": draw(st.lists(st.sampled_from(choices), max_size=k, unique=True))}
        if draw(st.booleans())
        else {"Y": []}
        for _ in range(draw(st.integers(0, 40)))
    ]
    extra = draw(st.integers(0, 5))
    with_x = sum(1 for c in cards if "X" in c)
    return AuditedContest("X", choices, winners, max(1, with_x + extra), votes_allowed=n), cards


@settings(max_examples=80, deadline=None)
@given(_plurality())
def test_plurality_margins_are_the_plain_count(case: tuple[AuditedContest, list[Card]]) -> None:
    """v = (votes for w − votes for ℓ)/N_c, counting cards that are not overvoted; cards
    without the contest do not count and the N_c − (cards with it) others are phantoms."""
    contest, cards = case
    valid = [c["X"] for c in cards if "X" in c and len(c["X"]) <= contest.votes_allowed]
    for a, v in margins(contest, cards).items():
        w = sum(1 for m in valid if a.winner in m)
        ell = sum(1 for m in valid if a.loser in m)
        assert v == Fraction(w - ell, contest.cards)
