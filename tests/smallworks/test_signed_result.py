"""The small-works result publicity (小额工程结果公示) is signed as it is
published, by the one mechanism of projects' notices (trading.notices):
the page says 签名有效 and links notice.json and the key;
`python -m bid_crypto verify-notice` accepts the downloaded document offline and refuses it
once its body is altered; a notice altered in the database shows 签名无效."""

from decimal import Decimal

import sqlalchemy as sa
from factories import actor_for, make_enterprise, make_user, smallwork_input, smallworks_service
from notice_support import altered_in_the_database, verified_offline

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.notices import PublishedNotice
from trading.smallworks.status import AllocationStatus as A


def test_the_smallworks_result_publicity_is_signed(testapp, dbsession, clock, settings,
                                                   registry, tmp_path, capsys):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER, username="sn_owner")
    center = actor_for(make_user(dbsession, clock, settings, role=Role.CENTER,
                                 username="sn_center"))
    bidder = make_user(dbsession, clock, settings, role=Role.BIDDER, username="sn_bidder")
    mine = make_enterprise(dbsession, clock, settings, registry, user=bidder)
    mine.credit_score = Decimal(99)
    for _ in range(2):
        make_enterprise(dbsession, clock, settings, registry)
    service = smallworks_service(dbsession, clock, registry)
    work = service.post(owner.organisation, smallwork_input(clock, method="double_random_credit"),
                        actor=center)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    url = f"/smallworks/projects/{work.id}"
    assert "平台签名" not in testapp.get(url).text  # nothing is published before acceptance
    testapp.get(f"{url}/notice.json", status=404)
    service.accept(work, mine, manager=mine.managers[0], actor=actor_for(bidder))
    assert work.status is A.PUBLICITY
    fields = verified_offline(testapp, tmp_path, url, capsys)
    assert fields["kind"] == "result" and mine.name in fields["body"]
    assert fields["project"] == f"smallworks-{work.id}" and fields["algorithm"] == "ed25519"
    api = testapp.get(f"/api/v1/smallworks/projects/{work.id}").json["result_notice"]
    assert api["signed_document"] == f"{url}/notice.json" and api["body"] == fields["body"]
    assert api["signature"] == fields["signature"] and api["algorithm"] == "ed25519"
    event = dbsession.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "smallworks.project.result_published"))
    assert len(event.data["signed_sha256"]) == 64
    altered_in_the_database(dbsession, testapp, url, dbsession.scalar(
        sa.select(PublishedNotice).where(PublishedNotice.subject_id == work.id)))
