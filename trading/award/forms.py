"""Shapes of award input (forms and API bodies share them); rules live in the services."""

import colander

from ..forms import Money


class StartRoundBody(colander.MappingSchema):
    """发起终次报价: the floor in yuan; empty means the profile's share of the ceiling."""

    floor = colander.SchemaNode(Money(), missing=None)


class FinalOfferBody(colander.MappingSchema):
    amount = colander.SchemaNode(Money())

