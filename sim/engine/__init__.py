"""The simulation engine: SimPy machinery that knows nothing about FMS.

It owns :class:`~sim.engine.core.Engine` (a SimPy environment whose ``work`` queues an entity at a pool
and holds a slot, and whose ``delay`` lets time pass, each appending one visit record), the
priority-then-FIFO :class:`~sim.engine.pool.Pool` with settable capacity, named random streams and
per-entity draw banks (``rng``), inverse-CDF distributions (``distributions``) on CPU-independent elementary
functions (``portable_math``) and the one time unit (``clock``: a calendar day).  It may import only SimPy and
numpy: nothing else of ``sim``.
"""
from sim.engine.core import Engine, Entity, Visit
from sim.engine.distributions import Dist, fixed
from sim.engine.pool import Pool, PoolSnapshot
from sim.engine.rng import DrawBank, RandomStreams

__all__ = ["Dist", "DrawBank", "Engine", "Entity", "Pool", "PoolSnapshot", "RandomStreams", "Visit", "fixed"]
