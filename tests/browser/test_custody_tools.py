"""The custodians' browser tools against bid_crypto's custody formats, both ways: protected
key files (FORMAT.md §5.4), sealed shares opened and released for one opening (§4.2), the
passphrase strength rule where it is typed."""

import json
from datetime import UTC, datetime, timedelta

import pytest

# The custody formats' Python side comes with the custodians' server work (h15custody);
# until bid_crypto has it, these interop tests have nothing to compare against.
pytest.importorskip("bid_crypto.protected")

from bid_crypto import generate_private_key  # noqa: E402, I001
from bid_crypto.custody import (  # noqa: E402
    Custodian,
    CustodyRelease,
    OpeningStatement,
    check_release,
    combine_releases,
    split_private_key,
)
from bid_crypto.protected import (  # noqa: E402
    ProtectedKey,
    protect_private_key,
    unprotect_private_key,
)

STRONG = "紫色 长颈鹿 在 月光下 慢慢 弹钢琴"
LOG_N = 14  # the readers' floor: keeps the browser's scrypt quick in the suite


@pytest.fixture(scope="module")
def custody(tbid):
    tbid.evaluate("async () => { window.c = await import('/static/js/custody.js'); }")
    return tbid


@pytest.mark.parametrize("suite", ["x25519", "sm2"])
def test_a_key_protected_in_the_browser_opens_with_python_and_back(custody, suite):
    made = custody.evaluate("""async ([pass, logN, suite]) => {
      const key = await h.tbid.PrivateKey.generate(suite);
      const p = await c.protectPrivateKey(key, pass, { label: '张三 市交易中心', logN });
      return { file: p.toJson(), secret: h.tbid.toHex(key.secret) };
    }""", [STRONG, LOG_N, suite])
    key = unprotect_private_key(ProtectedKey.from_json(made["file"]), STRONG)
    assert key.secret.hex() == made["secret"] and key.suite == suite
    python = generate_private_key(suite)
    file = protect_private_key(python, STRONG, label="李四 监管", log_n=LOG_N).to_json()
    opened = custody.evaluate("""async ([file, pass]) => {
      const key = await c.readPrivateKey(file, async () => pass);
      return h.tbid.toHex(key.secret);
    }""", [file, STRONG])
    assert opened == python.secret.hex()


@pytest.mark.parametrize("change", ["passphrase", "label", "log_n", "public"])
def test_a_wrong_passphrase_or_an_altered_file_is_refused_alike(custody, change):
    key = generate_private_key("x25519")
    doc = json.loads(protect_private_key(key, STRONG, label="王五", log_n=LOG_N).to_json())
    passphrase = STRONG
    if change == "passphrase":
        passphrase = STRONG + "!"
    elif change == "label":
        doc["label"] = "王六"
    elif change == "log_n":
        doc["kdf"]["log_n"] = 15
    else:
        doc["public"] = generate_private_key("x25519").public_key().raw.hex()
    text = json.dumps(doc)
    try:
        unprotect_private_key(ProtectedKey.from_json(text), passphrase)
        expected = "ok"
    except Exception as error:  # noqa: BLE001 - the class name is what is compared
        expected = type(error).__name__
    got = custody.evaluate("""async ([file, pass]) => {
      try { await c.readPrivateKey(file, async () => pass); return 'ok'; }
      catch (e) { return e.name; } }""", [text, passphrase])
    assert got == expected != "ok"


def test_weak_passphrases_are_refused_in_chinese(custody):
    cases = ["short", "passwordpassword", "1234567890123", "zhangsan2026!!", STRONG]
    got = custody.evaluate("""async (cases) => {
      const out = [];
      for (const p of cases) out.push(await c.passphraseProblem(p, ['zhangsan', '市交易中心']));
      return out; }""", cases)
    assert "口令太短" in got[0]
    assert all(p and "口令强度不足" in p for p in got[1:4])
    assert got[4] is None


def _split(custodians, deadline, suite="x25519"):
    opening = generate_private_key(suite)
    shares = split_private_key(opening, project="YG-2026-000007", threshold=2,
                               custodians=custodians, not_before=deadline)
    return opening, shares


@pytest.mark.parametrize("suite", ["x25519", "sm2"])  # sm2: a 国密 project, SM2 custodians
def test_a_share_released_in_the_browser_is_accepted_and_combines(custody, suite):
    keys = [generate_private_key(suite) for _ in range(3)]
    deadline = datetime.now(UTC) - timedelta(minutes=5)
    opening, shares = _split([Custodian(f"U{i}", k.public_key()) for i, k in enumerate(keys)],
                             deadline, suite)
    assert shares[0].recipient_suite == suite
    statement = OpeningStatement("YG-2026-000007", shares[0].split_id, "ab" * 16,
                                 shares[0].not_before, shares[0].not_before)
    releases = []
    for share, key in list(zip(shares, keys, strict=True))[:2]:
        file = protect_private_key(key, STRONG, label="保管人", log_n=LOG_N).to_json()
        text = custody.evaluate("""async ([share, file, pass, statement]) => {
          const key = await c.readPrivateKey(file, async () => pass);
          return c.makeRelease(c.SealedShare.fromJson(share), key,
                               c.OpeningStatement.fromJson(statement), new Date()); }""",
                                [share.to_json(), file, STRONG, statement.to_json()])
        release = CustodyRelease.from_json(text)
        check_release(release, sealed=share, statement=statement)
        releases.append(release)
    rebuilt = combine_releases(releases, suite=suite, public_key=shares[0].public_key,
                               threshold=2)
    assert rebuilt.secret == opening.secret


def test_releases_are_refused_alike(custody):
    keys = [generate_private_key("x25519") for _ in range(2)]
    future = datetime.now(UTC) + timedelta(days=1)
    past = datetime.now(UTC) - timedelta(days=1)
    _, early = _split([Custodian(f"U{i}", k.public_key()) for i, k in enumerate(keys)], future)
    _, late = _split([Custodian(f"U{i}", k.public_key()) for i, k in enumerate(keys)], past)

    def statement(share, **changes):
        doc = {"project": share.project, "split_id": share.split_id, "opening": "cd" * 16,
               "deadline": share.not_before, "started_at": share.not_before} | changes
        return OpeningStatement(**doc).to_json()

    cases = {
        "before the deadline": (early[0], keys[0], statement(early[0])),
        "a statement naming an earlier deadline": (
            early[0], keys[0], statement(early[0], deadline=late[0].not_before)),
        "another split's statement": (late[0], keys[0], statement(early[0])),
        "someone else's key": (late[0], keys[1], statement(late[0])),
        "right": (late[0], keys[0], statement(late[0])),
    }
    from bid_crypto.custody import make_release

    for name, (share, key, text) in cases.items():
        try:
            make_release(share, key, OpeningStatement.from_json(text), now=datetime.now(UTC))
            expected = "ok"
        except Exception as error:  # noqa: BLE001
            expected = f"{type(error).__name__}:{getattr(error, 'reason', '')}"
        got = custody.evaluate("""async ([share, key, statement]) => {
          try {
            const k = await h.tbid.PrivateKey.fromJson(key);
            await c.makeRelease(c.SealedShare.fromJson(share), k,
                                c.OpeningStatement.fromJson(statement), new Date());
            return 'ok';
          } catch (e) { return `${e.name}:${e.reason || ''}`; } }""",
                               [share.to_json(), key.to_json(), text])
        assert got == expected, name
    assert expected == "ok"
