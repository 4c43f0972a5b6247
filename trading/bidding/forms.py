"""Shapes of bidding input.

Schemas check shape only; deadlines, sign-up and custody rules live in the services.
"""

import colander

from ..forms import Text


class ConfirmBody(colander.MappingSchema):
    objection = colander.SchemaNode(Text(), missing="",
                                    validator=colander.Length(0, 2000))
