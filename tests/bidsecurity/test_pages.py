"""The bid-security pages and API, walked with links, buttons and a second account."""

import re

import sqlalchemy as sa
from bidsecurity_support import open_bids, submit_bid
from factories import make_user

from trading.accounts.models import Role
from trading.bidsecurity.models import BankNotification, Forfeiture, Refund, RefundStatus
from trading.i18n import DISPLAY_TZ


def login(testapp, user):
    testapp.login(user.username)


def form_post(testapp, page, action_part, fields=None, status=303):
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    action = next(a for a in re.findall(r'action="([^"]+)"', page.text) if action_part in a)
    return testapp.post(action.replace("http://localhost:6543", ""),
                        {"csrf_token": token, **(fields or {})}, status=status)


def test_a_bidder_registers_an_account_and_gets_a_sub_account(world, testapp):
    bidder = world.bidders[0]
    login(testapp, bidder)
    page = testapp.get("/bidsecurity")
    assert "投标保证金" in page.text and world.project.name in page.text
    form_post(testapp, page, "/bidsecurity/accounts",
              {"account_no": "6222 0000 1111 2222", "account_name": "甲公司",
               "bank_name": "建设银行"}).follow()
    page = testapp.get("/bidsecurity")
    assert "6222000011112222" in page.text
    bad = form_post(testapp, page, "/bidsecurity/accounts",
                    {"account_no": "abc", "account_name": "甲", "bank_name": "乙"}).follow()
    assert "银行账号应为 8–34 位数字" in bad.text
    page = testapp.get(f"/projects/{world.project.id}/security")
    assert "20,000.00" in page.text and "保证金" in page.text
    assert "开标前平台（包括交易中心）无法查看谁已缴纳" in page.text
    page = form_post(testapp, page, "/security/sub-account").follow()
    number = world.service().sub_account_of(world.lot, bidder.organisation_id).number
    assert number in page.text and "子账号已生成" in page.text


def test_another_bidder_sees_nothing_of_it(world, testapp):
    world.sub_account(world.bidders[0])
    stranger = make_user(world.dbsession, world.clock, world.settings, role=Role.BIDDER)
    login(testapp, stranger)
    testapp.get(f"/projects/{world.project.id}/security", status=403)
    assert testapp.get(f"/api/v1/projects/{world.project.id}/security").json["lots"] == []
    testapp.get("/bidsecurity/reconciliation", status=403)
    testapp.get("/bidsecurity/supervision", status=403)


def test_the_api_gives_the_bidder_its_sub_account_and_status(world, testapp):
    bidder = world.bidders[0]
    login(testapp, bidder)
    token = testapp.get_csrf_token("/bidsecurity")
    data = testapp.post(f"/api/v1/projects/{world.project.id}/lots/{world.lot.id}"
                        "/security/sub-account", {"csrf_token": token}).json
    (lot,) = data["lots"]
    assert lot["required_fen"] == 2_000_000 and lot["form"] == "deposit"
    assert lot["sub_account"] and lot["status"] is None
    world.clock.set(world.project.bid_deadline)
    testapp.reset()
    login(testapp, world.bidders[1])  # one who has none yet
    token = testapp.get_csrf_token("/bidsecurity")
    refused = testapp.post(f"/api/v1/projects/{world.project.id}/lots/{world.lot.id}"
                           "/security/sub-account", {"csrf_token": token}, status=409,
                           headers={"Accept": "application/json"})
    assert refused.json["error"] == "deadline_passed"


def _opened(world):
    for bidder in world.bidders:
        submit_bid(world, bidder)
        world.receive(*world.note(bidder))
    world.receive(*world.note(world.bidders[0], reference="959999999999999999"))
    open_bids(world)


def test_center_reconciles_and_proposes_supervisor_decides(world, testapp):
    _opened(world)
    center = make_user(world.dbsession, world.clock, world.settings, role=Role.CENTER)
    login(testapp, center)
    page = testapp.get("/bidsecurity/reconciliation")
    assert "保证金对账" in page.text and "待退还条件成就" in page.text
    report = testapp.get("/bidsecurity/reconciliation?day=not-a-day")
    assert report.status_int == 200
    paid_on = world.dbsession.scalars(sa.select(BankNotification)).first().received_at
    day = testapp.get("/bidsecurity/reconciliation?day="
                      + paid_on.astimezone(DISPLAY_TZ).date().isoformat())
    assert "已足额到账" in day.text and world.bidders[0].organisation.name in day.text
    assert "无法识别的子账号" in day.text or "子账号不存在" in day.text
    refund = world.dbsession.scalars(sa.select(Refund).where(
        Refund.status == RefundStatus.WAITING)).first()
    page = form_post(testapp, page, f"/bidsecurity/refunds/{refund.id}/forfeit",
                     {"ground": "withdrawn_after_deadline",
                      "statement": "投标截止后书面要求撤销投标文件，有书面函件为证"}).follow()
    assert "没收申请已提交监督审批" in page.text
    assert refund.status is RefundStatus.HELD
    supervisor = make_user(world.dbsession, world.clock, world.settings, role=Role.SUPERVISOR)
    testapp.reset()
    login(testapp, supervisor)
    page = testapp.get("/bidsecurity/supervision")
    assert "待审批的没收申请" in page.text and "投标截止后撤销投标文件" in page.text
    item = world.dbsession.scalar(sa.select(Forfeiture))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    page = testapp.post(f"/bidsecurity/forfeitures/{item.id}/decide",
                        {"csrf_token": token, "note": "属实", "decision": "approve"},
                        status=303).follow()
    assert "已批准没收" in page.text and refund.status is RefundStatus.FORFEITED


def test_a_center_cannot_decide_its_own_proposal(world, testapp):
    _opened(world)
    center = make_user(world.dbsession, world.clock, world.settings, role=Role.CENTER)
    login(testapp, center)
    token = testapp.get_csrf_token("/bidsecurity/reconciliation")
    testapp.post("/bidsecurity/forfeitures/1/decide", {"csrf_token": token, "note": "x",
                                                       "decision": "approve"}, status=403)


def test_the_bidder_sees_its_status_after_the_opening(world, testapp):
    _opened(world)
    login(testapp, world.bidders[0])
    page = testapp.get(f"/projects/{world.project.id}/security")
    assert "已按要求缴纳" in page.text and "待中标通知书/合同" in page.text


def test_the_pages_read_in_english_too(world, testapp):
    login(testapp, world.bidders[0])
    testapp.set_cookie("_LOCALE_", "en")
    page = testapp.get(f"/projects/{world.project.id}/security")
    assert "Get a payment sub-account" in page.text and "Deposit" in page.text
    assert "获取缴款子账号" not in page.text


def test_the_dashboard_shows_the_security_figures(world, testapp):
    _opened(world)
    supervisor = make_user(world.dbsession, world.clock, world.settings, role=Role.SUPERVISOR)
    login(testapp, supervisor)
    page = testapp.get("/supervision")
    assert "投标保证金" in page.text and "在管（未退还）" in page.text
    held = sum(x.principal_fen for x in world.dbsession.scalars(sa.select(Refund)))
    assert f"{held // 100:,}.{held % 100:02d}" in page.text


def test_before_the_opening_no_one_at_the_platform_sees_who_paid(world, testapp, use_bank):
    """The center's reconciliation and daily report, the supervisors' page, the owner's and
    another bidder's view of the project, the audit trail: the payer's name, account and
    sub-account appear nowhere until the opening (rules §10.4)."""
    from bidsecurity_support import post_note

    payer = world.bidders[0]
    sub = world.sub_account(payer)
    body, signature = world.note(payer)
    assert post_note(testapp, body, signature, 200)["result"] == "recorded"
    # (The amount is the published requirement's, so it says nothing.)
    secrets_ = (payer.organisation.name, world.accounts[payer.id], sub.number)
    today = world.clock().astimezone(DISPLAY_TZ).date().isoformat()
    pages = {Role.CENTER: ["/bidsecurity/reconciliation", "/workspace",
                           f"/bidsecurity/reconciliation?day={today}", "/audit/log"],
             Role.SUPERVISOR: ["/bidsecurity/supervision", "/supervision", "/workspace",
                               "/audit/log"],
             Role.BIDDER: [f"/projects/{world.project.id}/security",
                           f"/projects/{world.project.id}"]}
    seen = 0
    for role, addresses in pages.items():
        who = world.bidders[1] if role is Role.BIDDER else make_user(  # another bidder
            world.dbsession, world.clock, world.settings, role=role)
        login(testapp, who)
        for address in addresses:
            page = testapp.get(address)
            seen += 1
            for secret in secrets_:
                assert secret not in page.text, (role, address, secret)
        testapp.reset()
    assert seen == 10
