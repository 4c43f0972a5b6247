"""`trading-witness` against the platform's public API (issue #17): cosigns a checkpoint
that extends what it saw, refuses a rollback, a fork (also two histories shown to two
witnesses) and a checkpoint signed by another key — and then signs nothing."""

import pytest

from bid_crypto import tlog, witness
from trading.actor import Actor
from trading.audit import merkle
from trading.audit.service import record

ACTOR = Actor(7, "center1", 3, "center", "192.0.2.9", "req-1")


@pytest.fixture
def log(dbsession, clock, registry, settings, testapp):
    keys = registry["keys"]

    class Log:
        verifier = merkle.log_verifier(keys, settings)
        signer = merkle.log_signer(keys, settings)
        origin = merkle.log_origin(settings)

        @staticmethod
        def grow(n=2):
            for i in range(n):
                record(dbsession, ACTOR, "test.witnessed", "thing", i, now=clock())
            return merkle.sequence(dbsession, keys, settings, now=clock())

        @staticmethod
        def fetch(path):
            return testapp.get(path).json

    return Log()


def signer(name="supervisor-w", seed=bytes(range(200, 232))):
    return witness.witness_signer(name, seed)


def test_cosigns_a_checkpoint_that_extends_what_it_saw(log, tmp_path):
    state = tmp_path / "state.txt"
    log.grow()
    first = witness.observe(log.fetch, log.verifier, signer(), state, 1_700_000_000)
    note = tlog.parse_note(first)
    assert tlog.verify_cosignature(note, signer().verifier) == 1_700_000_000
    tlog.verify_note(note, log.verifier)
    log.grow(3)
    second = witness.observe(log.fetch, log.verifier, signer(), state, 1_700_000_060)
    body = tlog.parse_checkpoint_body(tlog.parse_note(second).text)
    assert body.size == 5 and tlog.open_checkpoint(state.read_text(), log.verifier)[0] == body


def test_a_rollback_is_refused_and_not_signed(log, tmp_path):
    state = tmp_path / "state.txt"
    small = log.grow()
    log.grow()
    witness.observe(log.fetch, log.verifier, signer(), state, 1)
    seen = state.read_text()

    def rolled_back(path):
        doc = log.fetch(path)
        return dict(doc, checkpoint=small.note) if path.endswith("checkpoint") else doc

    with pytest.raises(tlog.ProofError, match="rollback: this witness saw 4 entries, the log "
                                              "now shows 2"):
        witness.observe(rolled_back, log.verifier, signer(), state, 2)
    assert state.read_text() == seen


def test_a_fork_is_refused(log, tmp_path):
    state = tmp_path / "state.txt"
    log.grow()
    witness.observe(log.fetch, log.verifier, signer(), state, 1)
    real = log.grow()
    # The platform's key signs a second history of the same size: shown to this witness.
    other = tlog.sign_checkpoint(tlog.Checkpoint(log.origin, real.size, b"\7" * 32), log.signer)

    def forked(path):
        doc = log.fetch(path)
        return dict(doc, checkpoint=other) if path.endswith("checkpoint") else doc

    with pytest.raises(tlog.ProofError, match="fork: the log of 4 entries does not extend"):
        witness.observe(forked, log.verifier, signer(), state, 2)


def test_two_witnesses_shown_two_histories_of_one_size_disagree(log, tmp_path):
    """Witness A saw the real tree; the platform shows witness B a forged one of the same
    size. When B's history reaches A (or A is shown B's), it is refused as a fork."""
    real = log.grow()
    forged = tlog.sign_checkpoint(tlog.Checkpoint(log.origin, real.size, b"\7" * 32),
                                  log.signer)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    witness.observe(log.fetch, log.verifier, signer("a"), a, 1)
    witness.observe(lambda p: {"checkpoint": forged}, log.verifier, signer("b"), b, 1)
    b.write_text(a.read_text())  # the witnesses gossip: B now holds A's view
    with pytest.raises(tlog.ProofError, match="two different roots for the same tree size"):
        witness.observe(lambda p: {"checkpoint": forged}, log.verifier, signer("b"), b, 2)


def test_a_checkpoint_signed_by_another_key_is_refused(log, tmp_path):
    log.grow()
    stranger = tlog.NoteSigner(log.origin, bytes(range(100, 132)))
    with pytest.raises(tlog.ProofError, match="not signed by the pinned key"):
        witness.observe(log.fetch, stranger.verifier, signer(), tmp_path / "s.txt", 1)
    assert not (tmp_path / "s.txt").exists()


def test_the_witness_command_makes_a_key(tmp_path, capsys):
    assert witness.main(["keygen", "--name", "notary", "--out", str(tmp_path)]) == 0
    vkey = (tmp_path / "notary.vkey").read_text().strip()
    verifier = tlog.NoteVerifier.from_vkey(vkey)
    assert verifier.sig_type == tlog.SIG_COSIGNATURE and vkey in capsys.readouterr().out
    assert witness.main(["keygen", "--name", "notary", "--out", str(tmp_path)]) == 2
