"""Draw schemas: one colander schema for the deform form and the JSON API."""

import colander

from ..forms import CSRFSchema, Text
from ..i18n import _
from .models import BEACON_MAX, BEACON_SOURCE_MAX

# A record of 10 000 candidates with attributes is about 2 MB of JSON.
RECORD_MAX = 5 * 1024 * 1024


class BeaconBody(colander.MappingSchema):
    """The public beacon (公共随机数), without CSRF (the API schema)."""

    # The form trims stray spaces; whatever is stored is what the record publishes and the
    # verifier hashes, byte for byte.
    value = colander.SchemaNode(
        Text(), title=_("公共随机数"), validator=colander.Length(1, BEACON_MAX),
        description=_("按约定的公开来源原样录入，例如开奖号码"))
    source = colander.SchemaNode(
        Text(), title=_("来源"), validator=colander.Length(1, BEACON_SOURCE_MAX),
        description=_("例如：福利彩票双色球第2026123期开奖号码"))


class BeaconSchema(CSRFSchema, BeaconBody):
    """The supervisor's beacon form."""


class VerifyBody(colander.MappingSchema):
    """A pasted record; an uploaded file replaces it (read by the view, size-capped)."""

    record = colander.SchemaNode(Text(), missing="",
                                 validator=colander.Length(0, RECORD_MAX))
