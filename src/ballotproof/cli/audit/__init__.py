"""``ballotproof audit …``: plan, run, record, check and verify risk-limiting audits.

Stateless commands (``plan``, ``risk``, ``sample --manifest``) compute from their arguments.
Stateful ones keep the audit in a database (``--db``, SQLite file by default; any SQLAlchemy
URL works): ``start`` draws round 1, ``sample`` writes the retrieval list, ``record`` stores
interpretations and closes rounds, ``status`` and ``report`` show the risk, ``verify``
recomputes everything and checks the record for edits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ballotproof.cli.app import Format, FormatOpt, app, out, output_format
from ballotproof.cli.render import Table
from ballotproof.errors import InputError

if TYPE_CHECKING:
    from ballotproof.audit.contest import AuditContest

audit_app = typer.Typer(
    name="audit",
    help="Risk-limiting audits: plan sizes, draw samples, record ballots, measure risk, verify.",
    no_args_is_help=True,
)


app.add_typer(audit_app, name="audit")


JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


TallyOpt = Annotated[str, typer.Option(help='Reported votes, e.g. "A=600,B=400".')]


BallotsOpt = Annotated[int, typer.Option(help="Ballots cast in the contest (N).")]


RiskOpt = Annotated[float, typer.Option("--risk-limit", help="Risk limit α, e.g. 0.10.")]


WinnersOpt = Annotated[int, typer.Option(help="Number of winners (vote for n).")]


DbOpt = Annotated[
    str,
    typer.Option(
        "--db",
        help="Audit database: a SQLite file, or a SQLAlchemy URL (sqlite:///…, "
        "postgresql+psycopg://…).",
    ),
]


NameOpt = Annotated[str, typer.Option("--audit", help="The audit's name.")]


def _parse_counts(text: str, option: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name or not value.strip().isdigit():
            raise InputError(
                field=option, expected='name=count pairs such as "A=600,B=400"', got=part
            )
        if name in counts:
            raise InputError("a name appears twice", field=option, got=name)
        counts[name] = int(value)
    if not counts:
        raise InputError(field=option, expected='name=count pairs such as "A=600,B=400"', got=text)
    return counts


def _contest(tally: str, ballots: int, winners: int, name: str = "contest") -> AuditContest:
    from ballotproof.audit.contest import AuditContest

    return AuditContest(name, _parse_counts(tally, "tally"), ballots, winners)


def _check_alpha(risk_limit: float) -> None:
    if not 0.0 < risk_limit < 1.0:
        raise typer.BadParameter(
            "the risk limit must lie strictly between 0 and 1", param_hint="--risk-limit"
        )


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def method_names() -> list[str]:
    """The methods an audit can be stored with (the registry, audit/methods.py)."""
    from ballotproof.audit.methods import METHODS

    return [m.value for m in METHODS]


METHOD_HELP = (
    "bravo, minerva or alpha (ballot polling); supersimple or alpha-comparison (with --cvrs); "
    "macro (with --batch-tallies); shangrla-comparison (several contests: --contests and "
    "--cvrs). See 'ballotproof audit methods'."
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status_doc(stored: Any) -> dict[str, Any]:
    from ballotproof.report.audit import status_doc

    return status_doc(stored)


def _print_status(doc: dict[str, Any]) -> None:
    table = Table(
        title=f"Audit {doc['audit']} ({doc['method']}, α = {doc['risk_limit']:g})",
        title_justify="left",
    )
    for col in ("Round", "Size", "Missing", "Risk", "Decision"):
        table.add_column(col)
    for r in doc["rounds"]:
        res = r["result"]
        table.add_row(
            str(r["round"]),
            f"{r['size']:,}",
            str(r["missing"]),
            f"{res['risk']:.4g}" if res else "",
            res["decision"] if res else "open",
        )
    out.print(table)
    if "contests" in doc:  # several contests from one sample: each one's latest risk
        per = Table(title="Risk per contest (latest round)", title_justify="left")
        for col in ("Contest", "Targeted", "Rule", "Cards", "Risk"):
            per.add_column(col)
        for c in doc["contests"]:
            per.add_row(
                c["contest"],
                "yes" if c["targeted"] else "no (opportunistic)",
                c["rule"],
                f"{c['cards']:,}",
                "" if c["risk"] is None else f"{c['risk']:.4g}",
            )
        out.print(per)
    out.print(f"journal head: {doc['journal_head']}")


@audit_app.command()
def methods(as_json: JsonOpt = False, fmt: FormatOpt = None) -> None:
    """The methods an audit can be stored with: kind, paper, how later rounds are sized."""
    as_json = output_format(as_json, fmt) is Format.JSON
    from ballotproof.audit.methods import METHODS, method_json
    from ballotproof.cli.app import emit_json

    if as_json:
        emit_json({"methods": [method_json(m) for m in METHODS.values()]})
        return
    table = Table(title="Stored audit methods", title_justify="left")
    for col in ("Method", "Kind", "What", "Source", "Later rounds"):
        table.add_column(col)
    for m in METHODS.values():
        table.add_row(m.method.value, m.kind, m.title, m.source, m.later_rounds)
    out.print(table)


# The commands live in one module per concern and register themselves on ``audit_app``.
from ballotproof.cli.audit import plan, run  # noqa: E402, F401, I001
from ballotproof.cli.audit import publish  # noqa: E402, F401
from ballotproof.cli.audit import georgia  # noqa: E402, F401
