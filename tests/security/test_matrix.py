"""The authorization matrix: every route × every kind of user, from one declarative table.

A route missing from TABLE fails `test_every_route_is_in_the_table`, so a new page cannot
ship without deciding who may use it. "Allowed" means the request got past authorization
(any answer but 401/403 or a bounce to the login page: a 400 or 409 from the service's own
rules still proves the door was open); "denied" means exactly that bounce.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import transaction
from conftest import START, TestApp
from factories import actor_for, make_project, make_user, project_service
from pyramid.interfaces import IRoutesMapper

from trading.accounts.models import Role
from trading.accounts.service import AccountService
from trading.audit import logset
from trading.db import get_tm_session
from trading.demo.helpers import seal_and_submit
from trading.draws.services import DrawService
from trading.intermediaries.rules import CreditEventKind
from trading.jobs.request import TEST_DBSESSION

PERSONAS = ("anonymous", "owner", "other_owner", "bidder", "other_bidder", "intermediary",
            "expert", "center", "supervisor")
EVERYONE = frozenset(PERSONAS)
USERS = EVERYONE - {"anonymous"}
OWNERS = frozenset({"owner", "other_owner"})
BIDDERS = frozenset({"bidder", "other_bidder"})


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    path: str  # formatted with the world's ids
    allowed: frozenset
    api: bool = False
    data: dict = field(default_factory=dict)


def html(route, path, allowed, method="GET", **data):
    return Row(route, method, path, frozenset(allowed), False, data)


def api(route, path, allowed, method="GET", **data):
    return Row(route, method, path, frozenset(allowed), True, data)


TABLE = [
    html("home", "/", EVERYONE),
    html("locale", "/locale/en", EVERYONE),
    html("workspace", "/workspace", USERS),
    html("accounts.login", "/login", EVERYONE),
    html("accounts.logout", "/logout", EVERYONE, "POST"),
    html("accounts.register", "/register", EVERYONE),
    html("accounts.second_factor", "/login/second-factor", EVERYONE),
    html("accounts.totp", "/account/two-factor", USERS),
    html("accounts.totp", "/account/two-factor", USERS, "POST"),
    html("accounts.me", "/account", USERS),
    # 站内消息: every account its own (another's message id is a 404, tests/messages).
    html("messages.list", "/messages", USERS),
    html("messages.read_all", "/messages/read-all", USERS, "POST"),
    html("messages.settings", "/messages/settings", USERS, "POST", email="m@example.org"),
    html("messages.read", "/messages/999999/read", USERS, "POST"),
    # 三员分立: only the administrators (tests/accounts/test_three_admins.py), none of these.
    html("admin.users", "/admin/users", set()),
    html("admin.users", "/admin/users", set(), "POST"),
    html("admin.user_active", "/admin/users/1/active", set(), "POST"),
    html("admin.policy", "/admin/policy", set()),
    html("admin.policy", "/admin/policy", set(), "POST"),
    html("admin.second_factor_reset", "/admin/second-factor/reset", set(), "POST"),
    html("accounts.password", "/account/password", USERS, "POST"),
    html("accounts.tokens", "/account/tokens", USERS, "POST"),
    html("accounts.token_revoke", "/account/tokens/1/revoke", USERS, "POST"),
    html("projects.list", "/projects", EVERYONE),
    html("projects.mine", "/projects/mine", OWNERS),
    html("projects.reviews", "/projects/reviews", {"center"}),
    html("projects.new", "/projects/new", OWNERS),
    html("projects.detail", "/projects/{public}", EVERYONE),
    html("projects.detail", "/projects/{draft}", {"owner", "center", "supervisor"}),
    html("projects.edit", "/projects/{draft}/edit", {"owner"}),
    html("projects.upload", "/projects/{draft}/documents", {"owner"}, "POST"),
    html("projects.download", "/projects/{public}/documents/{document}",
         {"owner", "bidder", "center", "supervisor"}),
    html("projects.submit", "/projects/{draft}/submit", {"owner"}, "POST"),
    html("projects.review", "/projects/{public}/review", {"center"}),
    html("projects.cancel", "/projects/{public}/cancel", {"owner"}, "POST"),
    html("projects.retender", "/projects/{public}/retender", {"owner"}, "POST"),
    html("projects.freeze", "/projects/{public}/freeze", {"supervisor"}, "POST"),
    html("projects.unfreeze", "/projects/{public}/unfreeze", {"supervisor"}, "POST"),
    html("projects.clarify", "/projects/{public}/clarifications/new", {"owner"}),
    html("projects.announcement", "/projects/{public}/announcements/{announcement}", EVERYONE),
    html("projects.announcement.signed",
         "/projects/{public}/announcements/{announcement}/notice.json", EVERYONE),
    html("projects.ask", "/projects/{public}/questions", {"bidder"}, "POST",
         text="请问是否接受联合体投标？"),
    html("projects.answer", "/projects/{public}/questions/{question}/answer", {"owner"}, "POST"),
    html("projects.signup", "/projects/{public}/lots/{lot}/signup", BIDDERS, "POST"),
    html("projects.signups", "/projects/{public}/signups", {"center"}),
    # 投标保证金: the bidder's pages; the center reconciles; supervisors decide forfeitures.
    html("bidsecurity.mine", "/bidsecurity", BIDDERS),
    html("bidsecurity.accounts", "/bidsecurity/accounts", BIDDERS, "POST"),
    html("bidsecurity.project", "/projects/{public}/security", {"bidder"}),
    html("bidsecurity.sub_account", "/projects/{public}/lots/{lot}/security/sub-account",
         BIDDERS, "POST"),
    html("bidsecurity.guarantee", "/projects/{public}/lots/{lot}/security/guarantee",
         BIDDERS, "POST"),
    html("bidsecurity.center", "/bidsecurity/reconciliation", {"center"}),
    html("bidsecurity.forfeit", "/bidsecurity/refunds/999999/forfeit", {"center"}, "POST"),
    html("bidsecurity.supervision", "/bidsecurity/supervision", {"center", "supervisor"}),
    html("bidsecurity.decide", "/bidsecurity/forfeitures/999999/decide", {"supervisor"},
         "POST"),
    html("bidding.platform_key", "/bidding/platform.pub", EVERYONE),
    html("bidding.custody_key", "/account/custody-key", OWNERS | {"center", "supervisor"}),
    html("bidding.key", "/projects/{public}/opening.pub", EVERYONE),
    html("bidding.mine", "/projects/{public}/bids", BIDDERS),
    html("bidding.upload", "/projects/{public}/lots/{lot}/bids/upload", BIDDERS, "POST"),
    html("bidding.seal", "/projects/{public}/lots/{lot}/bids/seal", BIDDERS),
    # Only a bidder signed up to the lot may start an upload (403 for the other one).
    html("bidding.uploads", "/projects/{public}/lots/{lot}/bids/uploads", {"bidder"}, "POST"),
    html("bidding.upload_part", "/projects/{public}/lots/{lot}/bids/uploads/" + "A" * 32,
         BIDDERS),
    html("bidding.upload_finish",
         "/projects/{public}/lots/{lot}/bids/uploads/" + "A" * 32 + "/finish", BIDDERS,
         "POST"),
    html("bidding.offline", "/projects/{public}/offline-seal.html", BIDDERS),
    html("bidding.offline_blank", "/bidding/offline-seal.html", EVERYONE),
    html("bidding.withdraw", "/projects/{public}/lots/{lot}/bids/withdraw", {"bidder"}, "POST"),
    html("bidding.bid", "/projects/{public}/bids/{bid}", {"bidder"}),
    html("bidding.receipt", "/projects/{public}/bids/{bid}/versions/1/receipt.json", {"bidder"}),
    html("bidding.envelope", "/projects/{public}/bids/{bid}/versions/1/envelope.tbid",
         {"bidder"}),
    html("bidding.promise", "/projects/{public}/bids/{bid}/versions/1/promise.json",
         {"bidder"}),
    html("bidding.opening", "/projects/{public}/opening", EVERYONE),
    # Printable documents (文书): each behind the permission of the page it prints.
    html("print.opening", "/projects/{public}/print/opening-record", EVERYONE),
    html("print.evaluation", "/projects/{public}/lots/{lot}/print/evaluation-report",
         {"center", "supervisor"}),
    html("print.award_report", "/projects/{public}/award/committees/{committee}/print",
         EVERYONE),
    # A 中标通知书 is read by its addressee, the owner, the center and supervisors only.
    html("print.notice", "/projects/{public}/notices/{notice}/print",
         {"bidder", "owner", "center", "supervisor"}),
    html("print.announcement", "/projects/{public}/announcements/{announcement}/print",
         EVERYONE),
    # …and each as its signed PDF and its record (.json): the print page's own permission.
    *[html(f"{name}.{ext}", f"{path}.{ext}", allowed) for ext in ("pdf", "json")
      for name, path, allowed in (
          ("print.opening", "/projects/{public}/print/opening-record", EVERYONE),
          ("print.evaluation", "/projects/{public}/lots/{lot}/print/evaluation-report",
           {"center", "supervisor"}),
          ("print.award_report", "/projects/{public}/award/committees/{committee}/print",
           EVERYONE),
          ("print.notice", "/projects/{public}/notices/{notice}/print",
           {"bidder", "owner", "center", "supervisor"}),
          ("print.announcement", "/projects/{public}/announcements/{announcement}/print",
           EVERYONE))],
    html("printables.certificate", "/printables/certificate.pem", EVERYONE),
    # The bid documents: the committee's members only, once the evaluation has started.
    html("evaluation.bids", "/projects/{public}/bid-documents", set()),
    html("evaluation.bid_document", "/projects/{public}/bid-documents/{bid_pk}/0", set()),
    html("bidding.release", "/projects/{public}/opening/release", set(), "POST"),
    html("bidding.statement", "/projects/{public}/opening/statement.json", EVERYONE),
    html("bidding.my_share", "/projects/{public}/opening/my-share.json", set()),
    html("bidding.share", "/projects/{public}/opening/bids/{bid}/share", {"bidder"}, "POST"),
    html("bidding.confirm", "/projects/{public}/opening/bids/{bid}/confirm", {"bidder"}, "POST"),
    html("bidding.custodians", "/projects/{public}/custodians", {"center"}),
    html("award.final_offer", "/projects/{public}/final-offer", EVERYONE),
    html("award.final_offer.start", "/projects/{public}/final-offer/lots/{lot}/start",
         {"center"}, "POST"),
    html("award.final_offer.key", "/projects/{public}/final-offer/{round}/round.pub", EVERYONE),
    html("award.final_offer.join", "/projects/{public}/final-offer/{round}/join", BIDDERS,
         "POST"),
    html("award.final_offer.submit", "/projects/{public}/final-offer/{round}/offer", BIDDERS,
         "POST", amount="100"),
    html("award.final_offer.reveal", "/projects/{public}/final-offer/{round}/reveal",
         {"center"}, "POST"),
    html("award.final_offer.offers", "/projects/{public}/final-offer/{round}/offers.json",
         EVERYONE),
    html("award.final_offer.receipt", "/projects/{public}/final-offer/{round}/receipt.json",
         BIDDERS),
    html("award.roster", "/award/roster", OWNERS),
    html("award.roster", "/award/roster", OWNERS, "POST", username="nobody"),
    html("award.roster.remove", "/award/roster/999999/remove", OWNERS, "POST"),
    html("award.page", "/projects/{public}/award", EVERYONE),
    html("award.inputs", "/projects/{public}/award/lots/{lot}/inputs.json", EVERYONE),
    html("award.objection", "/projects/{public}/award/objections", BIDDERS, "POST",
         text="请核查候选人资格。"),
    html("award.answer", "/projects/{public}/award/objections/{objection}/answer", {"owner"},
         "POST", answer="经核查符合要求。"),
    html("award.committee.form", "/projects/{public}/award/lots/{lot}/committee", {"owner"},
         "POST", size="5"),
    html("award.committee", "/projects/{public}/award/committees/{committee}",
         {"owner", "center", "supervisor"}),
    html("award.ballot", "/projects/{public}/award/committees/{committee}/ballot", {"owner"},
         "POST"),
    html("award.chair", "/projects/{public}/award/committees/{committee}/decide", {"owner"},
         "POST"),
    html("award.sign", "/projects/{public}/award/committees/{committee}/sign", {"owner"},
         "POST"),
    html("award.report", "/projects/{public}/award/committees/{committee}/report.json",
         EVERYONE),
    html("award.auction", "/projects/{public}/award/auctions/{auction}", EVERYONE),
    html("award.auction.bid", "/projects/{public}/award/auctions/{auction}/bid", BIDDERS,
         "POST", amount="1.00"),
    html("award.decide", "/projects/{public}/award/decide", {"owner"}, "POST"),
    html("award.decline", "/projects/{public}/award/awards/{award}/decline", BIDDERS, "POST",
         reason="无法履约"),
    html("award.contract", "/projects/{public}/award/contract", {"owner"}, "POST"),
    html("award.consultation", "/projects/{public}/consultation", EVERYONE),
    html("award.consultation.panel", "/projects/{public}/consultation/lots/{lot}/panel",
         {"center"}, "POST", action="open"),
    html("award.consultation.withdraw", "/projects/{public}/consultation/lots/{lot}/withdraw",
         BIDDERS, "POST"),
    html("award.consultation.quote", "/projects/{public}/consultation/lots/{lot}/final-quote",
         BIDDERS),
    html("award.consultation.quote", "/projects/{public}/consultation/lots/{lot}/final-quote",
         BIDDERS, "POST", amount="100"),
    html("draws.list", "/draws", EVERYONE),
    html("draws.verify", "/draws/verify", EVERYONE),
    html("draws.detail", "/draws/{draw}", EVERYONE),
    html("draws.record", "/draws/{draw}/record.json", EVERYONE),
    html("draws.pool", "/draws/{draw}/pool.json", EVERYONE),
    html("draws.beacon", "/draws/{draw}/beacon", {"supervisor"}),
    html("audit.checkpoints", "/audit/checkpoints", EVERYONE),
    html("opendata", "/opendata", EVERYONE),
    html("opendata.export", "/opendata/releases.json", EVERYONE),
    html("audit.checkpoints.sign", "/audit/checkpoints/sign", {"center"}, "POST"),
    html("audit.log", "/audit/log", {"center", "supervisor"}),
    # Collusion signals: never the bidders (nor the owner); the committee via its hook.
    html("audit.signals", "/projects/{public}/signals", {"center", "supervisor"}),
    html("archive.index", "/archive", {"center", "supervisor"}),
    html("supervision.dashboard", "/supervision", {"center", "supervisor"}),
    html("supervision.chart", "/supervision/charts/status.svg", {"center", "supervisor"}),
    html("archive.download", "/archive/999999/download", {"center", "supervisor"}),
    html("evaluation.experts", "/evaluation/experts", {"center", "supervisor"}),
    html("evaluation.experts", "/evaluation/experts", {"center"}, "POST"),
    html("evaluation.expert", "/evaluation/experts/{expert}", {"center"}),
    html("evaluation.expert", "/evaluation/experts/{expert}", {"center"}, "POST"),
    html("evaluation.unlocks", "/evaluation/unlocks", {"supervisor"}),
    html("evaluation.unlocks", "/evaluation/unlocks", {"supervisor"}, "POST"),
    html("evaluation.criteria", "/projects/{public}/criteria", EVERYONE),
    html("evaluation.criteria", "/projects/{draft}/criteria", {"owner", "center", "supervisor"}),
    html("evaluation.criteria", "/projects/{draft}/criteria", {"owner"}, "POST"),
    # Until the evaluation starts the committee is secret: center and supervisors only.
    html("evaluation.committee", "/projects/{public}/committee", {"center", "supervisor"}),
    html("evaluation.committee", "/projects/{public}/committee", {"center"}, "POST"),
    html("evaluation.committee.act", "/projects/{public}/committee/draw", {"center"}, "POST"),
    # An expert sees only the project it was drawn for.
    html("evaluation.room", "/projects/{public}/evaluation", {"expert"}),
    html("evaluation.room", "/projects/{draft}/evaluation", set()),
    html("evaluation.room.act", "/projects/{public}/evaluation/accept", {"expert"}, "POST"),
    html("evaluation.sheet", "/projects/{public}/lots/{lot}/sheet", {"expert"}),
    html("evaluation.sheet", "/projects/{public}/lots/{lot}/sheet", {"expert"}, "POST"),
    html("evaluation.chair", "/projects/{public}/lots/{lot}/chair/evaluate", set(), "POST"),
    html("evaluation.report", "/projects/{public}/lots/{lot}/report", {"center", "supervisor"}),
    html("evaluation.report", "/projects/{public}/lots/{lot}/report", {"expert"}, "POST"),
    html("evaluation.lowprice", "/projects/{public}/low-price/{review}", {"bidder"}),
    html("evaluation.lowprice", "/projects/{public}/low-price/{review}", {"bidder"}, "POST"),
    # 中介超市
    html("im.home", "/supermarket", EVERYONE),
    html("im.statistics", "/supermarket/statistics", EVERYONE),
    html("im.catalogue", "/supermarket/catalogue", EVERYONE),
    html("im.type.new", "/supermarket/catalogue/types/new", {"center"}),
    html("im.item.new", "/supermarket/catalogue/types/{im_type}/items/new", {"center"}),
    html("im.entry", "/supermarket/entry", {"intermediary"}),
    html("im.line.renew", "/supermarket/entry/lines/{im_line}/renew", {"intermediary"}, "POST",
         certificate_no="C2", valid_until="2030-01-01"),
    html("im.entries", "/supermarket/entries", {"center"}),
    html("im.entry.review", "/supermarket/entries/{im_entry}/review", {"center"}),
    html("im.entry.status", "/supermarket/entries/{im_entry}/status", {"center"}, "POST",
         action="suspend", reason="matrix"),
    html("im.intermediary", "/supermarket/intermediaries/{im_org}", EVERYONE),
    html("im.credit.record", "/supermarket/intermediaries/{im_org}/credit-events", {"center"},
         "POST", kind="complaint_upheld", note="matrix"),
    html("im.purchases", "/supermarket/purchases", EVERYONE),
    html("im.purchases.mine", "/supermarket/purchases/mine", OWNERS),
    html("im.purchases.review", "/supermarket/purchases/reviews", {"center"}),
    html("im.purchase.new", "/supermarket/purchases/new", OWNERS),
    html("im.purchase", "/supermarket/purchases/{im_public}", EVERYONE),
    html("im.purchase", "/supermarket/purchases/{im_draft}", {"owner", "center", "supervisor"}),
    html("im.purchase.notice", "/supermarket/purchases/{im_public}/notice.json", EVERYONE),
    html("im.purchase.notice", "/supermarket/purchases/{im_draft}/notice.json",
         {"owner", "center", "supervisor"}),
    html("im.purchase.edit", "/supermarket/purchases/{im_draft}/edit", {"owner"}),
    html("im.purchase.submit", "/supermarket/purchases/{im_draft}/submit", {"owner"}, "POST"),
    html("im.purchase.review", "/supermarket/purchases/{im_public}/review", {"center"}),
    html("im.purchase.run", "/supermarket/purchases/{im_public}/run", {"center"}, "POST"),
    html("im.purchase.register", "/supermarket/purchases/{im_public}/register", {"intermediary"},
         "POST"),
    html("im.purchase.promise", "/supermarket/purchases/{im_public}/registration-promise.json",
         {"intermediary"}),
    html("im.purchase.quote", "/supermarket/purchases/{im_public}/quote", {"intermediary"}),
    html("im.purchase.choose", "/supermarket/purchases/{im_public}/choose", {"owner"}, "POST",
         org_id="1", reasons="r"),
    html("im.purchase.confirm", "/supermarket/purchases/{im_public}/confirm", {"intermediary"},
         "POST"),
    html("im.purchase.decline", "/supermarket/purchases/{im_public}/decline", {"intermediary"},
         "POST", reason="r"),
    html("im.purchase.contract", "/supermarket/purchases/{im_public}/contract", {"intermediary"},
         "POST"),
    html("im.purchase.contract_review", "/supermarket/purchases/{im_public}/contract-review",
         {"owner"}, "POST"),
    html("im.purchase.result", "/supermarket/purchases/{im_public}/result", {"intermediary"},
         "POST"),
    html("im.purchase.accept", "/supermarket/purchases/{im_public}/accept", {"owner"}, "POST"),
    html("im.purchase.rate", "/supermarket/purchases/{im_public}/rate", {"owner"}, "POST",
         quality="5", timeliness="5", attitude="5", fee_compliance="5"),
    html("im.purchase.terminate", "/supermarket/purchases/{im_public}/terminate", {"owner"},
         "POST", reason="matrix"),
    html("im.purchase.waive", "/supermarket/purchases/{im_public}/credit-events/{im_event}/waive",
         {"owner", "center"}, "POST", reason="matrix"),
    html("im.document", "/supermarket/purchases/{im_public}/documents/{im_document}",
         {"owner", "center", "supervisor"}),
    api("api.openapi", "/api/v1/openapi.json", EVERYONE),
    api("api.me", "/api/v1/me", USERS),
    api("api.messages", "/api/v1/messages", USERS),
    api("api.messages.read_all", "/api/v1/messages/read-all", USERS, "POST"),
    api("api.message.read", "/api/v1/messages/999999/read", USERS, "POST"),
    api("api.audit.checkpoints", "/api/v1/audit/checkpoints", EVERYONE),
    api("api.audit.log.checkpoint", "/api/v1/audit/log/checkpoint", EVERYONE),
    api("api.audit.log.inclusion", "/api/v1/audit/log/inclusion?seq=1", EVERYONE),
    api("api.audit.log.consistency", "/api/v1/audit/log/consistency?old=0", EVERYONE),
    api("api.audit.log.cosignatures", "/api/v1/audit/log/cosignatures", EVERYONE, "POST"),
    api("api.audit.signals", "/api/v1/projects/{public}/signals", {"center", "supervisor"}),
    api("api.draws", "/api/v1/draws", EVERYONE),
    api("api.draw", "/api/v1/draws/{draw}", EVERYONE),
    api("api.draw.beacon", "/api/v1/draws/{draw}/beacon", {"supervisor"}, "POST"),
    api("api.draw.pool", "/api/v1/draws/{draw}/pool", EVERYONE),
    api("api.award.final_offer", "/api/v1/projects/{public}/final-offer", EVERYONE),
    api("api.award.final_offer.start", "/api/v1/projects/{public}/final-offer/lots/{lot}/start",
        {"center"}, "POST"),
    api("api.award.final_offer.join", "/api/v1/projects/{public}/final-offer/{round}/join",
        BIDDERS, "POST"),
    api("api.award.final_offer.reveal", "/api/v1/projects/{public}/final-offer/{round}/reveal",
        {"center"}, "POST"),
    api("api.award.final_offer.submit", "/api/v1/projects/{public}/final-offer/{round}/offer",
        BIDDERS, "POST", amount="100"),
    api("api.award.consultation", "/api/v1/projects/{public}/consultation", EVERYONE),
    api("api.award.consultation.rounds", "/api/v1/projects/{public}/consultation/lots/{lot}"
        "/rounds", {"center"}, "POST"),
    api("api.award.consultation.close", "/api/v1/projects/{public}/consultation/lots/{lot}"
        "/rounds/close", {"center"}, "POST"),
    api("api.award.consultation.sessions", "/api/v1/projects/{public}/consultation/lots/{lot}"
        "/sessions", {"center"}, "POST", org_id=1, text="就服务方案磋商。"),
    api("api.award.consultation.changes", "/api/v1/projects/{public}/consultation/lots/{lot}"
        "/changes", {"center"}, "POST", text="服务期调整为两年。"),
    api("api.award.consultation.final", "/api/v1/projects/{public}/consultation/lots/{lot}"
        "/final-quotes", {"center"}, "POST"),
    api("api.award.consultation.reveal", "/api/v1/projects/{public}/consultation/lots/{lot}"
        "/final-quotes/reveal", {"center"}, "POST"),
    api("api.award.consultation.quote", "/api/v1/projects/{public}/consultation/lots/{lot}"
        "/final-quote", BIDDERS, "POST", amount="100"),
    api("api.award.consultation.withdraw", "/api/v1/projects/{public}/consultation/lots/{lot}"
        "/withdraw", BIDDERS, "POST"),
    api("api.award.consultation.terminate", "/api/v1/projects/{public}/consultation/terminate",
        {"center"}, "POST", reason="供应商不足"),
    api("api.award", "/api/v1/projects/{public}/award", EVERYONE),
    api("api.award.objections", "/api/v1/projects/{public}/award/objections", BIDDERS, "POST",
        text="请核查候选人资格。"),
    api("api.award.ballot", "/api/v1/projects/{public}/award/committees/{committee}/ballot",
        {"owner"}, "POST", round_id=1, choices=[]),
    api("api.award.auction", "/api/v1/projects/{public}/award/auctions/{auction}", EVERYONE),
    api("api.award.auction.bid", "/api/v1/projects/{public}/award/auctions/{auction}/bids",
        BIDDERS, "POST", amount="1.00"),
    api("api.award.decide", "/api/v1/projects/{public}/award/decide", {"owner"}, "POST"),
    api("api.im.service_types", "/api/v1/supermarket/service-types", EVERYONE),
    api("api.im.service_types", "/api/v1/supermarket/service-types", {"center"}, "POST",
        code="MX", name="matrix"),
    api("api.im.service_items", "/api/v1/supermarket/service-types/{im_type}/items", {"center"},
        "POST", code="MXI", name="matrix"),
    api("api.im.intermediaries", "/api/v1/supermarket/intermediaries", EVERYONE),
    api("api.im.entry", "/api/v1/supermarket/entry", {"intermediary"}),
    api("api.im.entry", "/api/v1/supermarket/entry", {"intermediary"}, "PUT"),
    api("api.im.entry.submit", "/api/v1/supermarket/entry/submit", {"intermediary"}, "POST"),
    api("api.im.line.renew", "/api/v1/supermarket/entry/lines/{im_line}/renew",
        {"intermediary"}, "POST", certificate_no="C2", valid_until="2030-01-01"),
    api("api.im.entry.review", "/api/v1/supermarket/entries/{im_entry}/review", {"center"},
        "POST", decision="return", reasons="matrix"),
    api("api.im.entry.status", "/api/v1/supermarket/entries/{im_entry}/status", {"center"},
        "POST", action="suspend", reason="matrix"),
    api("api.im.credit_events", "/api/v1/supermarket/intermediaries/{im_org}/credit-events",
        {"center"}, "POST", kind="complaint_upheld", note="matrix"),
    api("api.im.statistics", "/api/v1/supermarket/statistics", EVERYONE),
    api("api.im.purchases", "/api/v1/supermarket/purchases", EVERYONE),
    api("api.im.purchases", "/api/v1/supermarket/purchases", OWNERS, "POST"),
    api("api.im.purchase", "/api/v1/supermarket/purchases/{im_public}", EVERYONE),
    api("api.im.purchase", "/api/v1/supermarket/purchases/{im_draft}",
        {"owner", "center", "supervisor"}),
    api("api.im.purchase.submit", "/api/v1/supermarket/purchases/{im_draft}/submit", {"owner"},
        "POST"),
    api("api.im.purchase.review", "/api/v1/supermarket/purchases/{im_public}/review",
        {"center"}, "POST", decision="approve"),
    api("api.im.purchase.run", "/api/v1/supermarket/purchases/{im_public}/run", {"center"},
        "POST"),
    api("api.im.purchase.terminate", "/api/v1/supermarket/purchases/{im_public}/terminate",
        {"owner"}, "POST", reason="matrix"),
    api("api.im.purchase.waive",
        "/api/v1/supermarket/purchases/{im_public}/credit-events/{im_event}/waive",
        {"owner", "center"}, "POST", reason="matrix"),
    api("api.im.purchase.register", "/api/v1/supermarket/purchases/{im_public}/register",
        {"intermediary"}, "POST"),
    api("api.im.purchase.quote", "/api/v1/supermarket/purchases/{im_public}/quote",
        {"intermediary"}, "POST", quote="1"),
    api("api.im.purchase.choose", "/api/v1/supermarket/purchases/{im_public}/choose",
        {"owner"}, "POST", org_id=1, reasons="r"),
    api("api.im.purchase.confirm", "/api/v1/supermarket/purchases/{im_public}/confirm",
        {"intermediary"}, "POST"),
    api("api.im.purchase.decline", "/api/v1/supermarket/purchases/{im_public}/decline",
        {"intermediary"}, "POST", reason="r"),
    api("api.im.purchase.contract", "/api/v1/supermarket/purchases/{im_public}/contract",
        {"intermediary"}, "POST"),
    api("api.im.purchase.contract_review",
        "/api/v1/supermarket/purchases/{im_public}/contract-review", {"owner"}, "POST"),
    api("api.im.purchase.result", "/api/v1/supermarket/purchases/{im_public}/result",
        {"intermediary"}, "POST"),
    api("api.im.purchase.accept", "/api/v1/supermarket/purchases/{im_public}/accept",
        {"owner"}, "POST"),
    api("api.im.purchase.rate", "/api/v1/supermarket/purchases/{im_public}/rate",
        {"owner"}, "POST", quality=5, timeliness=5, attitude=5, fee_compliance=5),
    api("api.ocds.releases", "/api/v1/ocds/releases", EVERYONE),
    api("api.ocds.project", "/api/v1/ocds/projects/{public}/releases", EVERYONE),
    api("api.ocds.project", "/api/v1/ocds/projects/{draft}/releases",
        {"owner", "center", "supervisor"}),
    api("api.ocds.record", "/api/v1/ocds/projects/{public}/record", EVERYONE),
    api("api.projects", "/api/v1/projects", EVERYONE),
    api("api.projects", "/api/v1/projects", OWNERS, "POST"),
    api("api.project", "/api/v1/projects/{public}", EVERYONE),
    api("api.project", "/api/v1/projects/{draft}", {"owner", "center", "supervisor"}),
    api("api.project", "/api/v1/projects/{draft}", {"owner"}, "PUT"),
    api("api.project.documents", "/api/v1/projects/{draft}/documents", {"owner"}, "POST"),
    api("api.project.download", "/api/v1/projects/{public}/documents/{document}",
        {"owner", "bidder", "center", "supervisor"}),
    api("api.project.submit", "/api/v1/projects/{draft}/submit", {"owner"}, "POST"),
    api("api.project.approve", "/api/v1/projects/{public}/approve", {"center"}, "POST"),
    api("api.project.return", "/api/v1/projects/{public}/return", {"center"}, "POST"),
    api("api.project.cancel", "/api/v1/projects/{public}/cancel", {"owner"}, "POST"),
    api("api.project.retender", "/api/v1/projects/{public}/retender", {"owner"}, "POST"),
    api("api.project.freeze", "/api/v1/projects/{public}/freeze", {"supervisor"}, "POST"),
    api("api.project.unfreeze", "/api/v1/projects/{public}/unfreeze", {"supervisor"}, "POST"),
    api("api.project.clarifications", "/api/v1/projects/{public}/clarifications", {"owner"},
        "POST"),
    api("api.project.questions", "/api/v1/projects/{public}/questions", {"bidder"}, "POST",
        text="请问是否接受联合体投标？"),
    api("api.project.answer", "/api/v1/projects/{public}/questions/{question}/answer",
        {"owner"}, "POST"),
    api("api.project.signup", "/api/v1/projects/{public}/lots/{lot}/signup", BIDDERS, "POST"),
    api("api.project.signups", "/api/v1/projects/{public}/signups", {"center"}),
    api("api.bidding.key", "/api/v1/projects/{public}/opening-key", EVERYONE),
    api("api.bidding.bids", "/api/v1/projects/{public}/bids", BIDDERS),
    api("api.bidding.submit", "/api/v1/projects/{public}/lots/{lot}/bids", BIDDERS, "POST"),
    api("api.bidding.withdraw", "/api/v1/projects/{public}/lots/{lot}/bids/withdraw",
        {"bidder"}, "POST"),
    api("api.bidding.bid", "/api/v1/projects/{public}/bids/{bid}", {"bidder"}),
    api("api.bidding.receipt", "/api/v1/projects/{public}/bids/{bid}/versions/1/receipt",
        {"bidder"}),
    api("api.bidding.opening", "/api/v1/projects/{public}/opening", EVERYONE),
    api("api.bidding.release", "/api/v1/projects/{public}/opening/release", set(), "POST"),
    api("api.bidding.statement", "/api/v1/projects/{public}/opening/statement", EVERYONE),
    api("api.bidding.my_share", "/api/v1/projects/{public}/opening/my-share", set()),
    api("api.bidding.share", "/api/v1/projects/{public}/opening/bids/{bid}/share", {"bidder"},
        "POST"),
    api("api.bidding.confirm", "/api/v1/projects/{public}/opening/bids/{bid}/confirm",
        {"bidder"}, "POST"),
    html("smallworks.registry", "/smallworks", EVERYONE),
    html("smallworks.apply", "/smallworks/apply", BIDDERS),
    html("smallworks.reviews", "/smallworks/reviews", {"center"}),
    html("smallworks.mine", "/smallworks/mine", USERS),
    html("smallworks.statistics", "/smallworks/statistics", EVERYONE),
    html("smallworks.profile", "/smallworks/profile", {"center"}),
    html("smallworks.enterprise", "/smallworks/enterprises/{sw_entry}", EVERYONE),
    html("smallworks.enterprise", "/smallworks/enterprises/{sw_applied}",
         {"other_bidder", "center", "supervisor"}),
    html("smallworks.enterprise.review", "/smallworks/enterprises/{sw_applied}/review",
         {"center"}, "POST", decision="approve"),
    html("smallworks.enterprise.status", "/smallworks/enterprises/{sw_entry}/status",
         {"center"}, "POST", action="suspend", reason="矩阵"),
    html("smallworks.projects", "/smallworks/projects", EVERYONE),
    html("smallworks.new", "/smallworks/projects/new", OWNERS),
    html("smallworks.project", "/smallworks/projects/{sw_drawn}", EVERYONE),
    html("smallworks.project.notice", "/smallworks/projects/{sw_drawn}/notice.json", EVERYONE),
    html("smallworks.project.notice", "/smallworks/projects/{sw_submitted}/notice.json",
         {"owner", "center", "supervisor"}),
    html("smallworks.project", "/smallworks/projects/{sw_submitted}",
         {"owner", "center", "supervisor"}),
    html("smallworks.project.budget", "/smallworks/projects/{sw_submitted}/budget-file",
         {"owner", "center", "supervisor"}),
    html("smallworks.project.review", "/smallworks/projects/{sw_submitted}/review",
         {"center"}, "POST", decision="return", reasons="矩阵"),
    html("smallworks.project.draw", "/smallworks/projects/{sw_drawn}/draw", {"center"},
         "POST"),
    html("smallworks.project.quote", "/smallworks/projects/{sw_quoting}/quote", {"bidder"},
         "POST", price="400000"),
    html("smallworks.project.open", "/smallworks/projects/{sw_quoting}/open", {"center"},
         "POST"),
    html("smallworks.project.accept", "/smallworks/projects/{sw_drawn}/accept", {"bidder"},
         "POST", manager="张工"),
    html("smallworks.project.decline", "/smallworks/projects/{sw_drawn}/decline", {"bidder"},
         "POST", reason="矩阵"),
    html("smallworks.project.decision", "/smallworks/projects/{sw_drawn}/decision",
         {"center"}, "POST", decline_id="1", decision="justified", reason="矩阵"),
    html("smallworks.project.contract", "/smallworks/projects/{sw_drawn}/contract",
         {"center"}, "POST"),
    html("smallworks.project.complete", "/smallworks/projects/{sw_drawn}/complete",
         {"owner"}, "POST"),
    html("smallworks.project.evaluate", "/smallworks/projects/{sw_drawn}/evaluate",
         {"owner"}, "POST"),
    api("api.smallworks.enterprises", "/api/v1/smallworks/enterprises", EVERYONE),
    api("api.smallworks.enterprises", "/api/v1/smallworks/enterprises", BIDDERS, "POST"),
    api("api.smallworks.enterprise", "/api/v1/smallworks/enterprises/{sw_entry}", EVERYONE),
    api("api.smallworks.enterprise", "/api/v1/smallworks/enterprises/{sw_applied}",
        {"other_bidder", "center", "supervisor"}),
    api("api.smallworks.enterprise.review",
        "/api/v1/smallworks/enterprises/{sw_applied}/review", {"center"}, "POST",
        decision="approve"),
    api("api.smallworks.enterprise.status", "/api/v1/smallworks/enterprises/{sw_entry}/status",
        {"center"}, "POST", action="suspend", reason="矩阵"),
    api("api.smallworks.projects", "/api/v1/smallworks/projects", EVERYONE),
    api("api.smallworks.projects", "/api/v1/smallworks/projects", OWNERS, "POST"),
    api("api.smallworks.statistics", "/api/v1/smallworks/statistics", EVERYONE),
    api("api.smallworks.profile", "/api/v1/smallworks/profile", EVERYONE),
    api("api.smallworks.profile", "/api/v1/smallworks/profile", {"center"}, "POST"),
    api("api.smallworks.project", "/api/v1/smallworks/projects/{sw_drawn}", EVERYONE),
    api("api.smallworks.project", "/api/v1/smallworks/projects/{sw_submitted}",
        {"owner", "center", "supervisor"}),
    api("api.smallworks.project.review", "/api/v1/smallworks/projects/{sw_submitted}/review",
        {"center"}, "POST", decision="return", reasons="矩阵"),
    api("api.smallworks.project.draw", "/api/v1/smallworks/projects/{sw_drawn}/draw",
        {"center"}, "POST"),
    api("api.smallworks.project.quote", "/api/v1/smallworks/projects/{sw_quoting}/quote",
        {"bidder"}, "POST", price="400000"),
    api("api.smallworks.project.open", "/api/v1/smallworks/projects/{sw_quoting}/open",
        {"center"}, "POST"),
    api("api.smallworks.project.accept", "/api/v1/smallworks/projects/{sw_drawn}/accept",
        {"bidder"}, "POST", manager="张工"),
    api("api.smallworks.project.decline", "/api/v1/smallworks/projects/{sw_drawn}/decline",
        {"bidder"}, "POST", reason="矩阵"),
    api("api.smallworks.project.decision", "/api/v1/smallworks/projects/{sw_drawn}/decision",
        {"center"}, "POST", decline_id=1, decision="justified", reason="矩阵"),
    api("api.smallworks.project.contract", "/api/v1/smallworks/projects/{sw_drawn}/contract",
        {"center"}, "POST"),
    api("api.smallworks.project.complete", "/api/v1/smallworks/projects/{sw_drawn}/complete",
        {"owner"}, "POST"),
    api("api.smallworks.project.evaluate", "/api/v1/smallworks/projects/{sw_drawn}/evaluate",
        {"owner"}, "POST"),
    api("api.evaluation.experts", "/api/v1/evaluation/experts", {"center", "supervisor"}),
    api("api.evaluation.experts", "/api/v1/evaluation/experts", {"center"}, "POST"),
    api("api.evaluation.expert", "/api/v1/evaluation/experts/{expert}", {"center", "supervisor"}),
    api("api.evaluation.expert", "/api/v1/evaluation/experts/{expert}", {"center"}, "PUT",
        name="专家", region="市本级", specialties="工程造价", status="active"),
    api("api.evaluation.committee", "/api/v1/projects/{public}/committee",
        {"center", "supervisor"}),
    api("api.evaluation.committee", "/api/v1/projects/{public}/committee", {"center"},
        "POST", plan="造价|5|1"),
    api("api.evaluation.committee.act", "/api/v1/projects/{public}/committee/draw",
        {"center"}, "POST"),
    api("api.evaluation.chair", "/api/v1/projects/{public}/lots/{lot}/chair/evaluate", set(),
        "POST"),
    api("api.evaluation.sheet", "/api/v1/projects/{public}/lots/{lot}/sheet", {"expert"}),
    api("api.evaluation.sheet", "/api/v1/projects/{public}/lots/{lot}/sheet", {"expert"},
        "PUT", marks=[]),
    api("api.evaluation.sheet.submit", "/api/v1/projects/{public}/lots/{lot}/sheet/submit",
        {"expert"}, "POST"),
    api("api.evaluation.report", "/api/v1/projects/{public}/lots/{lot}/report",
        {"center", "supervisor"}),
    api("api.evaluation.report.sign", "/api/v1/projects/{public}/lots/{lot}/report/sign",
        {"expert"}, "POST"),
    # The bank's webhook: no account passes, only the bank's signature (401 otherwise).
    api("api.bidsecurity.notify", "/api/v1/bidsecurity/notifications", set(), "POST"),
    api("api.bidsecurity.project", "/api/v1/projects/{public}/security", BIDDERS),
    api("api.bidsecurity.sub_account", "/api/v1/projects/{public}/lots/{lot}/security/"
        "sub-account", BIDDERS, "POST"),
    # The guarantee provider's delivery: only its signature passes (401 otherwise).
    api("api.bidsecurity.guarantees", "/api/v1/bidsecurity/guarantees", set(), "POST"),
    api("api.bidsecurity.guarantee", "/api/v1/projects/{public}/lots/{lot}/security/"
        "guarantee", BIDDERS, "POST"),
    api("api.evaluation.candidates", "/api/v1/projects/{public}/lots/{lot}/candidates",
        EVERYONE),
]

ROLE_OF = {"owner": Role.OWNER, "other_owner": Role.OWNER, "bidder": Role.BIDDER,
           "other_bidder": Role.BIDDER, "intermediary": Role.INTERMEDIARY,
           "expert": Role.EXPERT, "center": Role.CENTER, "supervisor": Role.SUPERVISOR}


# One world per module (per xdist worker), built in a doomed transaction that outlives the
# module's tests; every case runs inside a SAVEPOINT rolled back after it, so an unsafe
# request sees the world exactly as built, not as the previous case left it. Building a world
# per case cost three minutes of the quick suite.
@pytest.fixture(scope="module")
def world_tm():
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    manager.doom()
    yield manager
    manager.abort()


@pytest.fixture(scope="module")
def world_session(app, world_tm):
    session = get_tm_session(app.registry["dbsession_factory"], world_tm)
    app.registry[TEST_DBSESSION] = session  # jobs run in immediate mode in this transaction
    yield session
    app.registry.pop(TEST_DBSESSION, None)


@pytest.fixture(scope="module")
def world(world_session, clock, app):
    clock.set(START)  # the autouse reset is per test: the previous module may have moved it
    dbsession, settings, registry = world_session, app.registry.settings, app.registry
    users = {name: make_user(dbsession, clock, settings, role=role, username=f"m_{name}")
             for name, role in ROLE_OF.items()}
    owner, bidder = users["owner"], users["bidder"]
    public = make_project(dbsession, clock, settings, registry, owner=owner, open_bidding=True)
    draft = make_project(dbsession, clock, settings, registry, owner=owner)
    service = project_service(dbsession, clock, registry)
    service.sign_up(public, public.lots[0], bidder=bidder, actor=actor_for(bidder))
    question = service.ask_question(public, text="matrix question?", asker=bidder,
                                    actor=actor_for(bidder))
    draws = DrawService(dbsession, clock, registry["keys"])
    for member in ("a", "b"):  # a pool logged as it formed: its proof is public too
        logset.append(dbsession, "matrix:pool", member, logset.IN, now=clock(), cause="r")
    draw = draws.freeze(purpose="matrix", subject_type="t", subject_id=1,
                        candidates=[{"id": "a"}, {"id": "b"}], count=1, rule="r",
                        actor=actor_for(users["center"]), log_set="matrix:pool")
    draws.commit(draw, actor=actor_for(users["center"]))
    accounts = AccountService(dbsession, clock, settings)
    committee = _drawn_expert(dbsession, clock, public, users["expert"])
    ids = {"public": public.id, "draft": draft.id, "lot": public.lots[0].id,
           "document": public.documents[0].id, "question": question.id,
           "announcement": public.announcements[0].id, "draw": draw.id,
           "expert": committee["expert"]}
    # Built once with the rest, so every row finds what its path names (one sealed bid,
    # its low-price review, a final-offer round, the award rows, small works, supermarket).
    ids.update(_award_rows(dbsession, clock, public, users, draw))
    bid = _submit_bid(dbsession, clock, settings, registry, public, bidder)
    ids.update(bid=bid.public_id, bid_pk=bid.id,
               review=_low_price_review(dbsession, clock, committee, bid).id,
               round=_final_round(dbsession, clock, public, users["center"]).id)
    ids.update(_smallworks(dbsession, clock, settings, registry, users))
    ids.update(_supermarket(dbsession, clock, registry, users))
    return {
        "ids": ids,
        "sessions": {name: accounts.start_session(u, ip="") for name, u in users.items()},
        "tokens": {name: accounts.create_api_token(u, "m", actor_for(u))[1]
                   for name, u in users.items()},
        "csrf": {},
    }


@contextmanager
def case(app, world_tm, world_session):
    """A client on the module's world inside a SAVEPOINT, rolled back when the case ends."""
    savepoint = world_session.begin_nested()
    try:
        yield TestApp(app, extra_environ={
            "HTTP_HOST": "localhost:6543",
            "tm.active": True,
            "tm.manager": world_tm,
            "app.dbsession": world_session,
            "REMOTE_ADDR": "192.0.2.10",
        })
    finally:
        while world_session.get_nested_transaction() is not None:
            world_session.get_nested_transaction().rollback()
    assert savepoint.is_active is False and world_session.in_transaction()


@pytest.fixture
def testapp(app, world_tm, world_session, world):
    with case(app, world_tm, world_session) as client:
        yield client


def _smallworks(dbsession, clock, settings, registry, users):
    """The bidder's active entry drawn for a work (best credit), the other bidder's
    application waiting for review, and the owner's work waiting for review."""
    from decimal import Decimal

    from factories import make_enterprise, smallwork_input, smallworks_service

    service = smallworks_service(dbsession, clock, registry)
    entry = make_enterprise(dbsession, clock, settings, registry, user=users["bidder"])
    entry.credit_score = Decimal(99)
    for _ in range(2):
        make_enterprise(dbsession, clock, settings, registry)
    applied = make_enterprise(dbsession, clock, settings, registry,
                              user=users["other_bidder"], active=False)
    owner, center = users["owner"].organisation, actor_for(users["center"])
    drawn = service.post(owner, smallwork_input(clock, method="double_random_credit"),
                         actor=center)
    service.approve_project(drawn, actor=center)
    service.draw(drawn, actor=center)
    submitted = service.post(owner, smallwork_input(clock, name="另一项维修", site="别处"),
                             actor=center)
    quoting = service.post(owner, smallwork_input(clock, name="合理低价的维修", site="某处",
                                                  method="reasonable_low_price"), actor=center)
    service.approve_project(quoting, actor=center)
    service.draw(quoting, actor=center)
    return {"sw_entry": entry.id, "sw_applied": applied.id, "sw_drawn": drawn.id,
            "sw_submitted": submitted.id, "sw_quoting": quoting.id}


def _supermarket(dbsession, clock, registry, users) -> dict:
    """A published purchase (with a credit event and a document), a draft, an entry."""
    import io
    from datetime import timedelta

    from trading.intermediaries.rules import AmountMode, FundingSource, SelectionMethod
    from trading.intermediaries.service import EntryInput, IntermediaryService, PurchaseInput

    service = IntermediaryService(dbsession, clock, registry["keys"], registry["storage"])
    center, owner, firm = (actor_for(users[n]) for n in ("center", "owner", "intermediary"))
    kind = service.add_service_type(code="MATRIX", name="矩阵测试", actor=center)
    item = service.add_service_item(kind, code="MATRIX-1", name="矩阵事项", actor=center)
    today = service.today()
    entry = service.save_application(users["intermediary"].organisation, EntryInput(
        "L", "法人", 0, "", "", None, ({"name": "甲"},),
        ({"service_type_id": kind.id, "certificate_no": "C", "valid_from": today,
          "valid_until": today + timedelta(days=400)},), True, "法人"), actor=firm)
    service.submit_application(entry, actor=firm)
    data = PurchaseInput(
        "矩阵采购", "p", "", kind.id, (item.id,), "c", "10天", "", FundingSource.STATE_FUNDS,
        AmountMode.FIXED, 1_000_00, None, None, None, None, None, SelectionMethod.RANDOM, None,
        None, clock() + timedelta(days=10), clock() + timedelta(days=11), ())
    org = users["owner"].organisation
    public = service.create_purchase(org, data, actor=owner)
    service.submit_purchase(public, actor=owner)
    service.approve_purchase(public, actor=center)
    draft = service.create_purchase(org, data, actor=owner)
    event = service.record_credit_event(users["intermediary"].organisation,
                                        kind=CreditEventKind.UNJUSTIFIED_DECLINE, note="m",
                                        purchase=public, actor=center)
    document = service._store(public, "contract", "c.pdf", "application/pdf",
                              io.BytesIO(b"%PDF matrix"), owner)
    return {"im_public": public.id, "im_draft": draft.id, "im_type": kind.id,
            "im_entry": entry.id, "im_org": users["intermediary"].organisation_id,
            "im_line": entry.lines[0].id,
            "im_event": event.id, "im_document": document.id}


def _submit_bid(dbsession, clock, settings, registry, project, bidder):
    from trading.bidding.service import BidService

    bids = BidService(dbsession, clock, registry["keys"], registry["storage"], None, settings)
    offer = {"total_price": 80_000_000, "currency": "CNY", "duration_days": 180,
             "quality": "合格", "project_manager": "李工",
             "items": [{"name": "土建", "total_price": 80_000_000}]}
    version = seal_and_submit(bids, project, project.lots[0], offer=offer,
                              actor=actor_for(bidder))
    return version.bid


def _final_round(dbsession, clock, project, center):
    """A bare round row: the ACL is what is checked, so no opening is needed."""
    from bid_crypto import generate_private_key
    from trading.rounds.models import FinalOfferRound, RoundState

    public = generate_private_key("x25519").public_key()
    row = FinalOfferRound(project_id=project.id, lot_id=project.lots[0].id,
                          state=RoundState.ELIGIBILITY, started_at=clock(),
                          eligibility_ends_at=clock(), ends_at=clock(), params={},
                          suite=public.suite, key_id=public.key_id, public_key=public.to_json(),
                          result={}, started_by_id=center.id)
    dbsession.add(row)
    dbsession.flush()
    return row


def _award_rows(dbsession, clock, project, users, draw):
    """Bare publicity, objection, committee (the owner its one member) and award rows."""
    from trading.award.models import (
        Award,
        AwardAuction,
        AwardCommittee,
        AwardMember,
        AwardNotice,
        Objection,
        Publicity,
    )

    now, owner, bidder = clock(), users["owner"], users["bidder"]
    publicity = Publicity(project_id=project.id, source="evaluation", candidates=[],
                          started_at=now, ends_at=now)
    dbsession.add(publicity)
    dbsession.flush()
    objection = Objection(publicity_id=publicity.id, project_id=project.id,
                          org_id=bidder.organisation_id, raised_by_id=bidder.id, text="异议",
                          raised_at=now, answer_due_at=now)
    committee = AwardCommittee(project_id=project.id, lot_id=project.lots[0].id,
                               draw_id=draw.id, chair_user_id=owner.id,
                               plan={"stage1": {"method": "plurality"}, "stage2": None},
                               entrants=[], created_at=now)
    award = Award(project_id=project.id, lot_id=project.lots[0].id,
                  winner_org_id=bidder.organisation_id, method="rank_one", order=[],
                  decided_at=now)
    dbsession.add_all([objection, committee, award])
    dbsession.flush()
    dbsession.add(AwardMember(committee_id=committee.id, user_id=owner.id, position=1))
    auction = AwardAuction(committee_id=committee.id, project_id=project.id,
                           lot_id=project.lots[0].id, stage=1, candidates=["B1", "B2"],
                           opened_prices={"B1": 200, "B2": 300}, step_fen=10, start_fen=200,
                           floor_fen=100, idle_minutes=5, opened_at=now, hard_end_at=now,
                           ends_at=now)
    notice = AwardNotice(award_id=award.id, org_id=bidder.organisation_id, kind="award",
                         body="中标通知书", issued_at=now)
    dbsession.add_all([auction, notice])
    dbsession.flush()
    return {"objection": objection.id, "committee": committee.id, "award": award.id,
            "auction": auction.id, "notice": notice.id}


def _drawn_expert(dbsession, clock, project, user) -> dict:
    """The expert persona seated (notified) on the public project's committee."""
    from trading.evaluation.models import (
        Committee,
        CommitteeMember,
        CommitteeStatus,
        Expert,
        ExpertStatus,
        MemberState,
    )
    from trading.evaluation.rules import MemberRole

    now = clock()
    expert = Expert(code="M-EXPERT", name="矩阵专家", region="市本级", specialties=["造价"],
                    status=ExpertStatus.ACTIVE, user_id=user.id, created_at=now,
                    updated_at=now)
    committee = Committee(project_id=project.id, status=CommitteeStatus.FORMING,
                          pseudonym_salt="00" * 32, created_at=now)
    committee.members.append(CommitteeMember(role=MemberRole.EXPERT, expert=expert,
                                             user_id=user.id, state=MemberState.NOTIFIED,
                                             created_at=now, updated_at=now))
    dbsession.add(committee)
    dbsession.flush()
    return {"expert": expert.id, "committee": committee}


def _low_price_review(dbsession, clock, committee, bid):
    from trading.evaluation.models import LowPriceDecision, LowPriceReview

    review = LowPriceReview(committee_id=committee["committee"].id, lot_id=bid.lot_id,
                            bid_id=bid.id, bidder_org_id=bid.bidder_org_id, price=1,
                            triggers=["below_mean"], requested_at=clock(),
                            explain_by=clock(), decision=LowPriceDecision.PENDING)
    dbsession.add(review)
    dbsession.flush()
    return review


def send(testapp, row: Row, persona: str, world):
    path = row.path.format(**world["ids"])
    if row.api:
        headers = ({"Authorization": f"Bearer {world['tokens'][persona]}"}
                   if persona != "anonymous" else {})
        if row.method == "GET":
            return testapp.get(path, headers=headers, expect_errors=True)
        return testapp.request(path, method=row.method, headers=headers,
                               body=json.dumps(row.data).encode(),
                               content_type="application/json", expect_errors=True)
    if persona != "anonymous":
        testapp.set_cookie("trading_auth", world["sessions"][persona])
    if row.method == "GET":
        return testapp.get(path, expect_errors=True)
    data = {"csrf_token": csrf_token(testapp, persona, world), **row.data}
    return testapp.post(path, data, expect_errors=True)


def csrf_token(testapp, persona: str, world) -> str:
    """The persona's form token, fetched from the login page once and then sent with the
    signed session cookie it lives in: every POST still passes the CSRF check."""
    cached = world["csrf"].get(persona)
    if cached is None:
        token = testapp.get_csrf_token("/login")
        cached = world["csrf"][persona] = (testapp.cookies["trading_session"], token)
    testapp.set_cookie("trading_session", cached[0])
    return cached[1]


def denied(response) -> bool:
    if response.status_int in (401, 403):
        return True
    return response.status_int == 303 and "/login?next=" in response.location


def check(testapp, row, persona, world):
    testapp.reset()
    response = send(testapp, row, persona, world)
    assert response.status_int < 500, response.text[:500]
    if not row.api and row.method != "GET":  # a refused form token would hide the answer
        assert "表单已过期或来源无效" not in response.text, f"{persona}'s CSRF token refused"
    if persona in row.allowed:
        assert not denied(response), f"{persona} was refused: {response.status}"
    else:
        assert denied(response), f"{persona} got {response.status}"


# A GET changes nothing, so every user is checked in one case; an unsafe request may change
# the world, so each user gets a case (a SAVEPOINT) of their own.
READS = [pytest.param(row, id=f"GET {row.path}") for row in TABLE if row.method == "GET"]
WRITES = [pytest.param(row, persona, id=f"{row.method} {row.path} as {persona}")
          for row in TABLE if row.method != "GET" for persona in PERSONAS]


@pytest.mark.parametrize("row", READS)
def test_read_matrix(testapp, world, row):
    for persona in PERSONAS:
        check(testapp, row, persona, world)


@pytest.mark.parametrize("row,persona", WRITES)
def test_write_matrix(testapp, world, row, persona):
    check(testapp, row, persona, world)


def test_a_case_leaves_the_world_as_built(app, world_tm, world_session, world):
    """The owner logs out in one case; the next case finds the session alive again."""
    for _ in range(2):
        with case(app, world_tm, world_session) as client:
            client.set_cookie("trading_auth", world["sessions"]["owner"])
            assert client.get("/workspace").status_int == 200
            client.post("/logout", {"csrf_token": client.get_csrf_token("/login")}, status=303)
            client.set_cookie("trading_auth", world["sessions"]["owner"])
            assert denied(client.get("/workspace", expect_errors=True))


def test_every_route_is_in_the_table(app):
    routes = {r.name for r in app.registry.queryUtility(IRoutesMapper).get_routes()
              if not r.name.startswith("__")}
    assert routes - {row.route for row in TABLE} == set()
