"""RuleProfile versions: read the newest of a code, add the next one.

The one place that writes `rule_profiles` for domains that keep their own profile (the
small-works registry): a version is never changed once written, so whatever was decided
under it can always be read back.
"""

from datetime import datetime

import sqlalchemy as sa

from .kinds import ProcurementMethod, Regime
from .models import RuleProfile


def latest_profile(dbsession, code: str) -> RuleProfile | None:
    query = (sa.select(RuleProfile).where(RuleProfile.code == code)
             .order_by(RuleProfile.version.desc()).limit(1))
    return dbsession.scalar(query)


def add_profile_version(dbsession, *, code: str, regime: Regime, method: ProcurementMethod,
                        params: dict, now: datetime) -> RuleProfile:
    """The next version of `code` (1 for a new code); (code, version) is unique, so two
    concurrent editors cannot both write the same version."""
    latest = latest_profile(dbsession, code)
    profile = RuleProfile(code=code, version=(latest.version if latest else 0) + 1,
                          regime=regime, procurement_method=method, params=params,
                          created_at=now)
    dbsession.add(profile)
    dbsession.flush()
    return profile
