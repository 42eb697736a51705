"""The read-replica router's rules (the real replica: tests/scale): which requests may read
from a replica, read-your-writes, and the primary inside a transaction."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.test import RequestFactory, override_settings

from trygg.core.dbrouter import (
    WROTE_COOKIE,
    ReplicaRouter,
    may_read_from_replica,
    reading_from_replica,
)
from trygg.core.models import Municipality


@override_settings(READ_YOUR_WRITES_SECONDS=10, REPLICA_READ_PATHS=["/lagesbild/", "/api/v1/"])
def test_which_requests_may_read_from_a_replica():
    rf = RequestFactory()
    assert may_read_from_replica(rf.get("/lagesbild/"))
    assert may_read_from_replica(rf.get("/api/v1/incidents"))
    assert not may_read_from_replica(rf.get("/cases/"))  # not read-only work
    assert not may_read_from_replica(rf.post("/lagesbild/dokument/"))  # a write
    just_wrote = rf.get("/lagesbild/")
    just_wrote.COOKIES[WROTE_COOKIE] = f"{time.time() - 3:.3f}"
    assert not may_read_from_replica(just_wrote)  # read-your-writes: the primary
    long_ago = rf.get("/lagesbild/")
    long_ago.COOKIES[WROTE_COOKIE] = f"{time.time() - 60:.3f}"
    assert may_read_from_replica(long_ago)
    garbled = rf.get("/lagesbild/")
    garbled.COOKIES[WROTE_COOKIE] = "not a time"
    assert may_read_from_replica(garbled)


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around it
def test_reads_go_to_the_replica_but_never_inside_a_transaction():
    router = ReplicaRouter()
    assert router.db_for_read(Municipality) is None  # no request chose a replica
    with reading_from_replica("replica_0"):
        assert router.db_for_read(Municipality) == "replica_0"
        assert router.db_for_write(Municipality) == "default"
        with transaction.atomic():
            assert router.db_for_read(Municipality) is None
    assert router.db_for_read(Municipality) is None
    assert router.allow_migrate("default", "core") and not router.allow_migrate("replica_0", "core")
