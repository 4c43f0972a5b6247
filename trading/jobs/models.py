"""The jobs' own table: leases (租约) that workers hold on named work."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db.meta import Base
from ..db.types import UTCDateTime


class JobLease(Base):
    """A named lock with an expiry: `holder` owns `name` until `expires_at`, renewing it
    while it works. A holder that dies leaves it to expire; nobody releases it for them."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
