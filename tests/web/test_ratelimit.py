"""Rate limits shared between worker processes through Redis."""
from __future__ import annotations

import uuid

import pytest

from consult.jobs import _redis
from consult.security import RateLimiter

REDIS_URL = "redis://127.0.0.1:6379/14"


def test_two_workers_share_counters_in_redis():
    if _redis(REDIS_URL) is None:
        pytest.fail("this test needs the local Redis at 127.0.0.1:6379")
    limits = {"login": (3, 300)}
    worker_a = RateLimiter(limits, REDIS_URL)
    worker_b = RateLimiter(limits, REDIS_URL)
    client = f"198.51.100.{uuid.uuid4().int % 250}-{uuid.uuid4().hex}"
    assert worker_a.hit("login", client) and worker_b.hit("login", client)
    assert worker_a.hit("login", client)
    assert not worker_b.hit("login", client)  # the fourth attempt, on the other worker
    # another client is not limited (a key of its own: a fixed one is shared by every run of
    # the suite within the window, and the fourth run in five minutes failed here)
    assert worker_a.hit("login", f"someone-else-{uuid.uuid4().hex}")


def test_memory_counters_are_per_process():
    a, b = RateLimiter({"login": (1, 300)}), RateLimiter({"login": (1, 300)})
    assert a.hit("login", "x") and not a.hit("login", "x")
    assert b.hit("login", "x")


@pytest.mark.parametrize("storage", ["memory://", REDIS_URL])
def test_a_refund_takes_back_one_hit(storage):
    if storage != "memory://" and _redis(REDIS_URL) is None:
        pytest.fail("this test needs the local Redis at 127.0.0.1:6379")
    limiter = RateLimiter({"login": (2, 300)}, storage)
    client = f"refund-{uuid.uuid4().hex}"
    assert limiter.hit("login", client) and limiter.hit("login", client)
    limiter.refund("login", client)            # the second was a good login
    assert limiter.hit("login", client)        # so a third attempt still fits
    assert not limiter.hit("login", client)
