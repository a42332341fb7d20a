"""RandomStreams and DrawBank: reproducible, distinct per name/replication, order-independent."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.rng import BANK_CASES, DrawBank, RandomStreams


# ---------------------------------------------------------------- named streams
def test_same_seed_replication_name_gives_same_draws():
    a = RandomStreams(42, 3)("arrivals").random(50)
    b = RandomStreams(42, 3)("arrivals").random(50)
    assert np.array_equal(a, b)


def test_stream_is_cached_per_name_and_unaffected_by_other_streams():
    s1 = RandomStreams(42, 3)
    assert s1("x") is s1("x")
    first = s1("x").random(5)
    s2 = RandomStreams(42, 3)
    s2("other").random(1000)  # drawing from another stream first changes nothing
    s2("y").random(10)
    assert np.array_equal(s2("x").random(5), first)


def test_different_names_replications_and_seeds_give_different_draws():
    draws = {
        "base": RandomStreams(42, 3)("arrivals").random(20),
        "name": RandomStreams(42, 3)("arrivals.thinning").random(20),
        "rep": RandomStreams(42, 4)("arrivals").random(20),
        "seed": RandomStreams(43, 3)("arrivals").random(20),
    }
    keys = list(draws)
    for i, k1 in enumerate(keys):
        for k2 in keys[i + 1:]:
            assert not np.any(draws[k1] == draws[k2]), (k1, k2)


def test_stream_key_is_crc32_not_salted_hash():
    import zlib

    ss = RandomStreams(7, 2).seed_sequence("lor_intake")
    assert ss.entropy == [7, 2, zlib.crc32(b"lor_intake")]


# ---------------------------------------------------------------- draw banks
CASES = [0, 1, BANK_CASES - 1, BANK_CASES, 1000, 5 * BANK_CASES + 17, 20_000]


def _values(bank: DrawBank, keys):
    return {k: bank.u(*k) for k in keys}


def test_bank_values_independent_of_access_order_and_of_other_banks():
    keys = [(c, v, s) for c in CASES for v in range(3) for s in range(4)]
    forward = _values(RandomStreams(11, 0).bank("loa_development", 3, 4), keys)

    streams = RandomStreams(11, 0)
    # touch other banks, other blocks and named streams first
    other = streams.bank("tech_release", 3, 4)
    other.u(5000, 1, 2)
    streams("arrivals").random(100)
    bank = streams.bank("loa_development", 3, 4)
    bank.u(77_777, 0, 0)
    shuffled = list(keys)
    np.random.default_rng(0).shuffle(shuffled)
    backward = _values(bank, reversed(shuffled))
    assert backward == forward
    # a second bank object with the same name on the same streams agrees too
    assert _values(streams.bank("loa_development", 3, 4), keys) == forward


@settings(max_examples=50, deadline=None)
@given(keys=st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 4), st.integers(0, 2)),
                     min_size=1, max_size=30, unique=True),
       perm_seed=st.integers(0, 2**32 - 1))
def test_bank_value_depends_only_on_indices(keys, perm_seed):
    ref = RandomStreams(5, 1).bank("contracting", 2, 3)  # visits 2..4 use the fallback generator
    expected = {k: ref.u(*k) for k in keys}
    order = list(keys)
    np.random.default_rng(perm_seed).shuffle(order)
    bank = RandomStreams(5, 1).bank("contracting", 2, 3)
    got = {k: bank.u(*k) for k in order}
    assert got == expected


def test_row_matches_u_and_has_one_value_per_slot():
    bank = RandomStreams(1, 0).bank("b", 2, 5)
    for case, visit in [(0, 0), (300, 1), (300, 7)]:
        row = bank.row(case, visit)
        assert row.shape == (5,)
        assert row.tolist() == [bank.u(case, visit, s) for s in range(5)]


def test_banks_differ_by_name_replication_seed_case_visit_and_slot():
    base = RandomStreams(9, 0).bank("lor_intake", 2, 3)
    others = [RandomStreams(9, 0).bank("closure", 2, 3), RandomStreams(9, 1).bank("lor_intake", 2, 3),
              RandomStreams(10, 0).bank("lor_intake", 2, 3)]
    keys = [(c, v, s) for c in (0, 1, 300) for v in range(4) for s in range(3)]
    vals = [base.u(*k) for k in keys]
    assert len(set(vals)) == len(vals)  # every (case, visit, slot) has its own number
    for other in others:
        assert not set(vals) & {other.u(*k) for k in keys}


def test_visits_beyond_predrawn_are_deterministic_and_inside_unit_interval():
    def late(seed):
        bank = RandomStreams(seed, 0).bank("offer_acceptance", 2, 4)
        return [bank.row(c, v).tolist() for c in (0, 1, 999) for v in (2, 3, 50)]

    a, b = late(3), late(3)
    assert a == b
    flat = np.array(a).ravel()
    assert np.all((flat > 0) & (flat < 1))
    assert len(set(flat.tolist())) == flat.size  # distinct per case and visit
    # and distinct from the pre-drawn visits
    bank = RandomStreams(3, 0).bank("offer_acceptance", 2, 4)
    pre = {bank.u(c, v, s) for c in (0, 1, 999) for v in (0, 1) for s in range(4)}
    assert not pre & set(flat.tolist())
    assert late(4) != a


def test_all_values_strictly_inside_unit_interval():
    bank = RandomStreams(2024, 7).bank("x", 4, 8)
    block = np.stack([bank.row(c, v) for c in range(10 * BANK_CASES) for v in range(4)])
    assert block.shape == (10 * BANK_CASES * 4, 8)
    assert block.min() > 0.0 and block.max() < 1.0
    # and they look uniform: mean 1/2 within 5 standard errors (sd 1/sqrt(12))
    assert abs(block.mean() - 0.5) < 5 / np.sqrt(12 * block.size)


def test_clipping_keeps_extreme_generator_output_inside_unit_interval(monkeypatch):
    """A generator returning exactly 0 (possible for Generator.random) is clipped into (0, 1)."""
    class Zeros:
        def random(self, shape):
            out = np.zeros(shape)
            out.flat[1] = np.nextafter(1.0, 0.0)
            return out

    monkeypatch.setattr("sim.engine.rng.np.random.default_rng", lambda seed: Zeros())
    bank = RandomStreams(0, 0).bank("x", 1, 2)
    assert bank.u(0, 0, 0) == 1e-12
    assert bank.u(0, 0, 1) == 1 - 1e-12
    assert bank.u(0, 5, 0) == 1e-12  # fallback visit


def test_bank_block_zero_does_not_repeat_the_stream_of_the_same_name():
    """Regression: numpy's SeedSequence pads short entropy with zeros, so a bank seeded with
    [seed, rep, crc32(name), 0] used to reproduce the stream seeded with [seed, rep, crc32(name)]."""
    streams = RandomStreams(1, 0)
    from_stream = streams("x").random(3).tolist()
    bank = RandomStreams(1, 0).bank("x", 1, 1)
    assert [bank.u(c) for c in range(3)] != from_stream


def test_a_released_block_comes_back_identical():
    bank = RandomStreams(7, 1).bank("stage", 3, 2)
    before = [bank.row(i, v).copy() for i in (0, BANK_CASES - 1, BANK_CASES, 3 * BANK_CASES + 5) for v in range(3)]
    assert bank.blocks_held == 3
    bank.release(0)
    bank.release(3)
    bank.release(99)  # never generated: nothing to do
    assert bank.blocks_held == 1
    after = [bank.row(i, v) for i in (0, BANK_CASES - 1, BANK_CASES, 3 * BANK_CASES + 5) for v in range(3)]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_a_loosened_block_keeps_only_its_open_cases_draws_and_they_do_not_change():
    """Freeing a block but for a few cases (``loosen``) changes no draw: those cases keep their rows, and a case
    of the block that draws there for the first time later gets its own rows, not the whole block again."""
    from sim.engine.rng import BANK_CASES

    full = RandomStreams(5, 1).bank("stage", 3, 4)
    expected = {i: full.row(i, 1).copy() for i in (BANK_CASES + 3, BANK_CASES + 9, BANK_CASES + 200)}
    bank = RandomStreams(5, 1).bank("stage", 3, 4)
    bank.row(BANK_CASES + 3, 0)  # block 1 drawn
    assert bank.blocks_held == 1
    bank.loosen(1, [BANK_CASES + 3, BANK_CASES + 9])
    assert bank.blocks_held == 0 and bank.loose_cases == 2
    assert np.array_equal(bank.row(BANK_CASES + 3, 1), expected[BANK_CASES + 3])
    assert np.array_equal(bank.column(BANK_CASES + 9, 2), full.column(BANK_CASES + 9, 2))
    # not kept at loosening: drawn again
    assert np.array_equal(bank.row(BANK_CASES + 200, 1), expected[BANK_CASES + 200])
    assert bank.blocks_held == 0 and bank.loose_cases == 3
    for i in (BANK_CASES + 3, BANK_CASES + 9, BANK_CASES + 200):
        bank.forget(i)
    bank.release(1)
    assert bank.blocks_held == 0 and bank.loose_cases == 0
    assert np.array_equal(bank.row(BANK_CASES + 9, 1), full.row(BANK_CASES + 9, 1))  # after release: the block again
    assert bank.blocks_held == 1


def test_seeds_and_replications_stay_below_two_to_the_32():
    """numpy's SeedSequence splits a larger integer into 32-bit words, so (x + 2**32 y, r) and (x, y + 2**32 r) would
    draw the same streams (issue 21): both numbers are bounded, and other types are refused naming the argument."""
    x, y, r = 7, 3, 1
    a = np.random.SeedSequence([x + 2**32 * y, r, 99]).generate_state(4)
    b = np.random.SeedSequence([x, y + 2**32 * r, 99]).generate_state(4)
    assert (a == b).all()  # the collision the bound prevents
    for seed, rep, name in ((2**32, 0, "root_seed"), (0, 2**32, "replication"), (-1, 0, "root_seed"),
                            (1.0, 0, "root_seed"), (True, 0, "root_seed"), (0, "2", "replication")):
        with pytest.raises(ValueError, match=rf"RandomStreams: {name}=.*; allowed: an integer from 0 to 4294967295"):
            RandomStreams(seed, rep)
    assert RandomStreams(2**32 - 1, np.int64(2**32 - 1)).replication == 2**32 - 1
