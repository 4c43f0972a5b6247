"""Shapes of bidding input: the web-form offer, custodian designation, passphrases.

Schemas check shape only; deadlines, sign-up and custody rules live in the services.
"""

import colander

from ..forms import Money, Text


class ItemSchema(colander.MappingSchema):
    name = colander.SchemaNode(Text(), validator=colander.Length(1, 200))
    total_price = colander.SchemaNode(Money())


class ItemsSchema(colander.SequenceSchema):
    item = ItemSchema()


class OfferSchema(colander.MappingSchema):
    """开标一览表 as typed in the web form: yuan in, integer fen out."""

    total_price = colander.SchemaNode(Money())
    duration_days = colander.SchemaNode(colander.Integer(), missing=None,
                                        validator=colander.Range(0, 100_000))
    quality = colander.SchemaNode(Text(), missing="",
                                  validator=colander.Length(0, 500))
    project_manager = colander.SchemaNode(Text(), missing="",
                                          validator=colander.Length(0, 100))
    remarks = colander.SchemaNode(Text(), missing="",
                                  validator=colander.Length(0, 2000))
    items = ItemsSchema(missing=())


def offer_from_fields(fields: dict[str, list[str]]) -> dict:
    """The posted text fields (item_name/item_price repeated) → a bid_crypto offer dict.

    Raises colander.Invalid on bad shapes.
    """
    names, prices = fields.get("item_name", []), fields.get("item_price", [])
    items = [{"name": n.strip(), "total_price": p.strip()} for n, p in zip(names, prices,
                                                                             strict=False)
             if n.strip() or p.strip()]
    cstruct = {k: (fields.get(k) or [""])[0].strip()
               for k in ("total_price", "duration_days", "quality", "project_manager",
                         "remarks")}
    cstruct = {k: (v if v != "" else colander.null) for k, v in cstruct.items()}
    cstruct["items"] = items
    values = OfferSchema().deserialize(cstruct)
    offer = {"total_price": values["total_price"], "currency": "CNY"}
    if values["duration_days"] is not None:
        offer["duration_days"] = values["duration_days"]
    for key in ("quality", "project_manager", "remarks"):
        if values[key]:
            offer[key] = values[key]
    if values["items"]:
        offer["items"] = [dict(item) for item in values["items"]]
    return offer


class PassphraseBody(colander.MappingSchema):
    passphrase = colander.SchemaNode(Text(), validator=colander.Length(1, 500))


class ConfirmBody(colander.MappingSchema):
    objection = colander.SchemaNode(Text(), missing="",
                                    validator=colander.Length(0, 2000))
