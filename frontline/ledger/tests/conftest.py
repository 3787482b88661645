import pytest

from frontline.ledger.holidays import forget_calendar
from frontline.ledger.services import forget_reference_data
from frontline.ledger.tests.factories import LedgerWorld, build_ledger_world


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test reads the calendar, deadline policies and escalation owners from its own database state."""
    forget_calendar()
    forget_reference_data()
    yield
    forget_calendar()
    forget_reference_data()


@pytest.fixture
def lw(world) -> LedgerWorld:
    return build_ledger_world(world)
