"""Shapes of award input (forms and API bodies share them); rules live in the services."""

import colander

from ..forms import Money


class StartRoundBody(colander.MappingSchema):
    """发起终次报价: the floor in yuan; empty means the profile's share of the ceiling."""

    floor = colander.SchemaNode(Money(), missing=None)


class FinalOfferBody(colander.MappingSchema):
    amount = colander.SchemaNode(Money())


def deserialize(schema: colander.Schema, data: dict) -> dict:
    """Validate; raise InvalidAwardInput naming the first bad field."""
    from .errors import InvalidAwardInput

    try:
        return schema.deserialize(data)
    except colander.Invalid as error:
        field, message = next(iter(error.asdict().items()))
        raise InvalidAwardInput(message, field=field) from None
