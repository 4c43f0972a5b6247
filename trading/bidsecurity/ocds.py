"""Bid security in the OCDS releases (issue #20 point 7): the tender's requirement only.

`tender.bidSecurity` (this platform's extension, bidsecurity-extension.json in opendata,
an OCDS extension patch): whether security is required, in which form, until when, and the
amount per lot. It is the published requirement and nothing else: no payer, no payer
account, no sub-account, no guarantee or its holder — before the opening those are sealed,
and after it the opening record (not open data) names each bid's security status.
"""

from ..errors import RuleRefused
from ..opendata.ocds import instant, yuan
from ..projects.models import Project
from . import rules as r

FORMS = {r.SecurityForm.DEPOSIT: ["deposit"], r.SecurityForm.GUARANTEE: ["guarantee"],
         r.SecurityForm.EITHER: ["deposit", "guarantee"]}


def ocds_part(dbsession, project: Project) -> dict:
    """Bid security's part of a release (added by a ReleaseAssembling subscriber):
    ``{"tender": {"bidSecurity": ...}}``."""
    from .service import requirement_of

    try:
        requirements = [(lot, requirement_of(project, lot)) for lot in project.lots]
    except RuleRefused:
        return {}  # an invalid profile publishes no requirement rather than a wrong one
    required = [(lot, req) for lot, req in requirements if req.form is not r.SecurityForm.NONE]
    if not required:
        return {"tender": {"bidSecurity": {"required": False}}}
    form = required[0][1].form
    return {"tender": {"bidSecurity": {
        "required": True,
        "forms": FORMS[form],
        "description": f"投标保证金：{r.FORM_LABELS[form]}，投标截止前提交；"
                       "缴纳人与保函持有人开标前密封，开标时公布于开标记录。",
        "dueDate": instant(required[0][1].deadline),
        "lots": [{"relatedLot": str(lot.number),
                  "value": {"amount": yuan(req.required_fen), "currency": "CNY"}}
                 for lot, req in required]}}}
