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


@pytest.fixture
def known(settings, monkeypatch):
    monkeypatch.setitem(settings, "audit.witnesses", signer().verifier.vkey())


def test_the_platform_keeps_and_publishes_a_known_witness_cosignature(log, tmp_path, testapp,
                                                                       known):
    log.grow()
    cosigned = witness.observe(log.fetch, log.verifier, signer(), tmp_path / "s.txt", 42)
    answer = testapp.post_json("/api/v1/audit/log/cosignatures", {"checkpoint": cosigned},
                               status=201).json
    assert answer == {"size": 2, "witnesses": ["supervisor-w"]}
    doc = testapp.get("/api/v1/audit/log/checkpoint").json
    assert doc["cosignatures"] == [{"witness": "supervisor-w", "time": 42}]
    published = tlog.parse_note(doc["cosigned"])
    assert tlog.verify_cosignature(published, signer().verifier) == 42
    tlog.verify_note(published, log.verifier)
    # Given twice: kept once.
    testapp.post_json("/api/v1/audit/log/cosignatures", {"checkpoint": cosigned}, status=201)
    assert len(testapp.get("/api/v1/audit/log/checkpoint").json["cosignatures"]) == 1


def test_cosignatures_of_strangers_forgeries_and_forks_are_refused(log, tmp_path, testapp,
                                                                   known):
    real = log.grow()
    stranger = witness.witness_signer("stranger", bytes(range(50, 82)))
    theirs = witness.observe(log.fetch, log.verifier, stranger, tmp_path / "x.txt", 1)
    refused = testapp.post_json("/api/v1/audit/log/cosignatures", {"checkpoint": theirs},
                                status=422).json
    assert refused["error"] == "unknown_witness"
    mine = witness.observe(log.fetch, log.verifier, signer(), tmp_path / "y.txt", 1)
    note = tlog.parse_note(mine)
    bad = tlog.Signature(note.signatures[-1].name, note.signatures[-1].key_id,
                         note.signatures[-1].blob[:-1] + b"\0")
    forged = tlog.Note(note.text, (*note.signatures[:-1], bad)).render()
    refused = testapp.post_json("/api/v1/audit/log/cosignatures", {"checkpoint": forged},
                                status=422).json
    assert refused["error"] == "cosignature_refused" and "副署无效" in refused["message"]
    fork = tlog.sign_checkpoint(tlog.Checkpoint(log.origin, real.size, b"\7" * 32), log.signer)
    fork_note = tlog.parse_note(fork)
    cosig = tlog.cosign(fork_note.text, signer(), 1)
    refused = testapp.post_json(
        "/api/v1/audit/log/cosignatures",
        {"checkpoint": tlog.Note(fork_note.text, (*fork_note.signatures, cosig)).render()},
        status=422).json
    assert "分叉或伪造" in refused["message"]
    assert testapp.post_json("/api/v1/audit/log/cosignatures", {"checkpoint": "x"},
                             status=422).json["field"] == "checkpoint"
    assert testapp.get("/api/v1/audit/log/checkpoint").json["cosignatures"] == []


def test_audit_verify_names_a_rewritten_cosignature(log, tmp_path, testapp, known, dbsession,
                                                    registry, settings):
    import sqlalchemy as sa

    from trading.audit.models import TlogCosignature
    from trading.audit.protection import suspended

    log.grow()
    cosigned = witness.observe(log.fetch, log.verifier, signer(), tmp_path / "s.txt", 42)
    testapp.post_json("/api/v1/audit/log/cosignatures", {"checkpoint": cosigned}, status=201)
    assert merkle.verify_log(dbsession, registry["keys"], settings).ok
    line = cosigned.splitlines()[-1]
    at = len(line) - 10  # a character of the Ed25519 signature
    altered = line[:at] + ("B" if line[at] == "A" else "A") + line[at + 1:]
    with suspended(dbsession.connection()):
        dbsession.execute(sa.update(TlogCosignature).values(line=altered + "\n"))
    dbsession.expire_all()
    report = merkle.verify_log(dbsession, registry["keys"], settings)
    assert report.problems and "cosignature of supervisor-w on checkpoint 2" in \
        report.problems[0]


def test_the_checkpoints_page_shows_the_logs_checkpoints_and_their_witnesses(
        log, tmp_path, testapp, known):
    log.grow()
    cosigned = witness.observe(log.fetch, log.verifier, signer(), tmp_path / "s.txt", 42)
    testapp.post_json("/api/v1/audit/log/cosignatures", {"checkpoint": cosigned}, status=201)
    page = testapp.get("/audit/checkpoints").text
    assert "透明日志检查点" in page and log.verifier.vkey() in page
    assert "supervisor-w" in page


def test_a_watching_witness_retries_an_unreachable_platform_and_stops_at_a_refusal(capsys):
    """`run --every`: a line per cosigned checkpoint, the platform down is tried again, a
    rollback or fork ends the watch with exit 1 (nothing cosigned after it)."""
    note = tlog.sign_checkpoint(tlog.Checkpoint("example.org/log", 7, b"\1" * 32),
                                tlog.NoteSigner("example.org/log", bytes(32)))
    outcomes = iter([witness.Unreachable("connection refused"), note,
                     tlog.ProofError("rollback: this witness saw 9 entries"), note])
    slept = []

    def round_fn():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert witness.watch(round_fn, 15, sleep=slept.append) == 1
    out, err = capsys.readouterr()
    assert "cosigned checkpoint: 7 entries" in out and slept == [15, 15]
    assert "did not answer (connection refused); trying again" in err
    assert "REFUSED: rollback" in err
    assert next(outcomes) == note  # the round after the refusal never ran
    assert witness.watch(lambda: note, 1, sleep=slept.append, rounds=2) == 0


def test_the_demo_supervisors_witness_is_listed_and_cosigns(log, tmp_path, testapp, settings,
                                                            registry, monkeypatch):
    """What `make run` starts: `trading demo` made the witness's key beside
    audit.witnesses_file and listed it there; its first round is kept and shown."""
    from trading.demo.audit import SUPERVISOR_WITNESS, prepare_witness

    listing = tmp_path / "witness" / "witnesses.txt"
    monkeypatch.setitem(settings, "audit.witnesses_file", str(listing))
    folder = prepare_witness(settings, registry["keys"])
    key = (folder / f"{SUPERVISOR_WITNESS}.key").read_text()
    assert prepare_witness(settings, registry["keys"]) == folder  # again: the same key
    assert (folder / f"{SUPERVISOR_WITNESS}.key").read_text() == key
    vkey = (folder / f"{SUPERVISOR_WITNESS}.vkey").read_text().strip()
    assert listing.read_text().split() == [vkey]
    assert [w.vkey() for w in merkle.witnesses(settings)] == [vkey]
    assert (folder / "log.vkey").read_text().strip() == log.verifier.vkey()
    log.grow()
    import base64

    demo = witness.witness_signer(SUPERVISOR_WITNESS, base64.b64decode(key))
    cosigned = witness.observe(log.fetch, log.verifier, demo, folder / "state.txt", 42)
    testapp.post_json("/api/v1/audit/log/cosignatures", {"checkpoint": cosigned}, status=201)
    assert SUPERVISOR_WITNESS in testapp.get("/audit/checkpoints").text
    monkeypatch.setitem(settings, "audit.witnesses_file", "")
    assert prepare_witness(settings, registry["keys"]) is None
