"""Deterministic clock, identifiers and randomness for tests, notebooks and demos.

dmpkit never calls ``datetime.now()``, ``uuid.uuid4()`` or ``os.urandom()`` directly for
values that end up in a message: it asks this module. In normal operation the answers come
from the system. In *test mode* they come from a fixed clock and a seeded generator, so a
notebook or a test produces byte-identical messages on every run.

Test mode is switched on by the environment variable ``DMPKIT_TEST_MODE`` (its value is the
seed, e.g. ``DMPKIT_TEST_MODE=1``), optionally with ``DMPKIT_TEST_CLOCK`` (an ISO 8601 UTC
instant, default ``2025-01-15T09:30:00Z``), or programmatically with :func:`enable`.
The fixed clock advances by one millisecond at each reading so that successive timestamps
stay ordered and distinct.
"""

from __future__ import annotations

import os
import random
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = [
    "DEFAULT_TEST_CLOCK",
    "disable",
    "enable",
    "is_enabled",
    "new_uuid",
    "now",
    "random_bytes",
    "rng",
]

DEFAULT_TEST_CLOCK = datetime(2025, 1, 15, 9, 30, 0, tzinfo=UTC)
_TICK = timedelta(milliseconds=1)


@dataclass
class _State:
    seed: int
    clock: datetime
    generator: random.Random


_lock = threading.Lock()
_state: _State | None = None


def _from_environment() -> _State | None:
    seed = os.environ.get("DMPKIT_TEST_MODE")
    if not seed:
        return None
    clock_text = os.environ.get("DMPKIT_TEST_CLOCK")
    clock = DEFAULT_TEST_CLOCK
    if clock_text:
        clock = datetime.fromisoformat(clock_text.replace("Z", "+00:00")).astimezone(UTC)
    # same seeding as enable(), so DMPKIT_TEST_MODE=1 and enable(seed=1) agree
    number = int(seed) if seed.isdigit() else 1
    return _State(number, clock, random.Random(number))  # noqa: S311


_state = _from_environment()


def enable(seed: int = 1, at: datetime = DEFAULT_TEST_CLOCK) -> None:
    """Switch test mode on with a seed and a start instant (must be timezone-aware)."""
    global _state
    if at.tzinfo is None:
        raise ValueError("the test clock must be timezone-aware")
    with _lock:
        _state = _State(seed, at.astimezone(UTC), random.Random(seed))  # noqa: S311


def disable() -> None:
    """Switch test mode off: system clock and real randomness again."""
    global _state
    with _lock:
        _state = None


def is_enabled() -> bool:
    """Tell whether test mode is on."""
    return _state is not None


def now() -> datetime:
    """The current UTC instant (the fixed, ticking clock in test mode)."""
    with _lock:
        if _state is None:
            return datetime.now(UTC)
        current = _state.clock
        _state.clock = current + _TICK
        return current


def random_bytes(count: int) -> bytes:
    """``count`` random bytes: from the OS, or from the seeded generator in test mode."""
    with _lock:
        if _state is None:
            return os.urandom(count)
        return _state.generator.randbytes(count)


def new_uuid() -> uuid.UUID:
    """A version-4 UUID (seeded in test mode)."""
    return uuid.UUID(bytes=random_bytes(16), version=4)


def rng() -> random.Random:
    """A ``random.Random`` for non-cryptographic choices (seeded in test mode)."""
    with _lock:
        if _state is None:
            return random.Random()  # noqa: S311
        return random.Random(_state.generator.getrandbits(64))  # noqa: S311
