"""Shapes of award input (forms and API bodies share them); rules live in the services."""

import colander

from ..forms import Money


class StartRoundBody(colander.MappingSchema):
    """发起终次报价: the floor in yuan; empty means the profile's share of the ceiling."""

    floor = colander.SchemaNode(Money(), missing=None)


class FinalOfferBody(colander.MappingSchema):
    amount = colander.SchemaNode(Money())



def roster_ties(posted) -> dict:
    """The roster form's ties, one per line as on the expert pool's form ("a|b|c"):
    employers (name|credit code|from|to, ISO dates, to empty while employed),
    shareholdings (name|credit code|share), relatives (name|relation|employer|credit code).
    """
    from datetime import date

    from ..evaluation.forms import lines
    from .errors import InvalidAwardInput

    employers = lines(posted.get("employers", ""), "employers",
                      ("name", "credit_code", "from", "to"))
    for number, row in enumerate(employers, start=1):
        for key in ("from", "to"):
            try:
                if row[key]:
                    date.fromisoformat(row[key])
            except ValueError:
                raise InvalidAwardInput(f"工作单位第{number}行的日期应为 YYYY-MM-DD",
                                        field="employers") from None
        row["to"] = row["to"] or None
    return {"employers": employers,
            "shareholdings": lines(posted.get("shareholdings", ""), "shareholdings",
                                   ("name", "credit_code", "share")),
            "relatives": lines(posted.get("relatives", ""), "relatives",
                               ("name", "relation", "org_name", "credit_code"))}
