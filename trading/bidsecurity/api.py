"""The bid-security JSON API: the bank's notification webhook and the bidder's own view."""

from pyramid.view import view_config

from ..api import describe
from ..security import Permission
from .bank import SIGNATURE_HEADER
from .service import BidSecurityService

ANSWER = {"type": "object", "required": ["message", "notification_id"],
          "properties": {"result": {"type": "string"}, "error": {"type": "string"},
                         "message": {"type": "string"},
                         "notification_id": {"type": "integer"}}}

describe("api.bidsecurity.notify", "POST",
         "The bank's payment notification (银行到账通知): a canonical JSON body signed with "
         f"the bank's Ed25519 key in the {SIGNATURE_HEADER} header. Every notification is "
         "stored; 200 recorded, 401 bad_signature, 400 malformed/stale, 409 replay, 422 "
         "unknown_reference/late_payment/short_amount/wrong_account (recorded, refunded).",
         response=ANSWER)


@view_config(route_name="api.bidsecurity.notify", request_method="POST", renderer="json",
             permission=Permission.PUBLIC_VIEW, require_csrf=False)
def notify(request):
    # Answered, never raised: a refusal must still commit the stored notification.
    answer = request.find_service(BidSecurityService).receive(
        request.body, request.headers.get(SIGNATURE_HEADER))
    request.response.status_int = answer.status
    return answer.as_json()
