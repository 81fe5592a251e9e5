"""Compute SHANGRLA's numbers for election.py (run with a Python that has SHANGRLA):

    PYTHONPATH=<SHANGRLA checkout> python tests/data/shangrla/make_vectors.py

Prints the vectors pasted into tests/audit/test_assertions.py.  Uses SHANGRLA's own classes
(Contest, Assertion, CVR, NonnegMean); nothing here is part of ballotproof.
"""

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import election
from shangrla.core.Audit import CVR, Assertion, Audit, Contest
from shangrla.core.NonnegMean import NonnegMean

ALPHA = 0.05
cvr_dicts = election.cvrs()


def contest(cid, choices, winners, *, vote_for=1, sm=None):
    return Contest(
        id=cid,
        name=cid,
        risk_limit=ALPHA,
        cards=election.cards(cid),
        choice_function=Contest.SOCIAL_CHOICE_FUNCTION.SUPERMAJORITY
        if sm
        else Contest.SOCIAL_CHOICE_FUNCTION.PLURALITY,
        n_winners=len(winners),
        vote_for=vote_for,
        share_to_win=sm,
        candidates=list(choices),
        winner=list(winners),
        audit_type=Audit.AUDIT_TYPE.CARD_COMPARISON,
        use_style=True,
        test=NonnegMean.alpha_mart,
        estim=NonnegMean.optimal_comparison,
    )


def as_cvr(i, d, phantom=False):
    return CVR(id=str(i), votes={k: {c: 1 for c in v} for k, v in d.items()}, phantom=phantom)


contests = {
    "Mayor": contest("Mayor", election.MAYOR, ["A"]),
    "Council": contest("Council", election.COUNCIL, ["P", "Q"], vote_for=2),
    "Measure": contest("Measure", election.MEASURE, ["Yes"], sm=2 / 3),
}
cvrs = [as_cvr(i, d) for i, d in enumerate(cvr_dicts)]
phantoms = [
    as_cvr(f"phantom-{name}-{k}", {name: []}, phantom=True)
    for name in contests
    for k in range(election.PHANTOMS)
]
every = cvrs + phantoms
out = {"shangrla_commit": "9d5db92edf1b5405204ab5a9f10cce2a9331e913", "alpha": ALPHA}
asserts = {}
for name, con in contests.items():
    if con.share_to_win:
        a = Assertion.make_supermajority_assertion(
            contest=con,
            share_to_win=con.share_to_win,
            winner="Yes",
            loser=["No"],
            test=NonnegMean.alpha_mart,
            estim=NonnegMean.optimal_comparison,
        )
    else:
        losers = [c for c in con.candidates if c not in con.winner]
        a = Assertion.make_plurality_assertions(
            contest=con,
            winner=con.winner,
            loser=losers,
            test=NonnegMean.alpha_mart,
            estim=NonnegMean.optimal_comparison,
        )
    for k, asn in a.items():
        asn.margin = asn.margin_ = 2 * asn.assorter.mean(every, use_style=True) - 1
        asn.margin = float(asn.margin)
        asserts[(name, k)] = asn

out["margins"] = {f"{n}|{k}": a.margin for (n, k), a in asserts.items()}
# Assorter values of a few CVRs.
probe = [
    {"Mayor": ["A"]},
    {"Mayor": ["B"]},
    {"Mayor": []},
    {"Council": ["P", "R"]},
    {"Council": ["R", "S"]},
    {"Council": ["Q"]},
    {"Measure": ["Yes"]},
    {"Measure": ["No"]},
    {"Measure": ["Yes", "No"]},
    {"Measure": []},
]
out["assort"] = {
    f"{n}|{k}|{json.dumps(p)}": float(a.assorter.assort(as_cvr("p", p)))
    for (n, k), a in asserts.items()
    for p in probe
    if n in p
}
# Overstatement assorter values: (cvr, mvr) pairs.
pairs = [
    ({"Mayor": ["A"]}, {"Mayor": ["A"]}, False),
    ({"Mayor": ["A"]}, {"Mayor": ["B"]}, False),
    ({"Mayor": ["A"]}, {"Mayor": []}, False),
    ({"Mayor": ["B"]}, {"Mayor": ["A"]}, False),
    ({"Mayor": ["A"]}, {}, False),
    ({"Mayor": ["A"]}, None, False),
    ({"Mayor": []}, None, True),
    ({"Council": ["P", "Q"]}, {"Council": ["R", "S"]}, False),
    ({"Measure": ["Yes"]}, {"Measure": ["No"]}, False),
    ({"Measure": ["No"]}, {"Measure": ["Yes"]}, False),
    ({"Measure": ["Yes"]}, {"Measure": ["Yes", "No"]}, False),
]
ov = {}
for (n, k), a in asserts.items():
    for cvr, mvr, cvr_phantom in pairs:
        if n not in cvr:
            continue
        c = as_cvr("c", cvr, phantom=cvr_phantom)
        m = as_cvr("m", {}, phantom=True) if mvr is None else as_cvr("m", mvr)
        ov[f"{n}|{k}|{json.dumps(cvr)}|{json.dumps(mvr)}|{cvr_phantom}"] = float(
            a.overstatement_assorter(m, c, use_style=True)
        )
out["overstatement"] = ov
# Risks on the draws (with replacement): comparison and polling.
draw_cvrs = [cvrs[i] for i in election.DRAWS]
draw_mvrs = []
for j, i in enumerate(election.DRAWS):
    if j in election.CHANGED:
        ch = election.CHANGED[j]
        draw_mvrs.append(as_cvr(f"m{j}", {}, phantom=True) if ch is None else as_cvr(f"m{j}", ch))
    else:
        draw_mvrs.append(as_cvr(f"m{j}", cvr_dicts[i]))
risks, polling, sizes = {}, {}, {}
for (n, k), a in asserts.items():
    u_b = 2 / (2 - a.margin / a.assorter.upper_bound)
    x = np.array(
        [
            a.overstatement_assorter(m, c, use_style=True)
            for m, c in zip(draw_mvrs, draw_cvrs, strict=True)
            if c.has_contest(n)
        ]
    )
    t = NonnegMean(
        test=NonnegMean.alpha_mart, estim=NonnegMean.optimal_comparison, u=u_b, N=np.inf, t=1 / 2
    )
    risks[f"{n}|{k}"] = [len(x), float(t.test(x)[0])]
    y = np.array(
        [
            0.0 if (m.phantom or not m.has_contest(n)) else a.assorter.assort(m)
            for m, c in zip(draw_mvrs, draw_cvrs, strict=True)
            if c.has_contest(n)
        ]
    )
    tp = NonnegMean(
        test=NonnegMean.alpha_mart,
        estim=NonnegMean.fixed_alternative_mean,
        eta=(1 + a.margin) / 2,
        u=a.assorter.upper_bound,
        N=np.inf,
        t=1 / 2,
    )
    polling[f"{n}|{k}"] = [len(y), float(tp.test(y)[0])]
    clean = a.make_overstatement(overs=0)
    ph = t.test(np.full(20000, clean))[1]
    sizes[f"{n}|{k}"] = int(np.argmax(ph <= ALPHA) + 1)
out["comparison_risk"] = risks
out["polling_risk"] = polling
out["clean_size_with_replacement"] = sizes
print(json.dumps(out, indent=1))

# Card-style sizes of the set: SHANGRLA's Audit.find_sample_size with use_style (consistent
# sampling: each card's probability is the largest n_c/N_c of its contests; without
# replacement, no errors assumed).
from shangrla.core.Audit import Stratum  # noqa: E402

audit = Audit(
    error_rate_1=0,
    error_rate_2=0,
    reps=None,
    quantile=0.5,
    strata={
        "s": Stratum(
            id="s", use_style=True, replacement=False, audit_type=Audit.AUDIT_TYPE.CARD_COMPARISON
        )
    },
)
for name, con in contests.items():
    con.assertions = {k: a for (n, k), a in asserts.items() if n == name}
    for a in con.assertions.values():
        a.test.u = 2 / (2 - a.margin / a.assorter.upper_bound)
        a.test.N = con.cards
for c in every:
    c.sampled = False
total = audit.find_sample_size(contests, cvrs=every)
print(
    json.dumps(
        {
            "consistent_sampling_total": int(total),
            "contest_sizes_without_replacement": {
                n: int(c.sample_size) for n, c in contests.items()
            },
        },
        indent=1,
    )
)
