"""``ballotproof serve --demo``: a workspace with a Georgia 2020 example loaded, for trying it.

The example is the presidential contest in three Georgia counties (Appling, Atkinson, Bacon),
audited by ballot polling (BRAVO) at Georgia's 10 % risk limit: the reported votes are the
counties' certified results and the manifests are the counties' real hand-count batches
(:mod:`ballotproof.io.georgia`, provenance in ``data/us2020/PROVENANCE.md``). Everything goes
through the same use cases as a real audit: the state admin sets it up, each county manager
uploads the county's manifest, the admin launches round 1, and each county gets one audit
board. The passwords and passphrases are random, made for this run, and printed once.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import Method
from ballotproof.io.georgia import load_ga_batches, reported_contest, settings
from ballotproof.store import Accounts, AuditStore, Workspace
from ballotproof.usecases.accounts import add_user
from ballotproof.usecases.boards import create_board
from ballotproof.usecases.workspace import create_audit, launch, upload_manifest

__all__ = ["DEMO_AUDIT", "DEMO_COUNTIES", "DemoLogin", "load_demo"]

DEMO_AUDIT = "ga2020-demo"
DEMO_COUNTIES = ("APPLING", "ATKINSON", "BACON")


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """One way into the demo: who, where to go, and the secret to type."""

    role: str
    who: str
    link: str
    secret: str


def _manifest_csv(county: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Container", "Batch Name", "Number of Ballots"])
    for b in load_ga_batches(county).batches:
        w.writerow([b.container, b.name, b.ballots])
    return buf.getvalue().encode()


def load_demo(store: AuditStore, *, now: Callable[[], str]) -> list[DemoLogin]:
    """Set up, upload, launch and make boards for the demo audit; the log-ins to print."""
    accounts, workspace = Accounts(store.engine), Workspace(store.engine)
    logins: list[DemoLogin] = []

    def person(role: str, email: str, county: str | None = None) -> str:
        password = secrets.token_urlsafe(12)
        add_user(accounts, email, role, password, jurisdiction=county)
        logins.append(
            DemoLogin(role, email + (f" ({county})" if county else ""), "/login", password)
        )
        return email

    admin = person("state-admin", "admin@sos.ga.demo")
    managers = {
        c: person("county-manager", f"{c.lower()}@county.ga.demo", c) for c in DEMO_COUNTIES
    }
    tally: dict[str, int] = {}
    ballots = 0
    for county in DEMO_COUNTIES:
        c = reported_contest(county)
        for choice, votes in c.tally.items():
            tally[choice] = tally.get(choice, 0) + votes
        ballots += c.ballots
    ga = settings()
    create_audit(
        workspace,
        store,
        name=DEMO_AUDIT,
        contest=AuditContest("GA President (Appling, Atkinson, Bacon)", tally, ballots),
        method=Method.BRAVO,
        risk_limit=float(ga["risk_limit"]),
        seed=ga["random_seed"],
        seed_ceremony="Georgia's 2020 audit seed (from the state's audit settings), reused here",
        counties=managers,
        created_by=admin,
        now=now,
    )
    for county, email in managers.items():
        upload_manifest(
            workspace,
            DEMO_AUDIT,
            county,
            f"{county.lower()}-manifest.csv",
            _manifest_csv(county),
            uploaded_by=email,
            now=now,
        )
    launch(workspace, store, DEMO_AUDIT, now=now)
    for county in DEMO_COUNTIES:
        board = create_board(
            accounts,
            workspace,
            DEMO_AUDIT,
            county,
            "Board 1",
            (f"{county.title()} member 1", f"{county.title()} member 2"),
            now=now,
        )
        logins.append(DemoLogin("audit-board", f"{county} Board 1", board.link, board.passphrase))
    logins.append(DemoLogin("public", "anyone", f"/audits/{DEMO_AUDIT}", ""))
    return logins
