"""Fixtures for the tests of the ``surveys`` package: transient questions, and the small
consultation of the web tests (``tests.web.conftest.build_world``) on a plain session."""
from __future__ import annotations

import pytest

from consult.models import Consultation
from tests.web.conftest import build_world


@pytest.fixture
def world(session):
    w = build_world(session)
    session.commit()
    return w


@pytest.fixture
def consultation(session, world) -> Consultation:
    return session.get(Consultation, world.consultation_id)

