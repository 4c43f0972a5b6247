"""SM2 custodian keys (issue #21 pt 3): `custodian keygen --suite sm2` writes an SM2 key
(passphrase-protected), a 国密 opening key's k-of-n shares are sealed to SM2 custodian keys
(SM2 KEM, SM3 key schedule, SM4-GCM), released after the deadline and combined — all
through the CLI as a custodian runs it."""

import json
import os

import pytest

from bid_crypto import KeyFormatError, PublicKey, SealedShare, load_public_key
from bid_crypto.cli import main

STRONG = "紫色 长颈鹿 在 月光下 慢慢 弹钢琴"


@pytest.fixture
def work(tmp_path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(cwd)


def keygen(name: str, suite: str) -> None:
    with open(f"{name}.pass", "w") as fh:
        fh.write(f"{STRONG} {name}\n")
    assert main(["custodian", "keygen", "--suite", suite, "--label", f"{name} 市交易中心",
                 "--name", name, "--passphrase-file", f"{name}.pass", "--scrypt-log-n", "14",
                 "--out", "custodians"]) == 0


def test_sm2_custodians_hold_a_national_opening_key(work, capsys):
    for name in ("alice", "bob"):
        keygen(name, "sm2")
    public = load_public_key("custodians/alice.pub")
    assert public.suite == "sm2" and len(public.raw) == 65
    assert json.loads((work / "custodians" / "alice.key").read_text())["suite"] == "sm2"
    assert main(["keygen", "--suite", "sm2", "--out", "keys"]) == 0
    assert main(["split-key", "--key", "keys/opening.key", "--project", "YG-2026-000031",
                 "--threshold", "2", "--custodian=U-alice=custodians/alice.pub",
                 "--custodian=U-bob=custodians/bob.pub",
                 "--not-before", "2026-01-01T00:00:00.000Z", "--out", "shares"]) == 0
    share = SealedShare.from_json((work / "shares" / "share-1.json").read_text())
    assert (share.suite, share.recipient_suite) == ("sm2", "sm2")
    statement = {"kind": "bid_crypto.opening_statement", "version": 1,
                 "project": share.project, "split_id": share.split_id, "opening": "ab" * 16,
                 "deadline": share.not_before, "started_at": share.not_before}
    (work / "statement.json").write_text(json.dumps(statement))
    for index, name in ((1, "alice"), (2, "bob")):
        assert main(["custodian", "release", "--share", f"shares/share-{index}.json",
                     "--statement", "statement.json", "--key", f"custodians/{name}.key",
                     "--passphrase-file", f"{name}.pass", "--out", f"r{index}.json"]) == 0
    # Bob's key does not open Alice's share: the SM2 decapsulation fails as a wrong key.
    assert main(["custodian", "release", "--share", "shares/share-1.json", "--statement",
                 "statement.json", "--key", "custodians/bob.key", "--passphrase-file",
                 "bob.pass", "--out", "x.json"]) == 4
    assert "sealed to key" in capsys.readouterr().err
    assert main(["custodian", "combine", "--to", "keys/opening.pub", "--threshold", "2",
                 "--release", "r2.json", "--release", "r1.json", "--out", "rebuilt.key"]) == 0
    original = json.loads((work / "keys" / "opening.key").read_text())
    assert json.loads((work / "rebuilt.key").read_text()) == original


def test_an_sm2_custodian_key_of_another_curve_is_refused(work):
    keygen("carol", "sm2")
    doc = json.loads((work / "custodians" / "carol.pub").read_text())
    doc["public"] = "04" + "11" * 64  # not a point of the SM2 curve
    with pytest.raises(KeyFormatError, match="curve"):
        PublicKey.from_json(json.dumps(doc))
    assert "secret" not in (work / "custodians" / "carol.pub").read_text()
