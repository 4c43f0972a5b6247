"""The supermarket through its HTML forms (WebTest) and its JSON API: each role's pages,
bad input shown in Chinese with nothing changed, and the public record."""

import re

from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.accounts.service import AccountService
from trading.intermediaries.models import Entry
from trading.intermediaries.status import EntryStatus, PurchaseStatus

P = PurchaseStatus


def login(testapp, user):
    testapp.reset()
    testapp.login(user.username)


def form_of(page, button):
    for form in page.forms.values():
        if button in form.fields or (form.action or "").endswith(button):
            return form
    raise AssertionError(f"no form with {button}")


def test_entry_through_the_form_then_center_approves(testapp, im):
    user = make_user(im.db, im.clock, im.settings, role=Role.INTERMEDIARY)
    login(testapp, user)
    page = testapp.get("/supermarket/entry")
    assert "承诺书" in page.text
    form = form_of(page, "submit")
    form["licence_number"] = "91350100LIC"
    form["legal_representative"] = "陈法人"
    form["name"] = "林工"  # the first practitioner
    form["certificate_no"] = "ZJ-2026-1"
    form["grade"] = "甲级"
    form["valid_from"] = "2025-01-01"
    form["valid_until"] = "2027-12-31"
    form["signed_by"] = "陈法人"
    refused = form.submit("submit", status=400)  # commitment not ticked
    assert "须签署承诺书" in refused.text
    assert im.service.entry_of(user.organisation_id) is None
    form = form_of(refused, "submit")
    form["commitment"] = True
    form.submit("submit").follow()
    entry = im.service.entry_of(user.organisation_id)
    assert entry.status is EntryStatus.ENTRY_SUBMITTED

    login(testapp, im.center)
    queue = testapp.get("/supermarket/entries")
    assert user.organisation.name in queue.text
    review = testapp.get(f"/supermarket/entries/{entry.id}/review")
    form_of(review, "approve").submit("approve").follow()
    assert im.db.get(Entry, entry.id).status is EntryStatus.ACTIVE


def test_purchase_form_register_random_selection_record(testapp, im):
    firms = [im.intermediary() for _ in range(3)]
    login(testapp, im.owner)
    page = testapp.get("/supermarket/purchases/new")
    form = form_of(page, "submit")
    form["title"] = "页面测试：环评报告编制"
    form["project_name"] = "滨江路改造"
    form["service_type_id"] = str(im.type.id)
    form.get("checkbox", index=0).checked = True
    form["content"] = "编制环境影响报告表"
    form["time_limit"] = "20日历天"
    form["fixed_fen"] = "30000"
    form["registration_deadline"] = "2026-03-02 10:00"  # today: too short
    form["selection_time"] = "2026-03-20 10:00"
    saved = form.submit("submit")
    purchase_id = int(re.search(r"/supermarket/purchases/(\d+)", saved.location).group(1))
    page = saved.follow()
    assert "提交审核" in page.text
    token = testapp.get_csrf_token(f"/supermarket/purchases/{purchase_id}")
    submit = testapp.post(f"/supermarket/purchases/{purchase_id}/submit",
                          {"csrf_token": token}, status=400)
    assert "报名期过短" in submit.text
    edit = testapp.get(f"/supermarket/purchases/{purchase_id}/edit")
    form = form_of(edit, "submit")
    form["registration_deadline"] = "2026-03-10 10:00"
    form.submit("submit").follow()
    token = testapp.get_csrf_token(f"/supermarket/purchases/{purchase_id}")
    testapp.post(f"/supermarket/purchases/{purchase_id}/submit", {"csrf_token": token},
                 status=303)

    login(testapp, im.center)
    review = testapp.get(f"/supermarket/purchases/{purchase_id}/review")
    form_of(review, "approve").submit("approve").follow()

    for firm in firms:
        login(testapp, firm)
        page = testapp.get(f"/supermarket/purchases/{purchase_id}")
        assert "报名截止前不公开" in page.text
        form_of(page, "/register").submit().follow()
    testapp.reset()
    public = testapp.get(f"/supermarket/purchases/{purchase_id}")
    assert "报名截止前不公开" in public.text and firms[0].organisation.name not in public.text

    im.clock.set(im.clock().replace(day=20, hour=3))
    login(testapp, im.center)
    page = testapp.get(f"/supermarket/purchases/{purchase_id}")
    form_of(page, "/run").submit().follow()
    testapp.reset()
    public = testapp.get(f"/supermarket/purchases/{purchase_id}")
    assert "选取记录" in public.text, public.text[public.text.find("<main"):][:1500]
    assert "record.json" in public.text
    assert "python3 -m trading.draws verify" in public.text


def test_api_bad_input_codes_and_nothing_changed(testapp, im):
    firm = im.intermediary(active=False)
    purchase = im.purchase()
    token = AccountService(im.db, im.clock, im.settings).create_api_token(
        firm, "t", actor_for(firm))[1]
    headers = {"Authorization": f"Bearer {token}"}
    response = testapp.post(f"/api/v1/supermarket/purchases/{purchase.id}/register",
                            headers=headers, status=409)
    assert response.json["error"] == "not_active" and response.json["message"]
    assert purchase.registrations == []
    owner_token = AccountService(im.db, im.clock, im.settings).create_api_token(
        im.owner, "t", actor_for(im.owner))[1]
    body = {"title": "API", "project_name": "p", "service_type_id": im.type.id,
            "item_ids": [str(im.item.id)], "content": "c", "time_limit": "10天",
            "funding": "state_funds", "amount_mode": "fixed", "fixed_fen": "60000",
            "method": "direct", "registration_deadline": "2026-03-20 10:00",
            "selection_time": "2026-03-21 10:00"}
    response = testapp.post_json("/api/v1/supermarket/purchases", body,
                                 headers={"Authorization": f"Bearer {owner_token}"},
                                 status=400)
    assert response.json["error"] == "direct_selection_refused"
    body["fixed_fen"] = "30000"
    created = testapp.post_json("/api/v1/supermarket/purchases", body,
                                headers={"Authorization": f"Bearer {owner_token}"}, status=201)
    assert created.json["status"] == "draft"
    listing = testapp.get("/api/v1/supermarket/intermediaries")
    assert isinstance(listing.json["items"], list)
    assert testapp.get("/api/v1/supermarket/statistics").json["months"]


def test_public_pages_render(testapp, im):
    firm = im.intermediary()
    for path in ("/supermarket", "/supermarket/statistics", "/supermarket/catalogue",
                 "/supermarket/purchases", f"/supermarket/intermediaries/{firm.organisation_id}"):
        page = testapp.get(path)
        assert "中介" in page.text
    home = testapp.get("/supermarket")
    assert firm.organisation.name in home.text


def test_statistics_count_by_month(im):
    from trading.intermediaries.public import statistics

    done = [im.intermediary() for _ in range(3)]
    selected = im.purchase()
    im.register(selected, *done)
    failed = im.purchase()
    im.register(failed, done[0])
    im.to_deadline(selected)
    im.service.advance(failed)
    im.to_selection(selected)
    (row,) = [r for r in statistics(im.db) if r["month"] == "2026-03"]
    assert (row["published"], row["failed"], row["completed"]) == (3, 1, 0)  # + republished
    assert row["success_rate"] == 50 and row["avg_days_to_select"] == 8


def test_a_quote_in_clear_is_refused_on_every_path_and_nothing_is_kept(testapp, im):
    """Issue #15: the quote page and the API take only a .tbid sealed on the
    intermediary's side; the old forms' amount and plan are refused, nothing stored."""
    import io
    import json

    import sqlalchemy as sa
    from webtest import Upload

    from trading.audit.models import AuditEvent
    from trading.demo.intermediaries import sealed_quote
    from trading.intermediaries.rules import SelectionMethod

    firms = [im.intermediary() for _ in range(3)]
    purchase = im.purchase(method=SelectionMethod.LOWEST_PRICE)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    user = firms[0]
    secret = AccountService(im.db, im.clock, im.settings).create_api_token(
        user, "t", actor_for(user))[1]
    login(testapp, user)
    url = f"/supermarket/purchases/{purchase.id}/quote"
    page = testapp.get(url)
    key_id = json.loads(purchase.opening_public_key)["key_id"]
    assert "data-sealed-offer" in page.text and f'data-key-id="{key_id}"' in page.text
    csrf = testapp.get_csrf_token(url)

    def kept():
        im.db.flush()
        files = sorted(p.name for p in im.registry["storage"].root.rglob("*") if p.is_file())
        return (im.db.scalar(sa.select(sa.func.count(AuditEvent.seq))),
                im.service.registration_of(purchase, user.organisation_id).quote_sha256, files)

    before = kept()
    refused = testapp.post(url, {"csrf_token": csrf, "quote": "30000", "plan": "方案"},
                           status=400)
    assert "平台不接收未加密的报价" in refused.text
    api = f"/api/v1/supermarket/purchases/{purchase.id}/quote"
    headers = {"Authorization": f"Bearer {secret}"}
    clear = testapp.post_json(api, {"quote": "30000", "plan": "方案"}, headers=headers,
                              status=400).json
    assert clear["error"] == "plaintext_refused"
    assert kept() == before
    # The sealed quote goes through both.
    envelope = sealed_quote(purchase, user.organisation_id, 30_000_00, "方案")
    form = testapp.get(url).forms["quote"]
    form["envelope"] = Upload("q.tbid", envelope)
    assert "报价已加密保存" in form.submit().follow().text
    made = testapp.post(api, headers=headers, upload_files=[("envelope", "q.tbid", envelope)])
    assert made.json["id"] == purchase.id
    assert io.BytesIO(envelope).read(8) == bytes([0x89, 0x54, 0x42, 0x44, 0x0D, 0x0A, 0x1A, 0x0A])
