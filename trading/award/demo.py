"""Demo: a 终次报价 works project whose bids are opened, ready for the center to start
its round in the browser.

The demo profile version shortens the windows (2 minutes to confirm eligibility, 5 to
offer) so a newcomer can walk the round to its result in one sitting; it is created
before the projects demo asks for the profile, so the demo project is posted under it.
"""

import sqlalchemy as sa

from ..demo import demo_loader
from ..projects.kinds import ProcurementMethod, Regime
from ..projects.models import RuleProfile
from ..projects.rules import default_params

DEMO_WINDOWS = {"final_offer.eligibility_window_min": 2, "final_offer.window_min": 5}


@demo_loader
def load_final_offer_profile(dbsession, clock, settings) -> None:
    code = f"{Regime.TENDERING}:{ProcurementMethod.FINAL_OFFER}"
    if dbsession.scalar(sa.select(RuleProfile.id).where(RuleProfile.code == code)):
        return
    params = default_params(Regime.TENDERING, ProcurementMethod.FINAL_OFFER)
    params.update(DEMO_WINDOWS)
    dbsession.add(RuleProfile(code=code, version=1, regime=Regime.TENDERING,
                              procurement_method=ProcurementMethod.FINAL_OFFER, params=params,
                              created_at=clock()))
    dbsession.flush()
