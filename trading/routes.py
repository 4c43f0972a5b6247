"""Every route of the application, grouped by domain (the one map of the app)."""


def includeme(config):
    config.add_route("home", "/")
    config.add_route("locale", "/locale/{code}")
    config.add_route("workspace", "/workspace")

    # accounts
    config.add_route("accounts.login", "/login")
    config.add_route("accounts.second_factor", "/login/second-factor")
    config.add_route("accounts.totp", "/account/two-factor")
    config.add_route("accounts.logout", "/logout")
    config.add_route("admin.users", "/admin/users")
    config.add_route("admin.user_active", "/admin/users/{user_id:\\d+}/active")
    config.add_route("admin.policy", "/admin/policy")
    config.add_route("admin.second_factor_reset", "/admin/second-factor/reset")
    config.add_route("accounts.register", "/register")
    config.add_route("accounts.me", "/account")
    # 站内消息 (trading.messages)
    config.add_route("messages.list", "/messages")
    config.add_route("messages.read", "/messages/{message_id:\\d+}/read")
    config.add_route("messages.read_all", "/messages/read-all")
    config.add_route("messages.settings", "/messages/settings")
    config.add_route("accounts.password", "/account/password")
    config.add_route("accounts.tokens", "/account/tokens")
    config.add_route("accounts.token_revoke", "/account/tokens/{token_id:\\d+}/revoke")

    # projects
    project = "trading.projects.resources:project_factory"
    config.add_route("projects.list", "/projects")
    # The public listing's JSON here, not with the API's routes: routes are tried in order,
    # and trying the 300 before it cost 0.07 ms of every request of the busiest API path.
    # Its path is literal, so no route after it can match it.
    config.add_route("api.projects", "/api/v1/projects")
    config.add_route("projects.mine", "/projects/mine")
    config.add_route("projects.reviews", "/projects/reviews")
    config.add_route("projects.new", "/projects/new")
    config.add_route("projects.detail", "/projects/{project_id}", factory=project)
    config.add_route("projects.edit", "/projects/{project_id}/edit", factory=project)
    config.add_route("projects.upload", "/projects/{project_id}/documents", factory=project)
    config.add_route("projects.download", "/projects/{project_id}/documents/{document_id}",
                     factory="trading.projects.resources:document_factory")
    config.add_route("projects.submit", "/projects/{project_id}/submit", factory=project)
    config.add_route("projects.review", "/projects/{project_id}/review", factory=project)
    config.add_route("projects.cancel", "/projects/{project_id}/cancel", factory=project)
    config.add_route("projects.retender", "/projects/{project_id}/retender", factory=project)
    config.add_route("projects.freeze", "/projects/{project_id}/freeze", factory=project)
    config.add_route("projects.unfreeze", "/projects/{project_id}/unfreeze", factory=project)
    config.add_route("projects.clarify", "/projects/{project_id}/clarifications/new",
                     factory=project)
    config.add_route("projects.announcement",
                     "/projects/{project_id}/announcements/{announcement_id}",
                     factory="trading.projects.resources:announcement_factory")
    config.add_route("projects.announcement.signed",
                     "/projects/{project_id}/announcements/{announcement_id}/notice.json",
                     factory="trading.projects.resources:announcement_factory")
    config.add_route("projects.ask", "/projects/{project_id}/questions", factory=project)
    config.add_route("projects.answer", "/projects/{project_id}/questions/{question_id}/answer",
                     factory="trading.projects.resources:question_factory")
    config.add_route("projects.signup", "/projects/{project_id}/lots/{lot_id}/signup",
                     factory="trading.projects.resources:lot_factory")
    config.add_route("projects.signups", "/projects/{project_id}/signups", factory=project)

    # bid security (投标保证金)
    config.add_route("bidsecurity.mine", "/bidsecurity")
    config.add_route("bidsecurity.accounts", "/bidsecurity/accounts")
    config.add_route("bidsecurity.project", "/projects/{project_id:\\d+}/security")
    config.add_route("bidsecurity.sub_account",
                     "/projects/{project_id:\\d+}/lots/{lot_id:\\d+}/security/sub-account")
    config.add_route("bidsecurity.guarantee",
                     "/projects/{project_id:\\d+}/lots/{lot_id:\\d+}/security/guarantee")
    config.add_route("bidsecurity.center", "/bidsecurity/reconciliation")
    config.add_route("bidsecurity.forfeit", "/bidsecurity/refunds/{refund_id:\\d+}/forfeit")
    config.add_route("bidsecurity.supervision", "/bidsecurity/supervision")
    config.add_route("bidsecurity.decide",
                     "/bidsecurity/forfeitures/{forfeiture_id:\\d+}/decide")

    # small works (小额工程企业库)
    entry = "trading.smallworks.resources:enterprise_factory"
    work = "trading.smallworks.resources:work_factory"
    config.add_route("smallworks.registry", "/smallworks")
    config.add_route("smallworks.apply", "/smallworks/apply")
    config.add_route("smallworks.reviews", "/smallworks/reviews")
    config.add_route("smallworks.mine", "/smallworks/mine")
    config.add_route("smallworks.statistics", "/smallworks/statistics")
    config.add_route("smallworks.profile", "/smallworks/profile")
    config.add_route("smallworks.enterprise", "/smallworks/enterprises/{enterprise_id}",
                     factory=entry)
    config.add_route("smallworks.enterprise.review",
                     "/smallworks/enterprises/{enterprise_id}/review", factory=entry)
    config.add_route("smallworks.enterprise.status",
                     "/smallworks/enterprises/{enterprise_id}/status", factory=entry)
    config.add_route("smallworks.projects", "/smallworks/projects")
    config.add_route("smallworks.new", "/smallworks/projects/new")
    config.add_route("smallworks.project", "/smallworks/projects/{work_id}", factory=work)
    config.add_route("smallworks.project.budget", "/smallworks/projects/{work_id}/budget-file",
                     factory=work)
    config.add_route("smallworks.project.notice", "/smallworks/projects/{work_id}/notice.json",
                     factory=work)
    for action in ("review", "draw", "quote", "open", "accept", "decline", "decision",
                   "contract", "complete", "evaluate"):
        config.add_route(f"smallworks.project.{action}",
                         f"/smallworks/projects/{{work_id}}/{action}", factory=work)

    # draws (verifiable lotteries)
    draw = "trading.draws.resources:draw_factory"
    config.add_route("draws.list", "/draws")
    config.add_route("draws.verify", "/draws/verify")
    config.add_route("draws.detail", "/draws/{draw_id}", factory=draw)
    config.add_route("draws.record", "/draws/{draw_id}/record.json", factory=draw)
    config.add_route("draws.pool", "/draws/{draw_id}/pool.json", factory=draw)
    config.add_route("draws.beacon", "/draws/{draw_id}/beacon", factory=draw)

    # bidding (sealed bids, the opening hall, custody of opening keys)
    bidding = "trading.bidding.resources:bidding_factory"
    bid_lot = "trading.bidding.resources:lot_factory"
    bid = "trading.bidding.resources:bid_factory"
    config.add_route("bidding.platform_key", "/bidding/platform.pub")
    config.add_route("bidding.custody_key", "/account/custody-key")
    config.add_route("bidding.key", "/projects/{project_id}/opening.pub", factory=bidding)
    config.add_route("bidding.mine", "/projects/{project_id}/bids", factory=bidding)
    config.add_route("bidding.upload", "/projects/{project_id}/lots/{lot_id}/bids/upload",
                     factory=bid_lot)
    config.add_route("bidding.seal", "/projects/{project_id}/lots/{lot_id}/bids/seal",
                     factory=bid_lot)
    config.add_route("bidding.uploads", "/projects/{project_id}/lots/{lot_id}/bids/uploads",
                     factory=bid_lot)
    config.add_route("bidding.upload_part",
                     "/projects/{project_id}/lots/{lot_id}/bids/uploads/{token}",
                     factory=bid_lot)
    config.add_route("bidding.upload_finish",
                     "/projects/{project_id}/lots/{lot_id}/bids/uploads/{token}/finish",
                     factory=bid_lot)
    config.add_route("bidding.offline", "/projects/{project_id}/offline-seal.html",
                     factory=bidding)
    config.add_route("bidding.offline_blank", "/bidding/offline-seal.html")
    config.add_route("bidding.withdraw", "/projects/{project_id}/lots/{lot_id}/bids/withdraw",
                     factory=bid_lot)
    config.add_route("bidding.bid", "/projects/{project_id}/bids/{bid_id}", factory=bid)
    config.add_route("bidding.receipt",
                     "/projects/{project_id}/bids/{bid_id}/versions/{version}/receipt.json",
                     factory=bid)
    config.add_route("bidding.promise",
                     "/projects/{project_id}/bids/{bid_id}/versions/{version}/promise.json",
                     factory=bid)
    config.add_route("bidding.envelope",
                     "/projects/{project_id}/bids/{bid_id}/versions/{version}/envelope.tbid",
                     factory=bid)
    config.add_route("bidding.opening", "/projects/{project_id}/opening", factory=bidding)
    config.add_route("bidding.release", "/projects/{project_id}/opening/release",
                     factory=bidding)
    config.add_route("bidding.statement", "/projects/{project_id}/opening/statement.json",
                     factory=bidding)
    config.add_route("bidding.my_share", "/projects/{project_id}/opening/my-share.json",
                     factory=bidding)
    config.add_route("bidding.share", "/projects/{project_id}/opening/bids/{bid_id}/share",
                     factory=bid)
    config.add_route("bidding.confirm", "/projects/{project_id}/opening/bids/{bid_id}/confirm",
                     factory=bid)
    config.add_route("bidding.custodians", "/projects/{project_id}/custodians", factory=bidding)

    # award: final offer (终次报价)
    award = "trading.award.resources:award_factory"
    award_lot = "trading.award.resources:award_lot_factory"
    final_round = "trading.award.resources:final_round_factory"
    config.add_route("award.final_offer", "/projects/{project_id}/final-offer", factory=award)
    config.add_route("award.final_offer.start",
                     "/projects/{project_id}/final-offer/lots/{lot_id}/start", factory=award_lot)
    config.add_route("award.final_offer.key",
                     "/projects/{project_id}/final-offer/{round_id}/round.pub",
                     factory=final_round)
    config.add_route("award.final_offer.join",
                     "/projects/{project_id}/final-offer/{round_id}/join", factory=final_round)
    config.add_route("award.final_offer.submit",
                     "/projects/{project_id}/final-offer/{round_id}/offer", factory=final_round)
    config.add_route("award.final_offer.reveal",
                     "/projects/{project_id}/final-offer/{round_id}/reveal", factory=final_round)
    config.add_route("award.final_offer.offers",
                     "/projects/{project_id}/final-offer/{round_id}/offers.json",
                     factory=final_round)
    config.add_route("award.final_offer.receipt",
                     "/projects/{project_id}/final-offer/{round_id}/receipt.json",
                     factory=final_round)
    # 中介超市 (intermediary-services supermarket)
    im = "trading.intermediaries.resources:"
    purchase = im + "purchase_factory"
    config.add_route("im.home", "/supermarket")
    config.add_route("im.statistics", "/supermarket/statistics")
    config.add_route("im.catalogue", "/supermarket/catalogue")
    config.add_route("im.type.new", "/supermarket/catalogue/types/new")
    config.add_route("im.item.new", "/supermarket/catalogue/types/{type_id}/items/new",
                     factory=im + "service_type_factory")
    config.add_route("im.entry", "/supermarket/entry")
    config.add_route("im.line.renew", "/supermarket/entry/lines/{line_id}/renew",
                     factory=im + "line_factory")
    config.add_route("im.entries", "/supermarket/entries")
    config.add_route("im.entry.review", "/supermarket/entries/{entry_id}/review",
                     factory=im + "entry_factory")
    config.add_route("im.entry.status", "/supermarket/entries/{entry_id}/status",
                     factory=im + "entry_factory")
    config.add_route("im.intermediary", "/supermarket/intermediaries/{org_id}",
                     factory=im + "organisation_factory")
    config.add_route("im.credit.record", "/supermarket/intermediaries/{org_id}/credit-events",
                     factory=im + "organisation_factory")
    config.add_route("im.purchases", "/supermarket/purchases")
    config.add_route("im.purchases.mine", "/supermarket/purchases/mine")
    config.add_route("im.purchases.review", "/supermarket/purchases/reviews")
    config.add_route("im.purchase.new", "/supermarket/purchases/new")
    config.add_route("im.purchase", "/supermarket/purchases/{purchase_id}", factory=purchase)
    config.add_route("im.purchase.notice", "/supermarket/purchases/{purchase_id}/notice.json",
                     factory=purchase)
    for action in ("edit", "submit", "review", "run", "register", "quote", "choose", "confirm",
                   "decline", "contract", "contract_review", "result", "accept", "rate",
                   "terminate"):
        config.add_route(f"im.purchase.{action}",
                         f"/supermarket/purchases/{{purchase_id}}/{action.replace('_', '-')}",
                         factory=purchase)
    config.add_route("im.purchase.promise",
                     "/supermarket/purchases/{purchase_id}/registration-promise.json",
                     factory=purchase)
    config.add_route("im.purchase.waive",
                     "/supermarket/purchases/{purchase_id}/credit-events/{event_id}/waive",
                     factory=im + "credit_event_factory")
    config.add_route("im.document", "/supermarket/purchases/{purchase_id}/documents/{document_id}",
                     factory=im + "document_factory")

    # award: publicity, objections, 评定分离 committees, the award and its notices
    config.add_route("award.roster", "/award/roster")
    config.add_route("award.roster.remove", "/award/roster/{entry_id:\\d+}/remove")
    config.add_route("award.page", "/projects/{project_id}/award", factory=award)
    config.add_route("award.inputs", "/projects/{project_id}/award/lots/{lot_id}/inputs.json",
                     factory=award_lot)
    config.add_route("award.objection", "/projects/{project_id}/award/objections",
                     factory=award)
    config.add_route("award.answer",
                     "/projects/{project_id}/award/objections/{objection_id}/answer",
                     factory="trading.award.resources:objection_factory")
    config.add_route("award.committee.form",
                     "/projects/{project_id}/award/lots/{lot_id}/committee", factory=award_lot)
    committee = "trading.award.resources:committee_factory"
    config.add_route("award.committee",
                     "/projects/{project_id}/award/committees/{committee_id}", factory=committee)
    config.add_route("award.ballot",
                     "/projects/{project_id}/award/committees/{committee_id}/ballot",
                     factory=committee)
    config.add_route("award.chair",
                     "/projects/{project_id}/award/committees/{committee_id}/decide",
                     factory=committee)
    config.add_route("award.sign",
                     "/projects/{project_id}/award/committees/{committee_id}/sign",
                     factory=committee)
    config.add_route("award.report",
                     "/projects/{project_id}/award/committees/{committee_id}/report.json",
                     factory=committee)
    auction = "trading.award.resources:auction_factory"
    config.add_route("award.auction", "/projects/{project_id}/award/auctions/{auction_id}",
                     factory=auction)
    config.add_route("award.auction.bid",
                     "/projects/{project_id}/award/auctions/{auction_id}/bid", factory=auction)
    config.add_route("award.decide", "/projects/{project_id}/award/decide", factory=award)
    config.add_route("award.decline", "/projects/{project_id}/award/awards/{award_id}/decline",
                     factory="trading.award.resources:decision_factory")
    config.add_route("award.contract", "/projects/{project_id}/award/contract", factory=award)
    config.add_route("award.consultation", "/projects/{project_id}/consultation", factory=award)
    config.add_route("award.consultation.panel",
                     "/projects/{project_id}/consultation/lots/{lot_id}/panel", factory=award_lot)
    config.add_route("award.consultation.withdraw",
                     "/projects/{project_id}/consultation/lots/{lot_id}/withdraw",
                     factory=award_lot)
    config.add_route("award.consultation.quote",
                     "/projects/{project_id}/consultation/lots/{lot_id}/final-quote",
                     factory=award_lot)

    # evaluation (expert pool, committees, online scoring, the report)
    ev = "trading.evaluation.resources:evaluation_factory"
    ev_lot = "trading.evaluation.resources:lot_factory"
    config.add_route("evaluation.experts", "/evaluation/experts")
    config.add_route("evaluation.expert", "/evaluation/experts/{expert_id:\\d+}")
    config.add_route("evaluation.unlocks", "/evaluation/unlocks")
    config.add_route("evaluation.criteria", "/projects/{project_id}/criteria", factory=project)
    config.add_route("evaluation.committee", "/projects/{project_id}/committee", factory=ev)
    config.add_route("evaluation.committee.act", "/projects/{project_id}/committee/{action}",
                     factory=ev)
    config.add_route("evaluation.room", "/projects/{project_id}/evaluation", factory=ev)
    # printable documents (可打印文书)
    config.add_route("print.opening", "/projects/{project_id}/print/opening-record",
                     factory=project)
    config.add_route("print.evaluation",
                     "/projects/{project_id}/lots/{lot_id}/print/evaluation-report",
                     factory=ev_lot)
    config.add_route("print.award_report",
                     "/projects/{project_id}/award/committees/{committee_id}/print",
                     factory="trading.award.resources:committee_factory")
    config.add_route("print.notice", "/projects/{project_id}/notices/{notice_id}/print",
                     factory="trading.printables.resources:notice_factory")
    config.add_route("print.announcement",
                     "/projects/{project_id}/announcements/{announcement_id}/print",
                     factory="trading.projects.resources:announcement_factory")
    # …each as a signed PDF and as the record it was rendered from (trading.printables)
    for name, pattern, factory in (
            ("print.opening", "/projects/{project_id}/print/opening-record", project),
            ("print.evaluation", "/projects/{project_id}/lots/{lot_id}/print/evaluation-report",
             ev_lot),
            ("print.award_report", "/projects/{project_id}/award/committees/{committee_id}/print",
             "trading.award.resources:committee_factory"),
            ("print.notice", "/projects/{project_id}/notices/{notice_id}/print",
             "trading.printables.resources:notice_factory"),
            ("print.announcement", "/projects/{project_id}/announcements/{announcement_id}/print",
             "trading.projects.resources:announcement_factory")):
        for ext in ("pdf", "json"):
            config.add_route(f"{name}.{ext}", f"{pattern}.{ext}", factory=factory)
    config.add_route("printables.certificate", "/printables/certificate.pem")
    config.add_route("evaluation.bids", "/projects/{project_id}/bid-documents", factory=ev)
    config.add_route("evaluation.bid_document",
                     "/projects/{project_id}/bid-documents/{bid_id:\\d+}/{index:\\d+}",
                     factory=ev)
    config.add_route("evaluation.room.act", "/projects/{project_id}/evaluation/{action}",
                     factory=ev)
    config.add_route("evaluation.sheet", "/projects/{project_id}/lots/{lot_id}/sheet",
                     factory=ev_lot)
    config.add_route("evaluation.chair", "/projects/{project_id}/lots/{lot_id}/chair/{action}",
                     factory=ev_lot)
    config.add_route("evaluation.report", "/projects/{project_id}/lots/{lot_id}/report",
                     factory=ev_lot)
    config.add_route("evaluation.lowprice", "/projects/{project_id}/low-price/{review_id}",
                     factory="trading.evaluation.resources:review_factory")

    # 公开数据: the open-data page and the bulk OCDS export
    config.add_route("opendata", "/opendata")
    config.add_route("opendata.export", "/opendata/releases.json")

    # audit
    config.add_route("audit.checkpoints", "/audit/checkpoints")
    config.add_route("audit.checkpoints.sign", "/audit/checkpoints/sign")
    config.add_route("audit.log", "/audit/log")
    config.add_route("audit.signals", "/projects/{project_id}/signals",
                     factory="trading.supervision.resources:signals_factory")

    # supervision
    config.add_route("supervision.dashboard", "/supervision")
    config.add_route("supervision.chart", "/supervision/charts/{name}.svg")

    # archive
    config.add_route("archive.index", "/archive")
    config.add_route("archive.download", "/archive/{package_id}/download")

    # JSON API
    config.add_route("api.openapi", "/api/v1/openapi.json")
    config.add_route("api.bidsecurity.notify", "/api/v1/bidsecurity/notifications")
    config.add_route("api.bidsecurity.project", "/api/v1/projects/{project_id:\\d+}/security")
    config.add_route("api.bidsecurity.sub_account",
                     "/api/v1/projects/{project_id:\\d+}/lots/{lot_id:\\d+}/security/sub-account")
    config.add_route("api.bidsecurity.guarantees", "/api/v1/bidsecurity/guarantees")
    config.add_route("api.bidsecurity.guarantee",
                     "/api/v1/projects/{project_id:\\d+}/lots/{lot_id:\\d+}/security/guarantee")
    config.add_route("api.me", "/api/v1/me")
    config.add_route("api.messages", "/api/v1/messages")
    config.add_route("api.message.read", "/api/v1/messages/{message_id:\\d+}/read")
    config.add_route("api.messages.read_all", "/api/v1/messages/read-all")
    config.add_route("api.audit.checkpoints", "/api/v1/audit/checkpoints")
    config.add_route("api.audit.log.checkpoint", "/api/v1/audit/log/checkpoint")
    config.add_route("api.audit.log.inclusion", "/api/v1/audit/log/inclusion")
    config.add_route("api.audit.log.consistency", "/api/v1/audit/log/consistency")
    config.add_route("api.audit.log.cosignatures", "/api/v1/audit/log/cosignatures")
    config.add_route("api.audit.signals", "/api/v1/projects/{project_id}/signals",
                     factory="trading.supervision.resources:signals_factory")
    config.add_route("api.draws", "/api/v1/draws")
    config.add_route("api.draw", "/api/v1/draws/{draw_id}", factory=draw)
    config.add_route("api.draw.beacon", "/api/v1/draws/{draw_id}/beacon", factory=draw)
    config.add_route("api.draw.pool", "/api/v1/draws/{draw_id}/pool", factory=draw)
    config.add_route("api.smallworks.enterprises", "/api/v1/smallworks/enterprises")
    config.add_route("api.smallworks.enterprise", "/api/v1/smallworks/enterprises/{enterprise_id}",
                     factory=entry)
    for action in ("review", "status"):
        config.add_route(f"api.smallworks.enterprise.{action}",
                         f"/api/v1/smallworks/enterprises/{{enterprise_id}}/{action}",
                         factory=entry)
    config.add_route("api.smallworks.projects", "/api/v1/smallworks/projects")
    config.add_route("api.smallworks.statistics", "/api/v1/smallworks/statistics")
    config.add_route("api.smallworks.profile", "/api/v1/smallworks/profile")
    config.add_route("api.smallworks.project", "/api/v1/smallworks/projects/{work_id}",
                     factory=work)
    for action in ("review", "draw", "quote", "open", "accept", "decline", "decision",
                   "contract", "complete", "evaluate"):
        config.add_route(f"api.smallworks.project.{action}",
                         f"/api/v1/smallworks/projects/{{work_id}}/{action}", factory=work)
    config.add_route("api.bidding.key", "/api/v1/projects/{project_id}/opening-key",
                     factory=bidding)
    config.add_route("api.bidding.bids", "/api/v1/projects/{project_id}/bids", factory=bidding)
    config.add_route("api.bidding.submit", "/api/v1/projects/{project_id}/lots/{lot_id}/bids",
                     factory=bid_lot)
    config.add_route("api.bidding.withdraw",
                     "/api/v1/projects/{project_id}/lots/{lot_id}/bids/withdraw",
                     factory=bid_lot)
    config.add_route("api.bidding.bid", "/api/v1/projects/{project_id}/bids/{bid_id}",
                     factory=bid)
    config.add_route("api.bidding.receipt",
                     "/api/v1/projects/{project_id}/bids/{bid_id}/versions/{version}/receipt",
                     factory=bid)
    config.add_route("api.bidding.opening", "/api/v1/projects/{project_id}/opening",
                     factory=bidding)
    config.add_route("api.bidding.release", "/api/v1/projects/{project_id}/opening/release",
                     factory=bidding)
    config.add_route("api.bidding.statement",
                     "/api/v1/projects/{project_id}/opening/statement", factory=bidding)
    config.add_route("api.bidding.my_share", "/api/v1/projects/{project_id}/opening/my-share",
                     factory=bidding)
    config.add_route("api.bidding.share",
                     "/api/v1/projects/{project_id}/opening/bids/{bid_id}/share", factory=bid)
    config.add_route("api.bidding.confirm",
                     "/api/v1/projects/{project_id}/opening/bids/{bid_id}/confirm", factory=bid)
    config.add_route("api.award.final_offer", "/api/v1/projects/{project_id}/final-offer",
                     factory=award)
    config.add_route("api.award.final_offer.start",
                     "/api/v1/projects/{project_id}/final-offer/lots/{lot_id}/start",
                     factory=award_lot)
    config.add_route("api.award.final_offer.join",
                     "/api/v1/projects/{project_id}/final-offer/{round_id}/join",
                     factory=final_round)
    config.add_route("api.award.final_offer.reveal",
                     "/api/v1/projects/{project_id}/final-offer/{round_id}/reveal",
                     factory=final_round)
    config.add_route("api.award.final_offer.submit",
                     "/api/v1/projects/{project_id}/final-offer/{round_id}/offer",
                     factory=final_round)
    consult = "/api/v1/projects/{project_id}/consultation"
    config.add_route("api.award.consultation", consult, factory=award)
    config.add_route("api.award.consultation.terminate", consult + "/terminate", factory=award)
    for name, tail in (("rounds", "rounds"), ("close", "rounds/close"),
                       ("sessions", "sessions"), ("changes", "changes"),
                       ("withdraw", "withdraw"), ("final", "final-quotes"),
                       ("reveal", "final-quotes/reveal"), ("quote", "final-quote")):
        config.add_route(f"api.award.consultation.{name}",
                         f"{consult}/lots/{{lot_id}}/{tail}", factory=award_lot)
    config.add_route("api.award", "/api/v1/projects/{project_id}/award", factory=award)
    config.add_route("api.award.objections", "/api/v1/projects/{project_id}/award/objections",
                     factory=award)
    config.add_route("api.award.ballot",
                     "/api/v1/projects/{project_id}/award/committees/{committee_id}/ballot",
                     factory=committee)
    config.add_route("api.award.auction",
                     "/api/v1/projects/{project_id}/award/auctions/{auction_id}",
                     factory="trading.award.resources:auction_factory")
    config.add_route("api.award.auction.bid",
                     "/api/v1/projects/{project_id}/award/auctions/{auction_id}/bids",
                     factory="trading.award.resources:auction_factory")
    config.add_route("api.award.decide", "/api/v1/projects/{project_id}/award/decide",
                     factory=award)
    config.add_route("api.evaluation.experts", "/api/v1/evaluation/experts")
    config.add_route("api.evaluation.expert", "/api/v1/evaluation/experts/{expert_id:\\d+}")
    config.add_route("api.evaluation.committee", "/api/v1/projects/{project_id}/committee",
                     factory=ev)
    config.add_route("api.evaluation.committee.act",
                     "/api/v1/projects/{project_id}/committee/{action}", factory=ev)
    config.add_route("api.evaluation.chair",
                     "/api/v1/projects/{project_id}/lots/{lot_id}/chair/{action}",
                     factory=ev_lot)
    config.add_route("api.evaluation.sheet", "/api/v1/projects/{project_id}/lots/{lot_id}/sheet",
                     factory=ev_lot)
    config.add_route("api.evaluation.sheet.submit",
                     "/api/v1/projects/{project_id}/lots/{lot_id}/sheet/submit", factory=ev_lot)
    config.add_route("api.evaluation.report",
                     "/api/v1/projects/{project_id}/lots/{lot_id}/report", factory=ev_lot)
    config.add_route("api.evaluation.report.sign",
                     "/api/v1/projects/{project_id}/lots/{lot_id}/report/sign", factory=ev_lot)
    config.add_route("api.evaluation.candidates",
                     "/api/v1/projects/{project_id}/lots/{lot_id}/candidates", factory=ev_lot)
    config.add_route("api.im.service_types", "/api/v1/supermarket/service-types")
    config.add_route("api.im.service_items", "/api/v1/supermarket/service-types/{type_id}/items",
                     factory=im + "service_type_factory")
    config.add_route("api.im.intermediaries", "/api/v1/supermarket/intermediaries")
    config.add_route("api.im.entry", "/api/v1/supermarket/entry")
    config.add_route("api.im.entry.submit", "/api/v1/supermarket/entry/submit")
    config.add_route("api.im.line.renew", "/api/v1/supermarket/entry/lines/{line_id}/renew",
                     factory=im + "line_factory")
    config.add_route("api.im.entry.review", "/api/v1/supermarket/entries/{entry_id}/review",
                     factory=im + "entry_factory")
    config.add_route("api.im.entry.status", "/api/v1/supermarket/entries/{entry_id}/status",
                     factory=im + "entry_factory")
    config.add_route("api.im.credit_events",
                     "/api/v1/supermarket/intermediaries/{org_id}/credit-events",
                     factory=im + "organisation_factory")
    config.add_route("api.im.statistics", "/api/v1/supermarket/statistics")
    config.add_route("api.im.purchases", "/api/v1/supermarket/purchases")
    config.add_route("api.im.purchase", "/api/v1/supermarket/purchases/{purchase_id}",
                     factory=purchase)
    for action in ("submit", "review", "run", "register", "quote", "choose", "confirm",
                   "decline", "contract", "contract_review", "result", "accept", "rate",
                   "terminate"):
        path = action.replace("_", "-")
        config.add_route(f"api.im.purchase.{action}",
                         f"/api/v1/supermarket/purchases/{{purchase_id}}/{path}", factory=purchase)
    config.add_route("api.im.purchase.waive",
                     "/api/v1/supermarket/purchases/{purchase_id}/credit-events/{event_id}/waive",
                     factory=im + "credit_event_factory")
    config.add_route("api.ocds.releases", "/api/v1/ocds/releases")
    config.add_route("api.ocds.project", "/api/v1/ocds/projects/{project_id}/releases",
                     factory=project)
    config.add_route("api.ocds.record", "/api/v1/ocds/projects/{project_id}/record",
                     factory=project)
    config.add_route("api.project", "/api/v1/projects/{project_id}", factory=project)
    config.add_route("api.project.documents", "/api/v1/projects/{project_id}/documents",
                     factory=project)
    config.add_route("api.project.download",
                     "/api/v1/projects/{project_id}/documents/{document_id}",
                     factory="trading.projects.resources:document_factory")
    config.add_route("api.project.submit", "/api/v1/projects/{project_id}/submit",
                     factory=project)
    config.add_route("api.project.approve", "/api/v1/projects/{project_id}/approve",
                     factory=project)
    config.add_route("api.project.return", "/api/v1/projects/{project_id}/return",
                     factory=project)
    config.add_route("api.project.cancel", "/api/v1/projects/{project_id}/cancel",
                     factory=project)
    config.add_route("api.project.retender", "/api/v1/projects/{project_id}/retender",
                     factory=project)
    config.add_route("api.project.freeze", "/api/v1/projects/{project_id}/freeze",
                     factory=project)
    config.add_route("api.project.unfreeze", "/api/v1/projects/{project_id}/unfreeze",
                     factory=project)
    config.add_route("api.project.clarifications", "/api/v1/projects/{project_id}/clarifications",
                     factory=project)
    config.add_route("api.project.questions", "/api/v1/projects/{project_id}/questions",
                     factory=project)
    config.add_route("api.project.answer",
                     "/api/v1/projects/{project_id}/questions/{question_id}/answer",
                     factory="trading.projects.resources:question_factory")
    config.add_route("api.project.signup", "/api/v1/projects/{project_id}/lots/{lot_id}/signup",
                     factory="trading.projects.resources:lot_factory")
    config.add_route("api.project.signups", "/api/v1/projects/{project_id}/signups",
                     factory=project)
