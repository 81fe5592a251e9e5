"""Audit boards: two people who pull the drawn ballots of their county and enter what they see.

A county manager creates a board (:func:`create_board`): the board gets a log-in link (its
``code``) and a random passphrase, shown once; the passphrase is kept only as an argon2 hash
(the board logs in as a user of role ``audit-board``). The manager can revoke a board
(:func:`revoke_board`): its passphrase stops working and its sessions end.

A board enters each ballot of its county's current round (:func:`enter_reading`); both members
confirm every entry (their names are part of the recorded note). Entries go through the audit
record like any other reading (:meth:`ballotproof.store.AuditStore.record`): appended, hashed
into the journal, never overwritten. A retried entry with the same reading is not recorded
twice; a different reading of a ballot already read (another board, another tab) is refused as
a conflict until the county manager corrects it (:func:`correct_reading`, recorded as a
correction). When a board has entered its ballots it signs off (:func:`sign_off`) and can
enter no more in that round.

When every ballot of the round has been read, the round closes by itself: the risk of each
contest is measured and the next round is drawn, or the audit ends (the engine's rule).
"""

from __future__ import annotations

import ast
import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ballotproof.errors import InputError, StoreError
from ballotproof.store import Accounts, AuditStatus, AuditStore, Workspace
from ballotproof.store.workspace import BoardRow
from ballotproof.usecases.accounts import Session, add_user
from ballotproof.usecases.retrieval import RetrievalEntry, retrieval_list

__all__ = [
    "BoardBallot",
    "NewBoard",
    "ReadingRequest",
    "board_ballots",
    "board_email",
    "board_of",
    "board_summary",
    "correct_reading",
    "county_board",
    "county_boards",
    "county_retrieval",
    "create_board",
    "enter_reading",
    "enter_reading_once",
    "revoke_board",
    "sign_off",
]

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper
_REVOKED = "!revoked"  # not an argon2 hash: no passphrase matches it


def _passphrase() -> str:
    """Four groups of four characters from 32: 80 random bits."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))


def board_email(code: str) -> str:
    """The user name a board logs in as (never shown to anyone)."""
    return f"board-{code}@boards.invalid"


@dataclass(frozen=True, slots=True)
class NewBoard:
    """A board just created: its passphrase is shown this once."""

    code: str
    name: str
    members: tuple[str, str]
    passphrase: str

    @property
    def link(self) -> str:
        return f"/board/{self.code}"


@dataclass(frozen=True, slots=True)
class BoardBallot:
    """A ballot on a board's list, with the reading recorded for it so far."""

    entry: RetrievalEntry
    reading: str | None

    def to_json(self) -> dict[str, object]:
        e = self.entry
        return {
            "ballot_id": e.ballot_id,
            "label": e.label,
            "container": e.container,
            "tabulator": e.tabulator,
            "batch": e.batch,
            "position": e.position,
            "imprinted_id": e.imprinted_id,
            "times_drawn": e.times_drawn,
            "already_read": e.read_before,
            "phantom": e.phantom,
            "reading": self.reading,
        }


def create_board(
    accounts: Accounts,
    workspace: Workspace,
    audit: str,
    county: str,
    name: str,
    members: Sequence[str],
    *,
    now: Callable[[], str],
) -> NewBoard:
    """Create an audit board of two members for a county of an audit."""
    draft = workspace.draft(audit)
    if draft is None or county not in {c for c, _ in draft.counties}:
        raise StoreError(f"no county {county!r} in audit {audit!r}")
    names = tuple(m.strip() for m in members)
    if len(names) != 2 or not all(names) or names[0] == names[1]:
        raise InputError("an audit board has two members with different names", field="members")
    if not name.strip() or len(name) > 200:
        raise InputError("a board name of 1-200 characters", field="name")
    code = secrets.token_hex(10)
    passphrase = _passphrase()
    user = add_user(accounts, board_email(code), "audit-board", passphrase)
    workspace.add_board(
        BoardRow(code, audit, county, name.strip(), json.dumps(list(names)), user.id, False, None),
        now=now(),
    )
    return NewBoard(code, name.strip(), (names[0], names[1]), passphrase)


def revoke_board(accounts: Accounts, workspace: Workspace, board: BoardRow) -> None:
    """The board's passphrase stops working and its sessions end."""
    workspace.update_board(board.code, revoked=True)
    accounts.set_password_hash(board.user_id, _REVOKED)
    accounts.close_sessions_of(board.user_id)


def board_of(accounts: Accounts, workspace: Workspace, session: Session) -> BoardRow:
    """The board a session belongs to (refused if it was revoked)."""
    user = accounts.user(session.email)
    board = workspace.board(user_id=user.id) if user is not None else None
    if board is None or board.revoked:
        raise StoreError("this audit board no longer exists or was revoked")
    return board


def county_retrieval(
    store: AuditStore, audit: str, county: str, number: int = 0
) -> tuple[AuditStatus, int, list[RetrievalEntry]]:
    """The county's retrieval list of round ``number`` (0: the current round): the status,
    the round, and the county's entries in vault order."""
    if audit not in store.names():
        raise StoreError(f"audit {audit!r} has not been launched")
    status = store.status(audit)
    number = number or status.current_round
    entries = retrieval_list(store, audit, number)
    return status, number, [e for e in entries if e.jurisdiction == county]


def board_summary(board: BoardRow) -> dict[str, object]:
    """A board as the county manager sees it (never its passphrase)."""
    return {
        "board": board.name,
        "code": board.code,
        "members": json.loads(board.members),
        "revoked": board.revoked,
        "signed_off_round": board.signed_off_round,
    }


def county_boards(workspace: Workspace, audit: str, county: str) -> list[dict[str, object]]:
    """The county's boards, as :func:`board_summary` shows them."""
    return [board_summary(b) for b in workspace.boards(audit, county)]


def county_board(workspace: Workspace, audit: str, county: str, code: str) -> BoardRow:
    """A board looked up through its audit and county (another county's is not found)."""
    board = workspace.board(code=code)
    if board is None or (board.audit, board.county) != (audit, county):
        raise StoreError(f"no board {code!r} in {county}")
    return board


def board_ballots(store: AuditStore, board: BoardRow) -> tuple[AuditStatus, list[BoardBallot]]:
    """The board's county's ballots of the current round, with what is recorded for each."""
    status, _number, entries = county_retrieval(store, board.audit, board.county)
    readings = store.readings(board.audit, [e.ballot_id for e in entries])
    return status, [BoardBallot(e, readings.get(e.ballot_id)) for e in entries]


def _county_of(ballot_id: str) -> str | None:
    """The jurisdiction in a sampler ballot id (``(('J', 'T', 'B'), 12)``, the text Arlo
    hashes; :func:`ballotproof.audit.sampler.ballot_id`), or ``None`` if it is not one."""
    try:
        value = ast.literal_eval(ballot_id)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], tuple)
        and len(value[0]) == 3
        and isinstance(value[1], int)
    ):
        county = value[0][0]
        return county if isinstance(county, str) else None
    return None


def _check_on_list(store: AuditStore, audit: str, county: str, ballot_id: str) -> AuditStatus:
    """The ballot is one of the county's, drawn by now (cheap: no list is built)."""
    if len(ballot_id) > 1000 or _county_of(ballot_id) != county:
        raise StoreError(f"ballot {ballot_id!r} is not on {county}'s list")
    if not store.first_rounds(audit, [ballot_id]):
        raise StoreError(f"ballot {ballot_id!r} was not drawn")
    return store.status(audit)


def enter_reading(
    store: AuditStore,
    board: BoardRow,
    ballot_id: str,
    reading: str,
    confirmed_by: Sequence[str],
    *,
    now: Callable[[], str],
) -> tuple[AuditStatus, bool]:
    """Record a board's reading of a ballot of its county's current round.

    Returns the status after recording and whether anything new was written (``False``: the
    same reading was recorded before, e.g. a retried request).

    Raises
    ------
    InputError
        Not confirmed by both members (``confirmed_by``), or a reading the contest does not
        have (from the store).
    StoreError
        The board signed off, the ballot is not on its list, or another reading of it was
        recorded before (a conflict: the county manager corrects it).
    """
    members = json.loads(board.members)
    if sorted(m.strip() for m in confirmed_by) != sorted(members):
        raise InputError(
            "both members of the board confirm each entry", field="confirmed_by", got=confirmed_by
        )
    status = _check_on_list(store, board.audit, board.county, ballot_id)
    if board.signed_off_round == status.current_round:
        raise StoreError(f"board {board.name!r} has signed off round {status.current_round}")
    note = f"{board.county} board {board.name} ({' & '.join(members)})"
    after, written, _repeated = store.record(board.audit, [(ballot_id, reading, note)], now=now())
    return after, written > 0


def enter_reading_once(
    store: AuditStore,
    workspace: Workspace,
    board: BoardRow,
    request: ReadingRequest,
    *,
    who: str,
    key: str | None,
    answer: Callable[[AuditStatus, bool], dict[str, object]],
    now: Callable[[], str],
) -> dict[str, object]:
    """:func:`enter_reading` under an idempotency key: the first answer to ``(who, key)`` is
    kept and given again to a retry, which records nothing; the key reused for a different
    entry is refused. Without a key it is :func:`enter_reading` (which still never records
    the same reading twice)."""
    digest = hashlib.sha256(
        json.dumps([request.ballot_id, request.interpretation, list(request.confirmed_by)]).encode()
    ).hexdigest()
    if key is not None:
        seen = workspace.recall(who, key)
        if seen is not None:
            if seen[0] != digest:
                raise InputError(
                    "this Idempotency-Key was used for another entry", field="Idempotency-Key"
                )
            kept: dict[str, object] = json.loads(seen[1])
            return kept
    status, written = enter_reading(
        store, board, request.ballot_id, request.interpretation, request.confirmed_by, now=now
    )
    result = answer(status, written)
    if key is not None:
        workspace.remember(who, key, digest, json.dumps(result), now=now())
    return result


@dataclass(frozen=True, slots=True)
class ReadingRequest:
    """A board's entry: the ballot, what it shows, and who confirmed it."""

    ballot_id: str
    interpretation: str
    confirmed_by: tuple[str, ...]


def correct_reading(
    store: AuditStore,
    audit: str,
    county: str,
    ballot_id: str,
    reading: str,
    note: str,
    *,
    by: str,
    now: Callable[[], str],
) -> AuditStatus:
    """A county manager's correction of a reading of the current round (a new version; the
    earlier one stays in the record)."""
    if not note.strip():
        raise InputError("say why the reading is corrected", field="note")
    _check_on_list(store, audit, county, ballot_id)
    after, _written, _repeated = store.record(
        audit,
        [(ballot_id, reading, f"corrected by {by}: {note.strip()}")],
        now=now(),
        correct=True,
    )
    return after


def sign_off(workspace: Workspace, store: AuditStore, board: BoardRow) -> int:
    """The board is done with the current round; returns the round."""
    status = store.status(board.audit)
    workspace.update_board(board.code, signed_off_round=status.current_round)
    return status.current_round
