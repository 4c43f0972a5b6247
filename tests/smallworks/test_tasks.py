"""The periodic sweep runs the service in a job session on the injected clock."""

from datetime import timedelta

from factories import make_enterprise

from trading.smallworks.status import RegistryStatus
from trading.smallworks.tasks import smallworks_sweep


def test_the_periodic_sweep_suspends_an_enterprise_whose_licence_expired(
        dbsession, clock, settings, registry):
    entry = make_enterprise(dbsession, clock, settings, registry,
                            safety_until=clock().date() + timedelta(days=1))
    assert smallworks_sweep.call_local() == {"noticed": 1}
    clock.advance(days=2)
    assert smallworks_sweep.call_local() == {"suspended": 1}
    assert entry.status is RegistryStatus.SUSPENDED
    assert smallworks_sweep.call_local() == {}
