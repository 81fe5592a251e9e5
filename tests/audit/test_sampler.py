"""Consistent sampling, checked draw for draw against the reference ``consistent_sampler``.

The oracle is ``consistent_sampler.sampler`` 1.0.10 (Rivest 2018, arXiv:1808.10016), called the
way Arlo's ``server/audit_math/sampler.py::draw_sample`` calls it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import pickle
import random
from collections.abc import Iterator
from typing import Any

import consistent_sampler
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ballotproof.audit import sampler as sampler_module
from ballotproof.audit.sampler import (
    Ballot,
    Batch,
    Draw,
    RetrievalRow,
    Sample,
    ballot_id,
    draw_ids,
    draw_rows,
    draw_sample,
    first_ticket,
    next_ticket,
    retrieval_list,
    trim_ticket,
)
from ballotproof.errors import InputError, IntegrityError

SEED = "01382438112797316654"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

names = st.text(min_size=1, max_size=12)
optional_names = st.none() | names
seeds = st.text(min_size=1, max_size=25)


def oracle(ids: list[Any], seed: str, **kwargs: Any) -> list[tuple[str, str, int]]:
    """Reference draws as (ticket, str(id), generation)."""
    return [(t, str(i), g) for t, i, g in consistent_sampler.sampler(ids, seed=seed, **kwargs)]


def arlo_ids(batches: list[Batch]) -> list[tuple[tuple[str | None, str | None, str], int]]:
    """The ids Arlo gives the sampler: {batch key: [1..n]} flattened to (key, position)."""
    pool = {b.key: list(range(1, b.ballots + 1)) for b in batches}
    return [(key, position) for key, positions in pool.items() for position in positions]


def triples(draws: tuple[Draw, ...]) -> list[tuple[str, str, int]]:
    return [(d.ticket, d.id, d.generation) for d in draws]


def arlo_tuple(b: Ballot) -> tuple[tuple[str | None, str | None, str], int]:
    """The id object Arlo hands to consistent_sampler for this ballot."""
    return ((b.jurisdiction, b.tabulator, b.batch), b.position)


@st.composite
def manifests(draw: st.DrawFn, max_batches: int = 6, max_ballots: int = 12) -> list[Batch]:
    keys = draw(
        st.lists(
            st.tuples(optional_names, optional_names, names),
            min_size=0,
            max_size=max_batches,
            unique=True,
        )
    )
    return [
        Batch(j, t, b, draw(st.integers(1, max_ballots)), draw(optional_names)) for j, t, b in keys
    ]


# --- the ticket machinery, piece by piece -------------------------------------------------------


@given(seed=seeds, id_=st.text(max_size=40))
@FAST
def test_first_ticket_is_first_fraction(seed: str, id_: str) -> None:
    assert first_ticket(seed, id_) == consistent_sampler.first_fraction(id_, seed)


@given(digits=st.text(alphabet="0123456789", min_size=1, max_size=80))
@FAST
def test_next_ticket_is_next_fraction(digits: str) -> None:
    ticket = "0." + digits
    assert next_ticket(ticket) == consistent_sampler.next_fraction(ticket)


@pytest.mark.parametrize("ticket", ["0.9", "0.99999", "0.999990", "0.0", "0.09", "0.25471"])
def test_next_ticket_handles_leading_and_all_nines(ticket: str) -> None:
    assert next_ticket(ticket) == consistent_sampler.next_fraction(ticket)


@given(
    digits=st.text(alphabet="0123456789", min_size=1, max_size=40) | st.just("99999"),
    keep=st.integers(1, 30),
)
@FAST
def test_trim_is_trim(digits: str, keep: int) -> None:
    assert trim_ticket("0." + digits, keep) == consistent_sampler.trim("0." + digits, keep)


def test_next_ticket_refuses_a_non_ticket() -> None:
    with pytest.raises(InputError, match=r"^field 'ticket': expected a decimal string"):
        next_ticket("1.5")


def test_published_examples() -> None:
    """The doctest values printed in consistent_sampler.py itself."""
    assert first_ticket("01382438112797316654", "AB-130") == (
        "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"
    )
    assert next_ticket("0.25471") == (
        "0.642853261655004694691182528114375607701032283189922170593838029306715548381901"
    )
    assert [(d.ticket, d.id) for d in draw_ids(["ab-1", "ab-2", "cd-1", "ef-3"], "314159", 4)] == [
        ("0.317685817", "cd-1"),
        ("0.832984519", "ef-3"),
        ("0.9098039269", "ab-1"),
        ("0.9231549043", "ab-2"),
    ]
    with_replacement = draw_ids(["A#2", "B#7", "C#1", "D#4"], "314159", 8, with_replacement=True)
    assert " ".join(d.id for d in with_replacement) == "D#4 C#1 C#1 B#7 A#2 C#1 D#4 B#7"


def _ticket_digits(digest: bytes) -> str:
    return f"{int.from_bytes(digest, 'big'):064d}"[::-1]


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40))
@FAST
def test_prefix_key_is_the_tickets_first_eight_digits(digests: list[bytes]) -> None:
    keys = sampler_module._prefix_keys(b"".join(digests))
    assert keys.tolist() == [int(_ticket_digits(d)[:8]) for d in digests]


def test_prefix_key_of_short_digests_follows_the_zero_padding() -> None:
    """A digest below 10**64 is zero-padded to 64 digits before it is reversed."""
    digests = [(5).to_bytes(32, "big"), (10**70 + 123).to_bytes(32, "big"), bytes(32)]
    digests.append((2**256 - 1).to_bytes(32, "big"))  # the largest limbs: no uint64 overflow
    keys = sampler_module._prefix_keys(b"".join(digests)).tolist()
    assert keys == [50000000, 32100000, 0, int(_ticket_digits(digests[3])[:8])]
    assert [_ticket_digits(d)[:8] for d in digests[:3]] == ["50000000", "32100000", "0" * 8]


def _digest_with_key(k: int) -> bytes:
    """A digest whose ticket starts with the digit k, then zeros: its 8-digit key is k * 10**7."""
    return k.to_bytes(32, "big")


@given(
    keys=st.lists(st.integers(0, 6), max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=5),
    n=st.integers(1, 70),
    chunk=st.integers(1, 8),
)
@FAST
def test_select_keeps_exactly_the_keys_up_to_the_nth_smallest(
    keys: list[int], cuts: list[int], n: int, chunk: int
) -> None:
    """Many ties, arbitrary chunking, cuts in the middle: the selection is exact, keeps every
    tie, and returns the digests of the rows it keeps."""
    bounds = sorted({0, len(keys), *(c for c in cuts if c <= len(keys))})
    digests = [_digest_with_key(k) for k in keys]
    chunks = [b"".join(digests[a:b]) for a, b in itertools.pairwise(bounds)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampler_module, "_CHUNK", chunk)  # the buffers fill up and are cut often
        index, kept = sampler_module._select(lambda: iter(chunks), n, len(keys))
    if len(keys) <= n:
        want = list(range(len(keys)))
    else:
        bound = sorted(keys)[n - 1]
        want = [i for i, k in enumerate(keys) if k <= bound]
    assert index.tolist() == want
    assert kept == b"".join(digests[i] for i in want)


@pytest.mark.parametrize("spread", [True, False])
def test_select_redoes_the_pass_when_the_estimated_bound_is_too_tight(spread: bool) -> None:
    """Keys far from uniform (impossible for SHA-256, easy here): the answer stays exact."""
    keys = [(i * 7919) % 10 if spread else 9 for i in range(5_000)]
    digests = b"".join(_digest_with_key(k) for k in keys)
    passes: list[int] = []

    def chunks() -> Iterator[bytes]:
        passes.append(1)
        yield digests

    index, _ = sampler_module._select(chunks, 3, len(keys))
    bound = sorted(keys)[2]
    assert index.tolist() == [i for i, k in enumerate(keys) if k <= bound]
    # The estimate keeps keys up to 1.5% of the range: the 500 zeros, or none of the nines.
    assert len(passes) == (1 if spread else 2)


tickets = st.builds(
    lambda nines, rest: "0." + "9" * nines + rest,
    st.integers(0, 45) | st.just(0),
    st.text(alphabet="0123456789", min_size=64, max_size=80),
)


@given(st.lists(tickets, min_size=2, max_size=70))
@FAST
def test_order_keys_never_contradict_the_string_order(values: list[str]) -> None:
    """Different keys order tickets as strings do, also past 19 leading 9s."""
    for few in (2, 100):  # the vectorised way and the one-by-one way
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sampler_module, "_FEW", few)
            keys = sampler_module._order_keys(values).tolist()
        for (a, ka), (b, kb) in itertools.combinations(zip(values, keys, strict=True), 2):
            if ka != kb:
                assert (ka < kb) == (a < b)
            assert ka < 2**64 - 1  # never the "no bound" marker


def test_order_keys_tell_apart_tickets_with_many_leading_nines() -> None:
    values = ["0." + "9" * k + d + "1" * 70 for k in (19, 20, 300) for d in "0178"]
    keys = sampler_module._order_keys(values).tolist()
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    capped = ["0." + "9" * 9_000 + d + "1" * 70 for d in "05"]
    assert len(set(sampler_module._order_keys(capped).tolist())) == 1  # equal: strings decide


@given(st.lists(tickets, min_size=1, max_size=80, unique=True), st.integers(0, 10**19 - 1))
@FAST
def test_next_tickets_are_next_ticket_below_the_bound(values: list[str], bound: int) -> None:
    keys = sampler_module._order_keys(values)
    for limit in (np.uint64(bound), sampler_module._NO_BOUND):
        rows, successors, successor_keys = sampler_module._next_tickets(values, keys, limit)
        want = {i: next_ticket(t) for i, t in enumerate(values)}
        want = {i: t for i, t in want.items() if sampler_module._order_keys([t])[0] <= limit}
        assert dict(zip(rows.tolist(), successors, strict=True)) == want
        assert successor_keys.tolist() == sampler_module._order_keys(successors).tolist()


def test_exact_order_breaks_key_ties_on_strings_then_ids_then_generations() -> None:
    known = sampler_module._Known(
        ["0.52", "0.51", "0.51", "0.3", "0.51"],
        np.array([5, 5, 5, 3, 5], dtype=np.uint64),  # keys that tie although tickets differ
        np.array([0, 1, 2, 3, 2], dtype=np.int64),
        np.array([1, 1, 2, 1, 1], dtype=np.int64),
    )
    names = ["z", "b", "a", "c"]
    order = sampler_module._exact_order(known, 5, lambda index: [names[i] for i in index.tolist()])
    assert order.tolist() == [3, 4, 2, 1, 0]  # 0.3; 0.51 of a (gen 1, 2); 0.51 of b; 0.52


# --- whole draws against the oracle -------------------------------------------------------------


@given(
    ids=st.lists(st.text(max_size=15), unique=True, max_size=30),
    seed=seeds,
    size=st.integers(0, 40),
    skip=st.integers(0, 10),
    with_replacement=st.booleans(),
    digits=st.integers(1, 30),
)
@FAST
def test_draw_ids_equals_consistent_sampler(
    ids: list[str], seed: str, size: int, skip: int, with_replacement: bool, digits: int
) -> None:
    got = draw_ids(ids, seed, size, skip=skip, with_replacement=with_replacement, digits=digits)
    want = oracle(
        ids,
        seed,
        with_replacement=with_replacement,
        drop=skip,
        take=size,
        output="tuple",
        digits=digits,
    )
    assert [(d.ticket, d.id, d.generation) for d in got] == want
    assert [d.order for d in got] == list(range(skip + 1, skip + 1 + len(want)))
    assert all(ids[d.index] == d.id for d in got)


@given(
    batches=manifests(),
    seed=seeds,
    size=st.integers(0, 60),
    with_replacement=st.booleans(),
)
@FAST
def test_draw_sample_equals_arlo_call_of_consistent_sampler(
    batches: list[Batch], seed: str, size: int, with_replacement: bool
) -> None:
    """Arlo: sampler(ballots, seed=seed, take=n, with_replacement=…, output="tuple", digits=18)."""
    ids = arlo_ids(batches)
    want = consistent_sampler.sampler(
        ids, seed=seed, take=size, with_replacement=with_replacement, output="tuple", digits=18
    )
    got = draw_sample(batches, seed, size, with_replacement=with_replacement)
    expected = list(want)
    assert triples(got.draws) == [(t, str(i), g) for t, i, g in expected]
    assert [arlo_tuple(d.ballot) for d in got.draws] == [i for _, i, _ in expected]
    containers = {b.key: b.container for b in batches}
    assert all(
        d.ballot.container
        == containers[(d.ballot.jurisdiction, d.ballot.tabulator, d.ballot.batch)]
        for d in got.draws
    )
    assert got.population == len(ids)


def test_big_batches_split_across_chunks_and_past_the_position_cache() -> None:
    """A batch larger than one hashing chunk (65,536) and the cached id suffixes."""
    batches = [
        Batch("J", "T", "small", 3),
        Batch("J", "T", "big", 70_000),
        Batch("J", None, "x", 5),
    ]
    ids = arlo_ids(batches)
    for with_replacement in (True, False):
        want = oracle(ids, SEED, take=300, with_replacement=with_replacement, digits=18)
        got = draw_sample(batches, SEED, 300, with_replacement=with_replacement)
        assert triples(got.draws) == want
    assert any(d.ballot.position > 65_536 for d in got.draws)


@pytest.mark.parametrize(("ballots", "size"), [(1, 300), (2, 500), (3, 900), (9, 2_000)])
def test_a_small_manifest_sampled_many_times_over(ballots: int, size: int) -> None:
    """Tickets with dozens of leading 9s: the deep first wave and the keys past 19 nines."""
    batches = [Batch("J", None, f"B{i}", 1) for i in range(ballots)]
    want = oracle(arlo_ids(batches), SEED, take=size, with_replacement=True, digits=18)
    got = triples(draw_sample(batches, SEED, size).draws)
    assert got == want
    assert max(len(t) for t, _, _ in got) > 40


@pytest.mark.parametrize("with_replacement", [True, False])
def test_tiny_chunks_take_every_path_of_the_vectorised_code(with_replacement: bool) -> None:
    """Chunks of 5 ballots and no one-by-one shortcut: cuts, chunked successors, all checked."""
    batches = [Batch("J", "T", f"B{i}", 40 + i) for i in range(30)]
    want = oracle(arlo_ids(batches), SEED, take=700, with_replacement=with_replacement, digits=18)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampler_module, "_CHUNK", 5)
        patch.setattr(sampler_module, "_FEW", 2)
        got = draw_sample(batches, SEED, 700, with_replacement=with_replacement)
    assert triples(got.draws) == want


def test_with_replacement_repeats_carry_increasing_generations() -> None:
    batches = [Batch("J", None, "A", 2), Batch("J", None, "B", 1)]
    sample = draw_sample(batches, SEED, 30)
    want = oracle(arlo_ids(batches), SEED, take=30, with_replacement=True, digits=18)
    assert triples(sample.draws) == want
    seen: dict[Ballot, int] = {}
    for d in sample.draws:
        seen[d.ballot] = seen.get(d.ballot, 0) + 1
        assert d.generation == seen[d.ballot]
    assert max(d.generation for d in sample.draws) > 5


def test_without_replacement_stops_when_the_manifest_runs_out() -> None:
    batches = [Batch("J", None, "A", 4), Batch("J", None, "B", 3)]
    sample = draw_sample(batches, SEED, 50, with_replacement=False)
    assert len(sample.draws) == 7
    assert len(set(sample.ballots())) == 7
    assert {d.generation for d in sample.draws} == {1}


# --- rounds, determinism, order -------------------------------------------------------------------


@given(batches=manifests(), seed=seeds, n=st.integers(0, 25), k=st.integers(0, 25))
@FAST
def test_a_later_round_extends_the_earlier_one(
    batches: list[Batch], seed: str, n: int, k: int
) -> None:
    for with_replacement in (True, False):
        first = draw_sample(batches, seed, n, with_replacement=with_replacement)
        both = draw_sample(batches, seed, n + k, with_replacement=with_replacement)
        second = draw_sample(batches, seed, k, skip=n, with_replacement=with_replacement)
        assert both.draws[: len(first.draws)] == first.draws
        assert both.draws[len(first.draws) :] == second.draws
        assert [d.order for d in both.draws] == list(range(1, len(both.draws) + 1))


def test_same_seed_same_draws_other_seed_other_draws() -> None:
    batches = [Batch("J", "T", f"B{i}", 50) for i in range(20)]
    a = draw_sample(batches, SEED, 25)
    assert draw_sample(batches, SEED, 25) == a
    assert triples(draw_sample(batches, SEED + "0", 25).draws) != triples(a.draws)


def test_batch_order_does_not_change_the_draws() -> None:
    """Consistent sampling: a ballot's tickets depend only on its id and the seed."""
    batches = [Batch("J", "T", f"B{i}", 10 + i) for i in range(15)]
    shuffled = batches[:]
    random.Random(7).shuffle(shuffled)
    assert triples(draw_sample(shuffled, SEED, 40).draws) == triples(
        draw_sample(batches, SEED, 40).draws
    )


def test_draws_are_built_once_and_equal_checked_objects() -> None:
    """draw_sample keeps columns; the Draw and Ballot objects built from them are ordinary."""
    batches = [Batch("J", "T", f"B{i}", 30, f"C{i % 3}") for i in range(10)]
    sample = draw_sample(batches, SEED, 60, skip=5)
    draws = sample.draws
    assert sample.draws is draws and isinstance(draws, tuple)
    by_name = {b.name: b for b in batches}
    assert [d.order for d in draws] == list(range(6, 66))
    for d in draws:
        assert d.ballot == by_name[d.ballot.batch].ballot(d.ballot.position)
        assert d == Draw(d.order, d.ticket, ballot_id(d.ballot), d.generation, d.ballot)
    copy = Sample(sample.seed, sample.population, 60, 5, True, sample.digits, draws, sample.method)
    fresh = draw_sample(batches, SEED, 60, skip=5)
    assert fresh == copy == sample and hash(fresh) == hash(copy)
    assert repr(draw_sample(batches, SEED, 60, skip=5)) == repr(copy)
    assert pickle.loads(pickle.dumps(fresh)) == copy
    assert [f.name for f in dataclasses.fields(sample)][:8] == [
        "seed",
        "population",
        "size",
        "skip",
        "with_replacement",
        "digits",
        "draws",
        "method",
    ]
    with pytest.raises(AttributeError):
        sample.nothing  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(dataclasses.FrozenInstanceError):
        fresh.draws = ()  # type: ignore[misc]


def test_sample_echoes_its_inputs() -> None:
    batches = [Batch("J", None, "A", 5)]
    sample = draw_sample(batches, SEED, 3, skip=2, with_replacement=False, digits=9)
    assert (sample.seed, sample.population, sample.size, sample.skip) == (SEED, 5, 3, 2)
    assert (sample.with_replacement, sample.digits) == (False, 9)
    data = sample.to_json()
    assert list(data) == [
        "method",
        "seed",
        "population",
        "size",
        "skip",
        "with_replacement",
        "digits",
        "draws",
    ]
    assert data["draws"] == [
        {
            "order": d.order,
            "ticket": d.ticket,
            "id": d.id,
            "generation": 1,
            "jurisdiction": "J",
            "container": None,
            "tabulator": None,
            "batch": "A",
            "position": d.ballot.position,
        }
        for d in sample.draws
    ]


# --- ids ----------------------------------------------------------------------------------------


@given(j=optional_names, t=optional_names, b=names, p=st.integers(1, 10**6), c=optional_names)
@FAST
def test_ballot_id_is_str_of_arlos_tuple(
    j: str | None, t: str | None, b: str, p: int, c: str | None
) -> None:
    ballot = Ballot(j, t, b, p, c)
    assert ballot_id(ballot) == ballot.id == str(((j, t, b), p))


@pytest.mark.parametrize(
    ("ballot", "text"),
    [
        (Ballot("Fulton", "TAB-1", "Box 7", 12), "(('Fulton', 'TAB-1', 'Box 7'), 12)"),
        (Ballot("Fulton", None, "Box 7", 1, "C"), "(('Fulton', None, 'Box 7'), 1)"),
        (Ballot(None, None, "Dave's", 3), '((None, None, "Dave\'s"), 3)'),
        (Ballot("J", "T", "a\\b", 3), "(('J', 'T', 'a\\\\b'), 3)"),
    ],
)
def test_ballot_id_examples(ballot: Ballot, text: str) -> None:
    assert ballot_id(ballot) == text


def test_the_hashed_bytes_are_seed_hash_then_id() -> None:
    ballot = Ballot("Fulton", "TAB-1", "Box 7", 12)
    seed_hex = hashlib.sha256(SEED.encode()).hexdigest()
    digest = hashlib.sha256((seed_hex + ballot_id(ballot)).encode()).digest()
    expected = "0." + f"{int.from_bytes(digest, 'big'):064d}"[::-1]
    assert first_ticket(SEED, ballot_id(ballot)) == expected
    sample = draw_sample([Batch("Fulton", "TAB-1", "Box 7", 12)], SEED, 12, with_replacement=False)
    (draw,) = [d for d in sample.draws if d.ballot == ballot]
    assert draw.id == ballot_id(ballot)
    assert draw.ticket == trim_ticket(expected, 18)


# --- retrieval list -------------------------------------------------------------------------------


def test_retrieval_list_sorts_by_container_tabulator_batch_position() -> None:
    draw = [
        Draw(1, "0.5", "", 1, Ballot("J", "T2", "B1", 10, "Box 2")),
        Draw(2, "0.6", "", 1, Ballot("J", "T1", "B1", 9, "Box 2")),
        Draw(3, "0.7", "", 1, Ballot("J", "T1", "B1", 10, "Box 1")),
        Draw(4, "0.8", "", 1, Ballot("J", "T1", "B10", 2, "Box 1")),
        Draw(5, "0.85", "", 1, Ballot("J", "T1", "B1", 2, "Box 1")),
        Draw(6, "0.9", "", 2, Ballot("J", "T2", "B1", 10, "Box 2")),
        Draw(7, "0.95", "", 1, Ballot("J", None, "B1", 1, None)),
    ]
    rows = retrieval_list(draw)
    assert rows == (
        RetrievalRow("J", None, None, "B1", 1, ("0.95",), 1),
        RetrievalRow("J", "Box 1", "T1", "B1", 2, ("0.85",), 1),
        RetrievalRow("J", "Box 1", "T1", "B1", 10, ("0.7",), 1),
        RetrievalRow("J", "Box 1", "T1", "B10", 2, ("0.8",), 1),
        RetrievalRow("J", "Box 2", "T1", "B1", 9, ("0.6",), 1),
        RetrievalRow("J", "Box 2", "T2", "B1", 10, ("0.5", "0.9"), 2),
    )


@given(batches=manifests(max_batches=4, max_ballots=4), seed=seeds)
@FAST
def test_retrieval_list_counts_every_draw_once(batches: list[Batch], seed: str) -> None:
    sample = draw_sample(batches, seed, 30)
    rows = retrieval_list(sample.draws)
    assert sum(r.times_drawn for r in rows) == len(sample.draws)
    assert len(rows) == len(sample.ballots())
    by_ballot = {(r.jurisdiction, r.tabulator, r.batch, r.position): r.tickets for r in rows}
    for d in sample.draws:
        assert (
            d.ticket
            in by_ballot[
                (d.ballot.jurisdiction, d.ballot.tabulator, d.ballot.batch, d.ballot.position)
            ]
        )


# --- refusals -------------------------------------------------------------------------------------


def test_empty_seed_is_refused() -> None:
    with pytest.raises(InputError) as info:
        draw_sample([Batch("J", None, "A", 1)], "", 1)
    assert str(info.value) == (
        "field 'seed': expected a non-empty seed, e.g. 20 dice digits, got ''"
    )


def test_duplicate_batches_are_refused() -> None:
    batches = [Batch("J", None, "A", 1, "C1"), Batch("J", None, "A", 2, "C2")]
    with pytest.raises(IntegrityError) as info:
        draw_sample(batches, SEED, 1)
    assert str(info.value) == (
        "field 'batches': batches 0 and 1 are both ('J', None, 'A'): ballot ids must be distinct"
    )


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(IntegrityError) as info:
        draw_ids(["a", "b", "a"], SEED, 1)
    assert str(info.value) == "field 'ids': id 'a' is listed twice (again at index 2)"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": -1}, "field 'size': expected an integer ≥ 0, got -1"),
        ({"skip": -2}, "field 'skip': expected an integer ≥ 0, got -2"),
        ({"digits": 0}, "field 'digits': expected an integer ≥ 1, got 0"),
        ({"size": True}, "field 'size': expected an integer ≥ 0, got True"),
    ],
)
def test_bad_counts_are_refused(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"size": 1, **kwargs}
    with pytest.raises(InputError) as info:
        draw_sample([Batch("J", None, "A", 1)], SEED, **args)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Ballot("J", None, "A", 0), "field 'position': expected an integer ≥ 1, got 0"),
        (lambda: Ballot("J", None, "", 1), "field 'batch': expected a non-empty text, got ''"),
        (lambda: Batch("J", "", "A", 1), "field 'tabulator': expected a non-empty text, got ''"),
        (lambda: Batch("J", None, "A", 0), "field 'ballots': expected an integer ≥ 1, got 0"),
    ],
)
def test_bad_ballots_and_batches_are_refused(make: Any, message: str) -> None:
    with pytest.raises(InputError) as info:
        make()
    assert str(info.value) == message


def test_nothing_is_hashed_for_an_empty_round() -> None:
    assert draw_sample([Batch("J", None, "A", 3)], SEED, 0).draws == ()
    assert draw_sample([], SEED, 5).draws == ()


@pytest.mark.parametrize("piece", [1, 7, 60, 1000])
def test_rows_in_slices_are_the_draws(piece: int) -> None:
    """``Sample.rows`` makes plain tuples from the columns a slice at a time: the same values as
    the Draw objects, in order, with or without them built first."""
    batches = [Batch("J", "T", f"B{i}", 30, f"C{i % 3}") for i in range(10)]
    batches.append(Batch("K", None, "Dave's box", 4))
    sample = draw_sample(batches, SEED, 60, skip=5)
    slices = list(sample.rows(piece))
    assert all(0 < len(s) <= piece for s in slices)
    rows = [r for s in slices for r in s]
    fresh = draw_sample(batches, SEED, 60, skip=5)
    assert rows == [r for s in draw_rows(fresh.draws, piece) for r in s]
    assert rows == [r for s in fresh.rows(piece) for r in s]  # once the draws exist
    for r, d in zip(rows, fresh.draws, strict=True):
        b = d.ballot
        assert r == (d.order, d.ticket, d.id, d.generation, b.jurisdiction, b.container,
                     b.tabulator, b.batch, b.position)  # fmt: skip
    with pytest.raises(InputError):
        sample.rows(0)


@pytest.mark.parametrize("digits", [1, 9, 18, 19, 20, 30])
def test_every_trim_width_is_consistent_samplers(digits: int) -> None:
    """Tickets up to 19 digits are written from their order keys, longer ones cut from the
    strings: both as ``consistent_sampler`` prints them, leading 9s included."""
    batches = [Batch("J", "T", f"B{i}", 7) for i in range(9)]
    want = oracle(arlo_ids(batches), SEED, take=400, with_replacement=True, digits=digits)
    assert triples(draw_sample(batches, SEED, 400, digits=digits).draws) == want


# --- slow: a bigger cross-check -------------------------------------------------------------------


@pytest.mark.slow
def test_two_hundred_thousand_ballots_against_the_oracle() -> None:
    rng = random.Random(2020)
    batches = [
        Batch("Fulton", rng.choice(["T1", "T2", None]), f"Batch {i}", rng.randint(1, 800))
        for i in range(500)
    ]
    ids = arlo_ids(batches)
    for with_replacement in (True, False):
        want = oracle(ids, SEED, take=2_000, with_replacement=with_replacement, digits=18)
        got = draw_sample(batches, SEED, 2_000, with_replacement=with_replacement)
        assert triples(got.draws) == want


class _InProcessPool:
    """A PartPool that runs its jobs here, one by one, in ``size`` parts (the merge is what is
    tested; ``ProcessPool`` is tested for real below)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.jobs = 0

    def map(self, fn: Any, jobs: Any) -> list[Any]:
        self.jobs += len(jobs)
        return [fn(j) for j in jobs]


@given(
    batches=manifests(),
    seed=seeds,
    size=st.integers(0, 60),
    skip=st.integers(0, 20),
    parts=st.integers(2, 5),
    with_replacement=st.booleans(),
)
@FAST
def test_a_manifest_hashed_in_parts_gives_the_same_draws(
    batches: list[Batch], seed: str, size: int, skip: int, parts: int, with_replacement: bool
) -> None:
    """The parts' selections merged are the whole manifest's: the draws equal the reference's
    whatever the number of parts (every ballot is a candidate of one part only)."""
    ids = arlo_ids(batches)
    want = oracle(ids, seed, take=skip + size, with_replacement=with_replacement, digits=18)
    pool = _InProcessPool(parts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampler_module, "_PARALLEL_MIN", 0)
        got = draw_sample(
            batches, seed, size, skip=skip, with_replacement=with_replacement, pool=pool
        )
    assert triples(got.draws) == want[skip:]
    assert pool.jobs >= (1 if batches and skip + size else 0)


def test_parts_are_contiguous_and_balanced() -> None:
    batches = [Batch("J", None, f"B{i}", n) for i, n in enumerate([5, 1, 1, 9, 2, 2, 3, 7])]
    for n in range(1, 10):
        parts = sampler_module._parts(batches, n)
        assert [b for p in parts for b in p] == batches
        assert 1 <= len(parts) <= n


def test_a_process_pool_draws_what_one_process_draws() -> None:
    """Two real processes (spawned) on a manifest over the threshold, with the estimate's
    second pass forced by a tiny bound: the same draws, ticket for ticket."""
    from ballotproof.parallel import ProcessPool

    batches = [Batch("J", "T", f"B{i}", 400) for i in range(50)]
    want = oracle(arlo_ids(batches), SEED, take=500, with_replacement=True, digits=18)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sampler_module, "_PARALLEL_MIN", 10_000)
        got = draw_sample(batches, SEED, 500, pool=ProcessPool(2))
    assert triples(got.draws) == want


def test_the_worker_count_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from ballotproof.parallel import WORKERS_ENV, ProcessPool, worker_count

    monkeypatch.setenv(WORKERS_ENV, "1")
    assert worker_count() == 1 and ProcessPool().size == 1
    monkeypatch.setenv(WORKERS_ENV, "zero")
    with pytest.raises(ValueError, match=WORKERS_ENV):
        worker_count()
    monkeypatch.delenv(WORKERS_ENV)
    assert 1 <= worker_count() <= 8
