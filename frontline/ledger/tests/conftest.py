import pytest

from frontline.ledger.holidays import forget_calendar
from frontline.ledger.tests.factories import LedgerWorld, build_ledger_world


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test reads the calendar from its own database state."""
    forget_calendar()
    yield
    forget_calendar()


@pytest.fixture
def lw(world) -> LedgerWorld:
    return build_ledger_world(world)
