"""``audit plan`` and ``audit risk``: sample sizes and the risk of a sample, stateless."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ballotproof.cli.app import Format, FormatOpt, emit_json, handle_errors, out, output_format
from ballotproof.cli.audit import (
    BallotsOpt,
    JsonOpt,
    RiskOpt,
    TallyOpt,
    WinnersOpt,
    _check_alpha,
    _contest,
    _fmt,
    _parse_counts,
    audit_app,
)
from ballotproof.cli.render import Table
from ballotproof.errors import InputError

if TYPE_CHECKING:
    from ballotproof.audit import supersimple
    from ballotproof.audit.contest import AuditContest

# The statistics are imported inside the commands that use them: scipy's signal and stats
# modules cost seconds to import, and ``ballotproof --help`` or ``results`` need neither.

POLLING = ("bravo", "minerva", "alpha-polling")


COMPARISON = ("supersimple", "alpha-comparison", "macro")


PROBABILITIES = (0.7, 0.8, 0.9)


def _discrepancies(text: str | None) -> supersimple.Discrepancies:
    from ballotproof.audit import supersimple

    if not text:
        return supersimple.Discrepancies()
    d = _parse_counts(text, "discrepancies")
    unknown = set(d) - {"o1", "o2", "u1", "u2"}
    if unknown:
        raise InputError(
            field="discrepancies", expected="o1, o2, u1 and u2", got=",".join(sorted(unknown))
        )
    return supersimple.Discrepancies(**d)


def _sizes(plan: Any) -> dict[str, int | None]:
    return {f"{round(s.probability * 100)}%": s.n for s in plan.sizes}


def _hardest(plan: Any) -> str | None:
    """The winner–loser pair that sets the largest size (None for a tie)."""
    pair = plan.sizes[-1].pair if plan.sizes else None
    return None if pair is None else str(pair)


def _plan_method(
    method: str,
    c: AuditContest,
    risk_limit: float,
    disc: supersimple.Discrepancies,
    sampled: int | None = None,
    batch_tallies: dict[str, Any] | None = None,
    batch_ballots: dict[str, int] | None = None,
    replacement: bool | None = None,
) -> dict[str, Any]:
    """One method's plan; ``replacement`` (ALPHA only) None: each method's customary
    sampling (polling with replacement, comparison without, as SHANGRLA sizes it)."""
    from ballotproof.audit import alpha as alpha_mod
    from ballotproof.audit import bravo, macro, minerva, supersimple

    if method == "bravo":
        plan = bravo.bravo_sample_sizes(c, alpha=risk_limit, probabilities=PROBABILITIES)
        return {
            "kind": "ballot polling",
            "asn": plan.asn,
            "sizes": _sizes(plan),
            "decision": plan.decision.value,
            "closest_pair": _hardest(plan),
            "source": "Lindeman, Stark & Yates 2012 (BRAVO), every winner–loser pair; exact "
            "binomial first-round sizes, sampling with replacement",
        }
    if method == "minerva":
        mplan = minerva.minerva_sample_sizes(c, alpha=risk_limit, probabilities=PROBABILITIES)
        return {
            "kind": "ballot polling",
            "sizes": _sizes(mplan),
            "decision": mplan.decision.value,
            "closest_pair": _hardest(mplan),
            "source": "Zagórski et al. 2021 (Minerva), first round",
        }
    if method == "alpha-polling":
        with_r = replacement is None or replacement
        if with_r:
            ap = alpha_mod.polling_sample_sizes(c, alpha=risk_limit, probabilities=PROBABILITIES)
        else:
            ap = alpha_mod.polling_sample_sizes_without_replacement(
                c, alpha=risk_limit, probabilities=PROBABILITIES
            )
        hardest = ap.sizes[-1].pair
        eta0 = next((p.eta0 for p in ap.pairs if p.pair == hardest), None)
        doc: dict[str, Any] = {
            "kind": "ballot polling",
            "asn": ap.asn,
            "sizes": _sizes(ap),
            "decision": ap.decision.value,
            "closest_pair": None if hardest is None else str(hardest),
            "eta0": None if eta0 is None else round(eta0, 6),
            "pairs": {str(p.pair): round(p.eta0, 6) for p in ap.pairs},
            "reps": None,
            "exact": True,
            "replacement": True,
            "source": "Stark 2023 (ALPHA), η fixed at the reported assorter mean η0 of each "
            "winner–loser assertion; exact binomial first-round sizes, sampling with "
            "replacement (checking after every ballot stops at least as often)",
        }
        if not with_r:
            doc.update(
                reps=alpha_mod.PLAN_REPS,
                seed=alpha_mod.PLAN_SEED,
                exact=False,
                replacement=False,
                source="Stark 2023 (ALPHA) without replacement: μ_j and η_j the null and "
                "alternative (η0 = reported assorter mean) means of the ballots not yet drawn; "
                f"quantiles of {alpha_mod.PLAN_REPS} simulated sequential audits (fixed seed, "
                "as a stored audit sizes its rounds); asn is the mean stopping time",
            )
        return doc
    if method == "supersimple":
        none = supersimple.sample_size(c, alpha=risk_limit)
        planned = supersimple.planned_sample_size(c, alpha=risk_limit)
        out_: dict[str, Any] = {
            "kind": "ballot comparison",
            "diluted_margin": c.diluted_margin(),
            "no_errors": none.n,
            "customary_rates": planned.n,
            "closest_pair": None if c.tied else str(none.pair),
            "source": "Stark 2010 (super-simple), γ = 1.03905; customary rates 0.1% one-vote "
            "and 0.01% two-vote over- and understatements",
        }
        if disc.total:
            # Stark's rule: discrepancies continue at the rate seen in the planned sample.
            seen_in = sampled or planned.n or 1
            out_["with_observed"] = supersimple.escalated_sample_size(
                c, alpha=risk_limit, sampled=seen_in, observed=disc
            ).n
            out_["observed_in_sample_of"] = seen_in
            out_["nmin_with_observed"] = supersimple.sample_size(
                c, alpha=risk_limit, observed=disc
            ).n
            out_["discrepancies"] = {"o1": disc.o1, "o2": disc.o2, "u1": disc.u1, "u2": disc.u2}
        return out_
    if method == "macro":
        if batch_tallies is None or batch_ballots is None:
            return {
                "kind": "batch comparison",
                "applicable": False,
                "reason": "needs the reported batch tallies and the ballot manifest "
                "(--batch-tallies FILE --manifest FILE)",
            }
        batches = [
            macro.Batch(name, batch_ballots[name], dict(t)) for name, t in batch_tallies.items()
        ]
        size = macro.sample_size(c, batches, alpha=risk_limit)
        padded = macro.sample_size(c, batches, alpha=risk_limit, pad=1)
        return {
            "kind": "batch comparison",
            "applicable": True,
            "batches": size.K,
            "total_error_bound": float(size.U),
            "no_errors": size.n,
            "padded": padded.n,
            "decision": size.decision.value,
            "source": "Stark 2008/2009 (MACRO), PPEB sampling with replacement; 'padded' "
            "adds the one-batch cushion existing tools add",
        }
    if method == "alpha-comparison":
        wo = replacement is None or not replacement
        ac = alpha_mod.comparison_sample_size(c, alpha=risk_limit, replacement=not wo)
        ac_pair = next((p for p in ac.pairs if p.pair == ac.pair), None)
        return {
            "kind": "ballot comparison",
            "no_errors": ac.n,
            "sizes": {f"{round(p * 100)}%": ac.n for p in PROBABILITIES},
            "decision": ac.decision.value,
            "closest_pair": None if ac.pair is None else str(ac.pair),
            "eta": None if ac_pair is None or ac_pair.eta is None else round(ac_pair.eta, 6),
            "u": None if ac_pair is None else round(ac_pair.u, 6),
            "error_rate_2": ac.error_rate_2,
            "reps": None,
            "exact": True,
            "replacement": not wo,
            "source": "Stark 2023 (ALPHA) with SHANGRLA overstatement assorters (Stark 2020), "
            "u = 2/(2 − v), η = SHANGRLA's optimal_comparison for 2-vote overstatements at "
            "1e-5; every CVR right, so the audit stops after exactly this many cards, "
            + ("drawn without replacement" if wo else "drawn with replacement"),
        }
    raise typer.BadParameter(
        f"unknown method {method!r}; one of " + ", ".join(POLLING + COMPARISON),
        param_hint="--method",
    )


@audit_app.command()
@handle_errors
def plan(
    tally: TallyOpt,
    ballots: BallotsOpt,
    risk_limit: RiskOpt = 0.1,
    winners: WinnersOpt = 1,
    method: Annotated[str | None, typer.Option(help="One method only.")] = None,
    discrepancies: Annotated[
        str | None, typer.Option(help="Comparison: seen so far, e.g. o1=1,o2=0,u1=0,u2=0.")
    ] = None,
    sampled: Annotated[
        int | None,
        typer.Option(
            help="Comparison: ballots in which --discrepancies were found "
            "(default: the planned size)."
        ),
    ] = None,
    reps: Annotated[
        int,
        typer.Option(help="Ignored: ALPHA sizes are now exact (kept for old command lines)."),
    ] = 400,
    batch_tallies: Annotated[
        Path | None, typer.Option(help="MACRO: reported batch tallies (Batch Name + choices).")
    ] = None,
    manifest: Annotated[
        Path | None, typer.Option(help="MACRO: the ballot manifest (ballots per batch).")
    ] = None,
    replacement: Annotated[
        bool | None,
        typer.Option(
            "--replacement/--without-replacement",
            help="ALPHA: draws with replacement or of distinct ballots (default: polling "
            "with, comparison without, as SHANGRLA sizes it).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
) -> None:
    """Sample sizes for every applicable method (or one), as a table or JSON."""
    as_json = output_format(as_json, fmt) is Format.JSON
    from ballotproof.audit.contest import Decision

    _check_alpha(risk_limit)
    if method == "alpha":  # the stored method's name
        method = "alpha-polling"
    tallies: dict[str, Any] | None = None
    batch_ballots: dict[str, int] | None = None
    if batch_tallies is not None:
        if manifest is None:
            raise typer.BadParameter(
                "MACRO needs --manifest with --batch-tallies", param_hint="--manifest"
            )
        from ballotproof.io.batch_tallies import load_batch_tallies
        from ballotproof.io.manifest import load_manifest  # numpy: only when used

        m = load_manifest(manifest)
        tallies = load_batch_tallies(batch_tallies, manifest=m)
        batch_ballots = {b.name: b.ballots for b in m.batches}
    c = _contest(tally, ballots, winners)
    disc = _discrepancies(discrepancies)
    methods = [method] if method else list(POLLING + COMPARISON)
    doc: dict[str, Any] = {
        "contest": {
            "tally": dict(c.tally),
            "ballots": c.ballots,
            "winners": c.winners,
            "reported_winners": list(c.reported_winners),
            "diluted_margin": c.diluted_margin(),
            "tied": c.tied,
        },
        "risk_limit": risk_limit,
        "methods": {
            m: _plan_method(m, c, risk_limit, disc, sampled, tallies, batch_ballots, replacement)
            for m in methods
        },
    }
    if c.tied:
        doc["decision"] = Decision.FULL_HAND_COUNT.value
    if as_json:
        emit_json(doc)
        return
    table = Table(
        title=f"Sample sizes at risk limit {risk_limit:g} (N = {c.ballots:,})", title_justify="left"
    )
    for col in ("Method", "Kind", "ASN / no errors", "70%", "80%", "90%", "Note"):
        table.add_column(col)
    for m, r in doc["methods"].items():
        sizes = r.get("sizes", {})
        first = r.get("asn", r.get("no_errors", ""))
        note = r.get("reason", "")
        if r.get("applicable") and "padded" in r:
            note = (
                f"{r['batches']} batches, U = {r['total_error_bound']:.3f}; padded: {r['padded']}"
            )
        if "customary_rates" in r:
            note = f"customary rates: {r['customary_rates']}"
            if "with_observed" in r:
                note += f"; with observed: {r['with_observed']}"
        if m == "alpha-polling" and r.get("eta0") is not None:
            note = f"η0 = {r['eta0']:g}, " + (
                "exact, with replacement"
                if r["replacement"]
                else f"without replacement, {r['reps']} simulations"
            )
        if m == "alpha-comparison" and r.get("eta") is not None:
            note = f"no errors; η = {r['eta']:g}, u = {r['u']:g}" + (
                ", with replacement" if r["replacement"] else ""
            )
        if len(c.pairs()) > 1 and r.get("closest_pair"):
            note = (note + "; " if note else "") + (
                f"{len(c.pairs())} pairs, hardest {r['closest_pair']}"
            )
        table.add_row(
            m, r["kind"], _fmt(first), *(_fmt(sizes.get(k)) for k in ("70%", "80%", "90%")), note
        )
    out.print(table)
    if c.tied:
        out.print("[bold]The reported result is a tie: only a full hand count can decide it.[/]")
    else:
        big = [
            m
            for m, r in doc["methods"].items()
            if any((v or 0) >= c.ballots for v in r.get("sizes", {}).values())
        ]
        if big:
            out.print(
                f"Sizes reaching all {c.ballots:,} ballots ({', '.join(big)}): a full hand count."
            )


READINGS = ("blank", "overvote", "not_found")


def _alpha_polling_risk(
    c: AuditContest,
    risk_limit: float,
    sample: str | None,
    sequence: str | None,
    replacement: bool,
) -> dict[str, float]:
    """ALPHA polling P-value per pair (η fixed at the reported assorter mean; without
    replacement the finite-population test, which needs the draws in order)."""
    from ballotproof.audit import alpha_audit

    if sequence:
        readings = [x.strip() for x in sequence.split(",") if x.strip()]
        for r in readings:
            if r not in c.tally and r not in READINGS:
                raise InputError(
                    field="sequence", expected="choices, blank, overvote or not_found", got=r
                )
    elif sample and replacement:
        counts = _parse_counts(sample, "sample")
        unknown = sorted(set(counts) - set(c.tally))
        if unknown:
            raise InputError(field="sample", expected="choices of --tally", got=unknown[0])
        # Every factor of a reported winner's vote is > 1 and every other ≤ 1: drawn last, they
        # make the running maximum T's final value, so the P-value is 1/max(1, T_n) — what
        # counts without an order can show (the sequential P-value is at most this).
        winners = set(c.reported_winners)
        readings = [k for k, n in counts.items() if k not in winners for _ in range(n)]
        readings += [k for k, n in counts.items() if k in winners for _ in range(n)]
    elif sample:
        raise typer.BadParameter(
            "without replacement the risk depends on the order of the draws: give --sequence",
            param_hint="--sequence",
        )
    else:
        raise typer.BadParameter("give --sample or --sequence", param_hint="--sample")
    risks = alpha_audit.polling_pair_risks(
        c,
        readings,
        risk_limit=risk_limit,
        not_found="not_found",
        N=None if replacement else c.ballots,
    )
    return {str(k): v for k, v in risks.items()}


def _alpha_comparison_risk(
    c: AuditContest,
    risk_limit: float,
    sample_size: int | None,
    discrepancies: str | None,
    sequence: str | None,
    replacement: bool,
) -> float:
    """ALPHA comparison P-value of the closest pair from its overstatements in votes."""
    import math

    from ballotproof.audit import alpha as alpha_mod

    pair = min(c.pairs(), key=lambda p: alpha_mod.assorter_margin(c, p))
    v = alpha_mod.assorter_margin(c, pair)
    u = alpha_mod.comparison_upper_bound(v)
    if sequence:
        try:
            es = [int(x) for x in sequence.split(",") if x.strip()]
        except ValueError:
            raise InputError(
                field="sequence", expected="overstatements in votes, -2 to 2", got=sequence
            ) from None
        if any(not -2 <= e <= 2 for e in es):
            raise InputError(field="sequence", expected="overstatements -2 to 2", got=sequence)
    elif sample_size is not None and replacement:
        d = _discrepancies(discrepancies)
        clean = sample_size - d.total
        if clean < 0:
            raise InputError(field="sample-size", expected=f"at least {d.total}", got=sample_size)
        # Overstatements first, understatements last: the running maximum of T is its end.
        es = [2] * d.o2 + [1] * d.o1 + [0] * clean + [-1] * d.u1 + [-2] * d.u2
    elif sample_size is not None:
        raise typer.BadParameter(
            "without replacement the risk depends on the order of the draws: give --sequence",
            param_hint="--sequence",
        )
    else:
        raise typer.BadParameter("give --sample-size or --sequence", param_hint="--sample-size")
    if not es:
        return 1.0
    x = alpha_mod.overstatement_assorter([e / 2 for e in es], v=v)
    eta = alpha_mod.optimal_comparison_eta(u)
    n_pop = None if replacement else c.ballots
    r = alpha_mod.risk(x, alpha=risk_limit, eta0=eta, u=u, N=n_pop, d=math.inf, epsilon=0.0)
    return r.p_value


@audit_app.command()
@handle_errors
def risk(
    method: Annotated[
        str,
        typer.Option(
            help="bravo, minerva, alpha (alpha-polling), supersimple or alpha-comparison."
        ),
    ],
    tally: TallyOpt,
    ballots: BallotsOpt,
    risk_limit: RiskOpt = 0.1,
    winners: WinnersOpt = 1,
    sample: Annotated[
        str | None,
        typer.Option(
            help='Polling: sampled votes, e.g. "A=72,B=47"; Minerva: rounds separated '
            'by ";" (cumulative).'
        ),
    ] = None,
    sample_size: Annotated[int | None, typer.Option(help="Comparison: ballots sampled.")] = None,
    discrepancies: Annotated[
        str | None, typer.Option(help="Comparison: o1=…,o2=…,u1=…,u2=… found in the sample.")
    ] = None,
    sequence: Annotated[
        str | None,
        typer.Option(
            help="ALPHA: the draws in order — polling: readings (choices, blank, overvote, "
            'not_found), e.g. "A,B,blank,A"; comparison: overstatements in votes of the '
            'closest pair, e.g. "0,0,1,0,-1".'
        ),
    ] = None,
    without_replacement: Annotated[
        bool,
        typer.Option(
            "--without-replacement",
            show_default=False,
            help="ALPHA: the draws are distinct ballots (the finite-population test; needs "
            "--sequence).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """The risk (p-value) of a sample, per winner–loser pair, and whether the audit may stop."""
    from ballotproof.audit import bravo, minerva, supersimple
    from ballotproof.audit.contest import Decision

    _check_alpha(risk_limit)
    c = _contest(tally, ballots, winners)
    if without_replacement and method not in ("alpha", "alpha-polling", "alpha-comparison"):
        raise typer.BadParameter(
            "only alpha and alpha-comparison measure draws without replacement",
            param_hint="--without-replacement",
        )
    extra: dict[str, Any] = {}
    if method in ("alpha", "alpha-polling", "alpha-comparison"):
        extra["replacement"] = not without_replacement
    if c.tied and method in ("alpha", "alpha-polling", "alpha-comparison"):
        pairs, value, decision = {}, 1.0, Decision.FULL_HAND_COUNT
    elif method in ("alpha", "alpha-polling"):
        pairs = _alpha_polling_risk(c, risk_limit, sample, sequence, not without_replacement)
        value = max(pairs.values())
        decision = Decision.CONFIRM if value <= risk_limit else Decision.NEXT_ROUND
    elif method == "alpha-comparison":
        value = _alpha_comparison_risk(
            c, risk_limit, sample_size, discrepancies, sequence, not without_replacement
        )
        pairs = {"closest pair": value}
        decision = Decision.CONFIRM if value <= risk_limit else Decision.NEXT_ROUND
    elif method == "bravo":
        if not sample:
            raise typer.BadParameter("give --sample", param_hint="--sample")
        b = bravo.bravo_risk(c, _parse_counts(sample, "sample"), alpha=risk_limit)
        pairs = {str(p.pair): p.risk for p in b.pairs}
        value, decision = b.risk, b.decision
    elif method == "minerva":
        if not sample:
            raise typer.BadParameter("give --sample", param_hint="--sample")
        rounds = [_parse_counts(part, "sample") for part in sample.split(";") if part.strip()]
        m = minerva.minerva_risk(c, rounds, alpha=risk_limit)
        pairs = {str(p.pair): p.risk for p in m.pairs}
        value, decision = m.risk, m.decision
    elif method == "supersimple":
        if sample_size is None:
            raise typer.BadParameter("give --sample-size", param_hint="--sample-size")
        d = _discrepancies(discrepancies)
        s = supersimple.risk_from_counts(c, sample_size, d, alpha=risk_limit)
        pairs = {"closest pair": s.p_value}
        value, decision = s.p_value, s.decision
    else:
        raise typer.BadParameter(
            "bravo, minerva, alpha, supersimple or alpha-comparison", param_hint="--method"
        )
    doc: dict[str, Any] = {
        "method": method,
        "risk_limit": risk_limit,
        "tally": dict(c.tally),
        "ballots": c.ballots,
        "pairs": pairs,
        "risk": value,
        "decision": decision.value,
        "may_stop": decision is Decision.CONFIRM,
        **extra,
    }
    if as_json:
        emit_json(doc)
        return
    for pair, pair_risk in pairs.items():
        out.print(f"{pair}: risk {pair_risk:.4g}")
    out.print(f"risk {value:.4g} against α = {risk_limit:g}: [bold]{decision.value}[/]")
