import pytest


@pytest.fixture
def bro(db):
    from trygg.core import demo

    return demo.load()
