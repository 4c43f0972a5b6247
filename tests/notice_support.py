"""Checks of a signed result notice as the public makes them (trading.notices)."""

import json

from bid_crypto.cli import main


def verified_offline(testapp, tmp_path, page_url, capsys):
    """What a member of the public does: download notice.json and the key from the page's
    own links, verify, then alter the body and verify again."""
    page = testapp.get(page_url)
    assert "签名有效" in page.text and "verify-notice" in page.text
    (link,) = [a for a in page.html.find_all("a") if a.get("href", "").endswith("notice.json")]
    document = testapp.get(link["href"]).body
    assert "/bidding/platform.pub" in page.text
    (tmp_path / "notice.json").write_bytes(document)
    (tmp_path / "platform.pub").write_bytes(testapp.get("/bidding/platform.pub").body)
    verify = ["verify-notice", "--platform-key", str(tmp_path / "platform.pub"),
              str(tmp_path / "notice.json")]
    assert main(verify) == 0
    assert "notice valid (ed25519)" in capsys.readouterr().out
    altered = json.loads(document)
    altered["body"] = altered["body"].replace("。", "（已更正）。", 1)
    (tmp_path / "notice.json").write_text(json.dumps(altered, ensure_ascii=False))
    assert main(verify) != 0
    assert "altered after publication" in capsys.readouterr().err
    return json.loads(document)


def altered_in_the_database(dbsession, testapp, page_url, notice):
    notice.body += "\n中选企业变更。"
    dbsession.flush()
    assert "签名无效" in testapp.get(page_url).text
