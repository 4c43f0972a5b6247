"""What an attacker does to a published logged set (a draw's pool.json, an award's
inputs.json) before handing it to `python -m bid_crypto verify-set`, and the reason each
must be refused with (issue #17 pt 4). Every domain whose list is a logged set runs all of
them against its own record: the platform leaving a member out, adding one without an
entry, hiding an entry from the file, counting one logged after the checkpoint, proving
with a proof for another tree size, rewriting an entry, or signing with another key."""

import copy
import hashlib
import json

from bid_crypto import cli, tlog
from bid_crypto import logset as outsider

EXIT_REFUSED = 7  # bid_crypto's exit code for a receipt or proof that does not hold


def late_entry(dbsession, keys, settings, key: str, member: str, clock, **facts) -> dict:
    """An entry of set `key` logged after the record's checkpoint, with its proof against
    the bigger tree it is in: what a platform adding a member afterwards could show."""
    from trading.audit import logset, merkle

    event = logset.append(dbsession, key, member, logset.IN, now=clock(), cause="registered",
                          **facts)
    checkpoint = merkle.drain(dbsession, keys, settings, now=clock())
    leaf = merkle.leaf_of_event(dbsession, event.seq)
    return {"member": member, "index": leaf.idx, "size": checkpoint.size,
            "entry": merkle.leaf_data(event).decode(),
            "proof": [tlog.b64(h) for h in merkle.inclusion(dbsession, leaf.idx,
                                                            checkpoint.size)]}


def _listing(doc: dict) -> tuple[str, list]:
    name = "candidates" if doc.get("candidates") is not None else "inputs"
    return name, doc[name]


def _relist(doc: dict, items: list) -> dict:
    bad = copy.deepcopy(doc)
    name, _ = _listing(doc)
    bad[name] = items
    if name == "candidates":  # the platform rewrites its own hash too
        bad["candidate_list_hash"] = hashlib.sha256(outsider.canonical(items)).hexdigest()
    return bad


def _member_of(doc: dict, entry: dict) -> str:
    return json.loads(entry["entry"])["data"]["member"]


def attacks(doc: dict, late: dict, log_key) -> list[tuple[str, dict, object, tuple]]:
    """(what, doctored record, key to check it with, words the refusal must contain)."""
    name, items = _listing(doc)
    members = doc["log"]["members"]
    gone = items[0]["id"]
    out = []

    bad = _relist(doc, items[1:])
    bad["log"]["members"] = [m for m in members if m["id"] != gone]
    out.append(("a member left out", bad, log_key, (f"{gone} was left out", "puts it in")))

    bad = _relist(doc, [*items, {**items[0], "id": "999999"}])
    bad["log"]["members"].append({"id": "999999", "index": members[0]["index"]})
    out.append(("a member added without an entry", bad, log_key,
                ("999999 is listed as member without an entry",)))

    entries = doc["log"]["entries"]
    hidden = entries[len(entries) // 2]
    number = json.loads(hidden["entry"])["data"]["n"]
    bad = copy.deepcopy(doc)
    bad["log"]["entries"] = [e for e in entries if e is not hidden and e != hidden]
    out.append(("an entry hidden from the file", bad, log_key,
                (f"entry {number} is missing from the record",)))

    bad = _relist(doc, [*items, {**items[0], "id": late["member"]}])
    bad["log"]["members"].append({"id": late["member"], "index": late["index"]})
    bad["log"]["entries"].append({k: late[k] for k in ("index", "entry", "proof")})
    out.append(("an entry logged after the checkpoint", bad, log_key,
                (f"index {late['index']}", "after the checkpoint")))

    bad = copy.deepcopy(doc)
    first = bad["log"]["entries"][0]
    first["proof"], first["size"] = late["proof_of_first"], late["size"]
    out.append(("a proof for another tree size", bad, log_key,
                (f"for a tree of {late['size']} entries",)))

    bad = copy.deepcopy(doc)
    row = json.loads(bad["log"]["entries"][0]["entry"])
    row["data"]["cause"] = "rewritten"
    bad["log"]["entries"][0]["entry"] = json.dumps(row, ensure_ascii=False)
    out.append(("a rewritten entry", bad, log_key, ("does not lead to the root",)))

    stranger = tlog.NoteSigner(log_key.name, tlog.generate_seed()).verifier
    out.append(("a checkpoint checked with another key", copy.deepcopy(doc), stranger,
                ("not signed by the pinned key",)))
    return out


def with_first_proof(dbsession, doc: dict, late: dict) -> dict:
    """`late` plus the first entry's proof against the bigger tree."""
    from trading.audit import merkle

    index = doc["log"]["entries"][0]["index"]
    return {**late, "proof_of_first": [tlog.b64(h) for h in merkle.inclusion(
        dbsession, index, late["size"])]}


def check_all_refused(doc: dict, late: dict, log_key, tmp_path, capsys) -> list[str]:
    """Run verify-set (in process, as the command line does) on the honest record, which
    holds, then on each doctored one, which exits 7 naming why. Returns the reasons."""
    honest = tmp_path / "honest.json"
    honest.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["verify-set", str(honest), "--log-key", log_key.vkey()]) == 0, \
        capsys.readouterr().err
    assert "exactly the set the log holds" in capsys.readouterr().out
    reasons = []
    for what, bad, key, words in attacks(doc, late, log_key):
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
        code = cli.main(["verify-set", str(path), "--log-key", key.vkey()])
        err = capsys.readouterr().err
        assert code == EXIT_REFUSED, (what, code, err)
        for word in words:
            assert word in err, (what, err)
        reasons.append(err)
    return reasons
