"""Named random streams and per-case draw banks (common random numbers).

Every stochastic element has its own numpy stream, derived from (root seed, replication,
crc32 of the element's name): never the global ``random`` or ``np.random`` state, never the
salted ``hash()``.  Per-case draws come from a :class:`DrawBank`: for stage ``s`` the uniform
for (case ``i``, visit ``v``, slot ``j``) is a fixed number that depends only on those indices,
generated lazily in blocks of cases.  So a case sees the same draws at every stage whatever
happened to it elsewhere or to other cases, and whatever order a reform puts cases in.
"""
from __future__ import annotations

import zlib
from typing import Iterable, Optional

import numpy as np
import numpy.typing as npt

BANK_CASES = 256  # cases per block of a DrawBank, generated lazily (not a Block of replications: sim.precision_study)
WORD = 2**32  # seeds and replication numbers stay below: numpy's SeedSequence splits a larger integer into 32-bit
WORD_REASON = "numpy splits larger numbers into 32-bit words, so two different seeds would draw the same streams"
WORD_RULE = f"an integer from 0 to {WORD - 1} ({WORD_REASON})"
_BANK_TAG = 0xBA4C  # keeps bank seeds apart from the stream of the same name


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """Independent numpy Generators, one per named stochastic element."""

    def __init__(self, root_seed: int, replication: int) -> None:
        for name, value in (("root_seed", root_seed), ("replication", replication)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 0 <= value < WORD:
                raise ValueError(f"RandomStreams: {name}={value!r}; allowed: {WORD_RULE}")
        self.root_seed = int(root_seed)
        self.replication = int(replication)
        self._cache: dict[str, np.random.Generator] = {}

    def seed_sequence(self, name: str, *extra: int) -> np.random.SeedSequence:
        return np.random.SeedSequence([self.root_seed, self.replication, _key(name), *map(int, extra)])

    def __call__(self, name: str) -> np.random.Generator:
        if name not in self._cache:
            self._cache[name] = np.random.default_rng(self.seed_sequence(name))
        return self._cache[name]

    def bank(self, name: str, visits: int, slots: int) -> "DrawBank":
        return DrawBank(self, name, visits, slots)


class DrawBank:
    """Uniforms in (0, 1) indexed by (case id, visit, slot), fixed whatever the call order.

    ``visits`` visits are pre-drawn per case; a rarer later visit falls back to a generator
    keyed by (case id, visit), which is still independent of everything else.
    """

    def __init__(self, streams: RandomStreams, name: str, visits: int, slots: int) -> None:
        self.streams, self.name, self.visits, self.slots = streams, name, visits, slots
        self._blocks: dict[int, npt.NDArray[np.float64]] = {}
        self._loose: dict[int, npt.NDArray[np.float64]] = {}  # case id -> its rows, for the cases of loosened blocks
        self._loosened: set[int] = set()

    def _generate(self, b: int) -> npt.NDArray[np.float64]:
        rng = np.random.default_rng(self.streams.seed_sequence(self.name, _BANK_TAG, b))
        blk = rng.random((BANK_CASES, self.visits, self.slots))
        # keep strictly inside (0, 1): inverse CDFs are infinite at the ends
        np.clip(blk, 1e-12, 1 - 1e-12, out=blk)
        return blk

    def _case(self, case_id: int) -> npt.NDArray[np.float64]:
        """The (visits, slots) draws of one case: from its block, or its own rows once the block was loosened."""
        b = case_id // BANK_CASES
        blk = self._blocks.get(b)
        rows: Optional[npt.NDArray[np.float64]]
        if blk is not None:
            rows = blk[case_id % BANK_CASES]
            return rows
        rows = self._loose.get(case_id)
        if rows is not None:
            return rows
        blk = self._generate(b)
        rows = blk[case_id % BANK_CASES]
        if b in self._loosened:  # a case of a loosened block drew here for the first time: keep its rows only
            rows = self._loose[case_id] = rows.copy()
        else:
            self._blocks[b] = blk
        return rows

    def row(self, case_id: int, visit: int = 0) -> npt.NDArray[np.float64]:
        """All slots of one visit, as a 1-D array (read-only by convention)."""
        if visit < self.visits:
            blk = self._blocks.get(case_id // BANK_CASES)
            row: npt.NDArray[np.float64] = (blk[case_id % BANK_CASES, visit] if blk is not None
                                            else self._case(case_id)[visit])
            return row
        rng = np.random.default_rng(self.streams.seed_sequence(self.name, _BANK_TAG, 1 << 30, case_id, visit))
        return np.clip(rng.random(self.slots), 1e-12, 1 - 1e-12)

    def release(self, block: int) -> None:
        """Forget block ``block`` (cases block*BANK_CASES .. (block + 1)*BANK_CASES - 1) to free its memory.  Asked
        for again, it is generated again, identical: releasing changes no draw, only time and memory."""
        self._blocks.pop(block, None)
        self._loosened.discard(block)

    def loosen(self, block: int, case_ids: Iterable[int]) -> None:
        """Only the cases ``case_ids`` of block ``block`` will draw again: keep their rows, free the block (a
        block is freed whole only when its last case is done, and a few long cases would hold it for decades).
        Changes no draw, only memory."""
        self._loosened.add(block)
        blk = self._blocks.pop(block, None)
        if blk is not None:
            for case_id in case_ids:
                self._loose[case_id] = blk[case_id % BANK_CASES].copy()

    def forget(self, case_id: int) -> None:
        """Case ``case_id`` of a loosened block will not draw again: free its rows."""
        self._loose.pop(case_id, None)

    @property
    def blocks_held(self) -> int:
        return len(self._blocks)

    @property
    def loose_cases(self) -> int:
        return len(self._loose)

    def column(self, case_id: int, slot: int = 0) -> npt.NDArray[np.float64]:
        """One slot of every pre-drawn visit of a case, in visit order (read-only by convention)."""
        col: npt.NDArray[np.float64] = self._case(case_id)[:, slot]
        return col

    def beyond(self, case_id: int, n: int, chunk: int = 0) -> npt.NDArray[np.float64]:
        """``n`` more uniforms for one case after its pre-drawn visits (chunk 0, 1, ... of a stream of its own),
        for a quantity drawn visit after visit (a gap before the next event) that outran the bank."""
        rng = np.random.default_rng(self.streams.seed_sequence(self.name, _BANK_TAG, 1 << 31, case_id, chunk))
        return np.clip(rng.random(n), 1e-12, 1 - 1e-12)

    def u(self, case_id: int, visit: int = 0, slot: int = 0) -> float:
        return float(self.row(case_id, visit)[slot])
