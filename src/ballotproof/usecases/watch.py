"""``ballotproof watch``: election night live, from a feed that grows while it is watched.

A source is polled for snapshots of the feed in the generic CSV format (docs/formats.md): a
folder into which snapshot files arrive (each new or changed ``*.csv`` or ``*.xml``, in name
order), or an HTTP(S) URL that answers the current snapshot (read again when its bytes change).
Each snapshot is the whole feed so far, as a results file that grows and is published again (a
feed by unit sums its units' rows into state updates, so it must be whole; a feed by state may
also give only its newest rows). A row already taken is never taken twice, and a row older than
the engine's clock (a late correction) is logged and left out, as the engine takes updates in
time order only. The engine is the replay's (:class:`~ballotproof.calls.engine.Engine`, with its
feed-integrity rules); after each poll that brought something new, the caller writes the live
page and JSON.

A snapshot may also be a Scytl/Clarity ``detail.xml`` (the results pages many states and
counties publish, :mod:`ballotproof.io.clarity`), for one state (``state``): each becomes one
feed row per county and vote mode at its timestamp, and the rows that changed since the last
snapshot are added to the feed the engine reads, so that each county keeps its last count.
"""

from __future__ import annotations

import hashlib
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from ballotproof.calls.engine import Engine
from ballotproof.calls.feed import Update
from ballotproof.calls.outstanding import ModelParams
from ballotproof.calls.rule import CallRule
from ballotproof.errors import BallotproofError, InputError
from ballotproof.io.clarity import ClarityRow, is_clarity, read_clarity
from ballotproof.io.feeds import load_generic_feed
from ballotproof.model import Election
from ballotproof.usecases.replay import ReplayInputs, load_replay_inputs, units_of

__all__ = [
    "FolderSource",
    "Snapshot",
    "SnapshotSource",
    "UrlSource",
    "Watcher",
    "source_for",
]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One reading of the source: where it came from and its text."""

    name: str
    text: str


class SnapshotSource(Protocol):
    """Where snapshots come from: ``poll`` returns the new ones (none if nothing changed)."""

    @property
    def name(self) -> str: ...

    def poll(self) -> list[Snapshot]: ...


class FolderSource:
    """Every ``*.csv`` (feed) or ``*.xml`` (Clarity) file of a folder that is new or has
    changed since the last poll, by name."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise InputError("not a folder", path=str(folder))
        self.folder = folder
        self._seen: dict[str, str] = {}

    @property
    def name(self) -> str:
        return str(self.folder)

    def poll(self) -> list[Snapshot]:
        out = []
        for path in sorted([*self.folder.glob("*.csv"), *self.folder.glob("*.xml")]):
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if self._seen.get(path.name) != digest:
                self._seen[path.name] = digest
                out.append(Snapshot(str(path), data.decode("utf-8-sig")))
        return out


class UrlSource:
    """The snapshot an HTTP(S) URL answers, when its bytes differ from the last one read."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise InputError("an http:// or https:// URL", field="source", got=url)
        self.url, self.timeout = url, timeout
        self._last: str | None = None
        self.polls = 0

    @property
    def name(self) -> str:
        return self.url

    def poll(self) -> list[Snapshot]:
        self.polls += 1
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout) as response:
                data = response.read()
        except (urllib.error.URLError, OSError) as exc:
            raise InputError(f"cannot read the feed ({exc})", path=self.url) from exc
        digest = hashlib.sha256(data).hexdigest()
        if digest == self._last:
            return []
        self._last = digest
        return [Snapshot(f"{self.url} (poll {self.polls})", data.decode("utf-8-sig"))]


def source_for(text: str) -> SnapshotSource:
    """A folder path or an http(s) URL, as a source."""
    if text.startswith(("http://", "https://")):
        return UrlSource(text)
    return FolderSource(Path(text))


def _key(u: Update) -> tuple[object, ...]:
    """What makes a feed row the same row in another snapshot (not its line number)."""
    parts = tuple(sorted((p.unit, p.total, tuple(sorted(p.votes.items()))) for p in u.parts))
    return (
        u.state,
        u.time,
        u.unit,
        u.mode,
        u.total,
        tuple(sorted(u.votes.items())),
        u.expected_pct,
        u.precincts_pct,
        parts,
    )


@dataclass
class Watcher:
    """The engine fed from a source, poll by poll.

    ``data``/``year``/``baseline``/``calls``/``states`` are the replay's (see
    :func:`ballotproof.usecases.replay.load_replay_inputs`); the first snapshot with rows
    decides the candidates. ``log`` keeps, in order, every snapshot that could not be read and
    every row left out, with the reason.
    """

    source: SnapshotSource
    data: Path | None = None
    year: int | None = None
    baseline: str | None = None
    calls: Path | None = None
    states: Sequence[str] | None = None
    confidence: float = 0.995
    state: str | None = None  # the state of a Clarity source
    contest: str | None = None  # the Clarity contest (default: the one naming "President")
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    engine: Engine | None = None
    inputs: ReplayInputs | None = None
    taken: list[Update] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)
    _keys: set[tuple[object, ...]] = field(default_factory=set)
    _clarity: dict[tuple[str, str], ClarityRow] = field(default_factory=dict)
    _clarity_rows: list[ClarityRow] = field(default_factory=list)
    _election: Election | None = None

    def _from_clarity(self, snap: Snapshot) -> Snapshot:
        """The feed so far, as generic CSV, with this Clarity snapshot's changed rows added."""
        if self.state is None:
            raise InputError(
                "a Clarity results snapshot is for one state: give --state", path=snap.name
            )
        if self._election is None:
            if self.inputs is not None:
                self._election = self.inputs.election
            else:
                from ballotproof.io.load import load_election

                self._election = load_election(self.data, year=self.year)
        rows = read_clarity(
            snap.text,
            source=snap.name,
            election=self._election,
            state=self.state,
            contest=self.contest,
        )
        for r in rows:
            key = (r.unit, r.mode.value)
            last = self._clarity.get(key)
            if last is None or (last.votes, last.total, last.precincts_pct) != (
                r.votes,
                r.total,
                r.precincts_pct,
            ):
                self._clarity[key] = r
                self._clarity_rows.append(r)
        names = sorted({c for r in self._clarity_rows for c in r.votes})
        lines = [
            ",".join(["state", "time", "total", "precincts_pct", "unit", "mode"])
            + "".join(f",votes_{c}" for c in names)
        ]
        for r in self._clarity_rows:
            pct = "" if r.precincts_pct is None else f"{r.precincts_pct:g}"
            lines.append(
                f"{self.state},{r.time:%Y-%m-%dT%H:%M:%SZ},{r.total},{pct},{r.unit},"
                f"{r.mode.value}" + "".join(f",{r.votes.get(c, 0)}" for c in names)
            )
        return Snapshot(snap.name + " (as feed rows)", "\n".join(lines) + "\n")

    def _note(self, text: str) -> None:
        self.log.append((self.now().strftime("%Y-%m-%dT%H:%M:%SZ"), text))

    def _read(self, snap: Snapshot) -> list[Update]:
        if is_clarity(snap.text):
            snap = self._from_clarity(snap)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / (
                Path(snap.name).name if snap.name.endswith(".csv") else "feed.csv"
            )
            path.write_text(snap.text, encoding="utf-8")
            try:
                if self.inputs is None:
                    self.inputs = load_replay_inputs(
                        feed=path,
                        data=self.data,
                        year=self.year,
                        baseline=self.baseline,
                        calls=self.calls,
                        states=self.states,
                    )
                    i = self.inputs
                    self.engine = Engine(
                        i.setups(), i.candidates, CallRule(self.confidence), ModelParams()
                    )
                    updates = list(i.updates)
                else:
                    updates = load_generic_feed(
                        path, units_of=units_of(self.inputs.election) or None
                    )
                    if self.states is not None:
                        updates = [u for u in updates if u.state in self.states]
            except BallotproofError as exc:
                message = str(exc).replace(str(path), snap.name)
                raise InputError(message) from None
        return updates

    def poll(self) -> int:
        """Read the source once and feed the engine what is new; the number of rows taken.

        A snapshot that cannot be read is logged and skipped (the next may be whole again)
        — except the first, whose errors are the setup's: they are raised.
        """
        taken = 0
        try:
            snapshots = self.source.poll()
        except InputError as exc:  # a feed that does not answer now may answer next time
            self._note(f"poll failed: {exc}")
            return 0
        for snap in snapshots:
            try:
                updates = self._read(snap)
            except InputError as exc:
                if self.inputs is None:
                    raise
                self._note(f"snapshot left out: {exc}")
                continue
            fresh = []
            for u in sorted(updates, key=lambda u: u.time):
                k = _key(u)
                if k in self._keys:
                    continue
                self._keys.add(k)
                assert self.engine is not None
                clock = self.engine.now
                if clock is not None and u.time < clock:
                    self._note(
                        f"{snap.name}: line {u.line} ({u.state} at {u.time:%Y-%m-%dT%H:%M:%SZ}) "
                        f"left out: older than the updates already taken "
                        f"({clock:%Y-%m-%dT%H:%M:%SZ})"
                    )
                    continue
                fresh.append(u)
            if fresh:
                assert self.engine is not None
                self.engine.run(fresh, track_ec=self.states is None)
                self.taken += fresh
                taken += len(fresh)
        return taken

    def current_inputs(self) -> ReplayInputs:
        """The replay's inputs with the updates taken so far (for the live document)."""
        if self.inputs is None:
            raise InputError("no snapshot with feed rows has been read yet", path=self.source.name)
        return replace(self.inputs, updates=list(self.taken), feed_source=self.source.name)
