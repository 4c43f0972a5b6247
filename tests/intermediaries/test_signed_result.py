"""The supermarket's selection result (中介超市中选结果公示) is signed as it is
published, by the one mechanism of projects' notices (trading.notices):
the page says 签名有效 and links notice.json and the key;
`python -m bid_crypto verify-notice` accepts the downloaded document offline and refuses it
once its body is altered; a notice altered in the database shows 签名无效."""

import sqlalchemy as sa
from notice_support import altered_in_the_database, verified_offline

from trading.notices import PublishedNotice


def test_the_supermarket_selection_result_is_signed(testapp, im, tmp_path, capsys):
    firms = [im.intermediary() for _ in range(3)]
    purchase = im.purchase()
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    url = f"/supermarket/purchases/{purchase.id}"
    testapp.get(f"{url}/notice.json", status=404)
    assert testapp.get(f"/api/v1/supermarket/purchases/{purchase.id}").json["result_notice"] is None
    im.to_selection(purchase)
    fields = verified_offline(testapp, tmp_path, url, capsys)
    assert fields["project"] == purchase.number and purchase.selected.name in fields["body"]
    api = testapp.get(f"/api/v1/supermarket/purchases/{purchase.id}").json["result_notice"]
    assert api["signed_document"] == f"{url}/notice.json" and api["body"] == fields["body"]
    assert api["signature"] == fields["signature"]
    notice = im.db.scalar(sa.select(PublishedNotice).where(
        PublishedNotice.subject == "intermediaries", PublishedNotice.subject_id == purchase.id))
    altered_in_the_database(im.db, testapp, url, notice)
