"""bid_crypto.tlog against published vectors: the RFC 6962/9162 tree of
transparency-dev/merkle (testonly/constants.go, proof/verify_test.go), C2SP signed-note
key ids, and every corruption of a good proof that the reference suite tries."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bid_crypto import tlog

H = bytes.fromhex
LEAVES = [H(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                         "606162636465666768696a6b6c6d6e6f")]
LEAF_HASHES = [H(x) for x in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1")]
ROOTS = [tlog.EMPTY_ROOT] + [H(x) for x in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
# (leaf number counted from 1, tree size, proof) as in proof/verify_test.go
INCLUSION = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]


class MemoryLog:
    """The stored-hash layout the platform keeps, in memory."""

    def __init__(self):
        self.stored, self.frontier, self.size = {}, [], 0

    def append(self, leaf: bytes):
        for level, index, h in tlog.new_stored_hashes(self.size, leaf, self.frontier):
            self.stored[(level, index)] = h
        self.frontier = tlog.append_frontier(self.frontier, self.size, leaf)
        self.size += 1

    def read(self, ids):
        return {i: self.stored[i] for i in ids}


def memory_log(leaves) -> MemoryLog:
    log = MemoryLog()
    for data in leaves:
        log.append(tlog.leaf_hash(data))
    return log


def test_leaf_hashes_and_roots_match_the_reference_tree():
    assert [tlog.leaf_hash(x) for x in LEAVES] == LEAF_HASHES
    log = MemoryLog()
    for size in range(9):
        assert tlog.root_from_leaf_hashes(LEAF_HASHES[:size]) == ROOTS[size]
        assert tlog.root_from_frontier(log.frontier) == ROOTS[size]
        assert tlog.tree_root(size, log.read) == ROOTS[size]
        if size < 8:
            log.append(LEAF_HASHES[size])
    assert log.stored[(3, 0)] == ROOTS[8]
    assert log.stored[(1, 3)] == H(
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0")


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_inclusion_vectors_generate_and_verify(leaf, size, proof):
    proof = [H(p) for p in proof]
    log = memory_log(LEAVES[:size])
    assert tlog.inclusion_proof(leaf - 1, size, log.read) == proof
    tlog.verify_inclusion(leaf - 1, size, LEAF_HASHES[leaf - 1], proof, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_vectors_generate_and_verify(old, new, proof):
    proof = [H(p) for p in proof]
    log = memory_log(LEAVES[:new])
    assert tlog.consistency_proof(old, new, log.read) == proof
    tlog.verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


def _inclusion_probes(index, size, leaf, proof, root):
    some = H("abacaba000000000000000000000000000000000000000000060061e00123456")
    yield index - 1, size, leaf, proof, root
    yield index + 1, size, leaf, proof, root
    yield index ^ 2, size, leaf, proof, root
    yield index, size * 2, leaf, proof, root
    yield index, size // 2, leaf, proof, root
    yield index, size, b"WrongLeaf", proof, root
    yield index, size, leaf, proof, tlog.EMPTY_ROOT
    yield index, size, leaf, proof, some
    yield index, size, leaf, proof + [b""], root
    yield index, size, leaf, proof + [root], root
    yield index, size, leaf, [b""] + proof, root
    yield index, size, leaf, [root] + proof, root
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 8]) + bad[i][1:]
        yield index, size, leaf, bad, root
    if proof:
        yield index, size, leaf, proof[:-1], root
    if len(proof) > 1:
        yield index, size, leaf, [proof[0], some] + proof[1:], root


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION)
def test_every_corrupted_inclusion_proof_is_refused(leaf, size, proof):
    proof = [H(p) for p in proof]
    for probe in _inclusion_probes(leaf - 1, size, LEAF_HASHES[leaf - 1], proof, ROOTS[size]):
        with pytest.raises(tlog.ProofError):
            tlog.verify_inclusion(*probe)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_every_corrupted_consistency_proof_is_refused(old, new, proof):
    proof = [H(p) for p in proof]
    r1, r2 = ROOTS[old], ROOTS[new]
    probes = [(old - 1, new, r1, r2, proof), (old + 1, new, r1, r2, proof),
              (old ^ 2, new, r1, r2, proof), (old, new * 2, r1, r2, proof),
              (old, new // 2, r1, r2, proof), (old, new, b"WrongRoot", r2, proof),
              (old, new, r1, b"WrongRoot", proof), (old, new, r2, r1, proof),
              (old, new, r1, r2, []), (old, new, r1, r2, proof + [b""]),
              (old, new, r1, r2, proof + [r1]), (old, new, r1, r2, proof + [r2]),
              (old, new, r1, r2, [b""] + proof), (old, new, r1, r2, [r1] + proof),
              (old, new, r1, r2, [r2] + proof), (old, new, r1, r2, [proof[0]] + proof),
              (old, new, r1, r2, proof[:-1])]
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = bytes([bad[i][0] ^ 16]) + bad[i][1:]
        probes.append((old, new, r1, r2, bad))
    for probe in probes:
        with pytest.raises(tlog.ProofError):
            tlog.verify_consistency(*probe)


def test_rollback_and_fork_are_named():
    with pytest.raises(tlog.ProofError, match="rollback"):
        tlog.verify_consistency(5, 3, ROOTS[5], ROOTS[3], [])
    with pytest.raises(tlog.ProofError, match="fork"):
        tlog.verify_consistency(4, 4, ROOTS[4], ROOTS[5], [])


@given(st.integers(1, 70), st.data())
def test_generated_proofs_verify_for_every_size(size, data):
    leaves = [i.to_bytes(4, "big") for i in range(size)]
    log = memory_log(leaves)
    root = tlog.root_from_leaf_hashes([tlog.leaf_hash(x) for x in leaves])
    assert tlog.tree_root(size, log.read) == root
    index = data.draw(st.integers(0, size - 1))
    proof = tlog.inclusion_proof(index, size, log.read)
    tlog.verify_inclusion(index, size, tlog.leaf_hash(leaves[index]), proof, root)
    old = data.draw(st.integers(0, size))
    old_root = tlog.tree_root(old, log.read)
    tlog.verify_consistency(old, size, old_root, root, tlog.consistency_proof(old, size, log.read))
    if 0 < old < size:  # an inclusion proof is for one tree size only
        with pytest.raises(tlog.ProofError):
            at = min(index, old - 1)
            tlog.verify_inclusion(at, old, tlog.leaf_hash(leaves[at]), proof, old_root)


# The Go note package's published example (golang.org/x/mod/sumdb/note, note_test.go).
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_NOTE = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n"
           "\n"
           "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2"
           "pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")


def test_signed_note_vector_of_the_go_note_package():
    verifier = tlog.NoteVerifier.from_vkey(GO_VKEY)
    assert verifier.vkey() == GO_VKEY
    note = tlog.parse_note(GO_NOTE)
    tlog.verify_note(note, verifier)
    with pytest.raises(tlog.ProofError):
        tlog.verify_note(tlog.parse_note(GO_NOTE.replace("answer", "ANSWER")), verifier)


def test_checkpoint_and_cosignature_round_trip_and_refusals():
    log = tlog.NoteSigner("example.org/log", bytes(32))
    witness = tlog.NoteSigner("example.org/w1", bytes([1]) * 32, tlog.SIG_COSIGNATURE)
    cp = tlog.Checkpoint("example.org/log", 8, ROOTS[8])
    text = tlog.sign_checkpoint(cp, log)
    assert text.startswith(f"example.org/log\n8\n{base64.b64encode(ROOTS[8]).decode()}\n\n\u2014 ")
    parsed, note = tlog.open_checkpoint(text, log.verifier, "example.org/log")
    assert parsed == cp
    cosig = tlog.cosign(note.text, witness, 1_700_000_000)
    both = tlog.Note(note.text, note.signatures + (cosig,))
    stamp = tlog.verify_cosignature(tlog.parse_note(both.render()), witness.verifier)
    assert stamp == 1_700_000_000
    other = tlog.NoteSigner("example.org/log", bytes([9]) * 32)
    with pytest.raises(tlog.ProofError, match="not signed by the pinned key"):
        tlog.open_checkpoint(tlog.sign_checkpoint(cp, other), log.verifier)
    with pytest.raises(tlog.ProofError, match="expected"):
        tlog.open_checkpoint(text, log.verifier, "example.org/other")
    with pytest.raises(tlog.ProofError):
        tlog.parse_note("no signatures\n")


def test_signing_reproduces_the_go_note_byte_for_byte():
    skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    blob = base64.b64decode(skey.split("+", 4)[4])
    assert blob[0] == tlog.SIG_ED25519
    signer = tlog.NoteSigner("PeterNeumann", blob[1:])
    assert signer.verifier.vkey() == GO_VKEY
    text = GO_NOTE.split("\n\n")[0] + "\n"
    assert tlog.Note(text, (tlog.sign_note(text, signer),)).render() == GO_NOTE


def test_a_verifier_key_whose_base64_holds_a_plus_round_trips():
    """The Go note format splits name+id+key at the first two '+' only."""
    from bid_crypto import tlog as _tlog

    seed = next(bytes([i]) * 32 for i in range(256)
                if "+" in _tlog.NoteSigner("log", bytes([i]) * 32).verifier.vkey()[13:])
    verifier = _tlog.NoteSigner("log", seed).verifier
    assert _tlog.NoteVerifier.from_vkey(verifier.vkey()) == verifier
