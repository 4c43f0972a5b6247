"""Shapes of bidding input: custodian designation, passphrases.

Schemas check shape only; deadlines, sign-up and custody rules live in the services.
"""

import colander

from ..forms import Text


class PassphraseBody(colander.MappingSchema):
    passphrase = colander.SchemaNode(Text(), validator=colander.Length(1, 500))


class ConfirmBody(colander.MappingSchema):
    objection = colander.SchemaNode(Text(), missing="",
                                    validator=colander.Length(0, 2000))
