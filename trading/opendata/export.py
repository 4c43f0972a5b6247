"""Bulk export: one release package written as it is read, in feed order."""

import sqlalchemy as sa

from .models import OcdsRelease
from .ocds import PUBLISHER, dump_json, instant


def export_releases(dbsession, out, *, now, batch: int = 1000) -> int:
    """Stream every release into `out`; the stored JSON is copied byte for byte."""
    head = {"uri": "urn:trading:ocds:export", "version": "1.1", "publishedDate": instant(now),
            "publisher": {"name": PUBLISHER}}
    out.write(dump_json(head)[:-1] + ',"releases":[')
    count = 0
    query = sa.select(OcdsRelease.data_json).order_by(OcdsRelease.id).execution_options(
        yield_per=batch)
    for data in dbsession.scalars(query):
        out.write(("," if count else "") + data)
        count += 1
    out.write("]}\n")
    return count
