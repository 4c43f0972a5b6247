"""Plaintext never at rest: bids with a unique marker (uploaded, and sealed in the browser's
way and uploaded in parts), offer plaintext posted to every route, all committed for real;
then every byte of the database (and its WAL) and of the storage root is searched for it.

This test builds its own application on its own SQLite file and storage root and lets
pyramid_tm commit, as production does: the shared test transaction is never committed,
so it would prove nothing about what reaches the disk.
"""

import io
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import transaction
import webtest
from factories import actor_for, make_project, make_user

from trading import main
from trading.accounts.models import Role, User
from trading.db import get_engine, get_tm_session
from trading.projects.service import ProjectService, SignUp


def _migrate(engine):
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(Path(__file__).resolve().parents[2] / "development.ini"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@pytest.fixture
def committed(tmp_path, app_settings, second_app):
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'plain.sqlite3'}"})
    _migrate(engine)
    settings = {**app_settings, "storage.root": str(tmp_path / "files"),
                "bidding.chunk_size": "1024"}
    app = main({}, dbengine=engine, **settings)
    try:
        yield app, tmp_path
    finally:
        engine.dispose()


def _commit(app, work):
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        return work(get_tm_session(app.registry["dbsession_factory"], tm))


def _everything(tmp_path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if p.is_file()]


def _found(marker: bytes, paths) -> list[str]:
    return [str(p) for p in paths if marker in p.read_bytes()]


@pytest.mark.slow
def test_no_plaintext_reaches_the_disk_before_the_opening(committed, clock):
    from bid_crypto import Document, PublicKey, seal_bid

    app, tmp_path = committed
    marker = f"PLAINTEXT-{uuid.uuid4().hex}"
    def setup(db):
        project = make_project(db, clock, app.registry.settings, app.registry,
                               open_bidding=True)
        users = [make_user(db, clock, app.registry.settings, role=Role.BIDDER)
                 for _ in range(3)]
        lot = project.lots[0]
        for user in users:
            db.add(SignUp(project_id=project.id, lot_id=lot.id, user_id=user.id,
                          bidder_org_id=user.organisation_id, signed_up_at=clock()))
        return (project.id, lot.id, project.number, [(u.username, u.organisation_id)
                                                      for u in users])

    project_id, lot_id, number, users = _commit(app, setup)
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost:6543"})

    # 1. an envelope sealed offline, uploaded
    client.get("/login")
    client.post("/login", {"username": users[0][0], "password": "Password-123",
                           "csrf_token": _token(client, "/login"), "next": "",
                           "submit": "submit"}, status=303)
    key = PublicKey.from_json(client.get(f"/projects/{project_id}/opening.pub").body)
    envelope = io.BytesIO()
    seal_bid(envelope, key, offer={"total_price": 100, "quality": marker},
             documents=[Document("tech.pdf", io.BytesIO(marker.encode() * 100))],
             project=number, lot="L1", bidder=f"B{users[0][1]}", chunk_size=1024)
    client.post(f"/projects/{project_id}/lots/{lot_id}/bids/upload",
                {"csrf_token": _token(client, f"/projects/{project_id}/bids")},
                upload_files=[("envelope", "bid.tbid", envelope.getvalue())], status=303)

    # 2. the bid page's path: sealed in the browser, uploaded in parts (ciphertext only),
    #    each part posted as a real server hands it over (an unseekable body)
    client.reset()
    client.post("/login", {"username": users[1][0], "password": "Password-123",
                           "csrf_token": _token(client, "/login"), "next": "",
                           "submit": "submit"}, status=303)
    sealed = io.BytesIO()
    seal_bid(sealed, key, offer={"total_price": 100, "quality": marker},
             documents=[Document("doc.pdf", io.BytesIO(marker.encode() + b"\0" * 50_000))],
             project=number, lot="L1", bidder=f"B{users[1][1]}", chunk_size=1024)
    token = _token(client, f"/projects/{project_id}/bids")
    start = client.post(f"/projects/{project_id}/lots/{lot_id}/bids/uploads",
                        headers={"X-CSRF-Token": token}, status=201).json
    data = sealed.getvalue()
    for offset in range(0, len(data), 20_000):
        status = _raw_request(client, app, "PUT", f"{start['part_url']}?offset={offset}",
                              data[offset:offset + 20_000], token)
        assert status.startswith("200"), status
    client.post(start["finish_url"], headers={"X-CSRF-Token": token}, status=200)

    # 4. offer plaintext thrown at every route a bidder can reach (the old web form's
    #    fields and documents): none accepts it, none writes it anywhere
    _post_plaintext_everywhere(client, app, project_id, lot_id, marker)

    def versions(db):
        from trading.bidding.models import BidVersion

        return db.scalar(sa.select(sa.func.count(BidVersion.id)))

    assert _commit(app, versions) == 2  # the two sealed bids; no route took plaintext as one

    # 3. a third bid, so that the opening goes ahead (the control below)
    def third(db):
        from trading.bidding.service import BidService
        from trading.projects.models import Lot, Project

        user = db.scalar(sa.select(User).where(User.username == users[2][0]))
        project, lot = db.get(Project, project_id), db.get(Lot, lot_id)
        bids = BidService(db, clock, app.registry["keys"], app.registry["storage"],
                          settings=app.registry.settings)
        sealed = io.BytesIO()
        seal_bid(sealed, key, offer={"total_price": 90}, project=number, lot="L1",
                 bidder=f"B{users[2][1]}")
        sealed.seek(0)
        bids.submit_envelope(project, lot, stream=sealed, actor=actor_for(user))

    _commit(app, third)

    files = _everything(tmp_path)
    assert any(p.name.startswith("plain.sqlite3") for p in files)
    assert _found(marker.encode(), files) == []

    # Control: after the opening the documents are in storage, and the scan finds them.
    def open_bids(db):
        from trading.projects.models import Project

        project = db.get(Project, project_id)
        service = ProjectService(db, clock, app.registry["storage"], keys=app.registry["keys"])
        clock.set(project.bid_deadline)
        service.advance(project)
        clock.advance(seconds=2)
        service.advance(project)
        return str(project.status)

    assert _commit(app, open_bids) == "evaluation"
    assert _found(marker.encode(), _everything(tmp_path / "files")) != []


def _token(client, path) -> str:
    import re

    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _post_plaintext_everywhere(client, app, project_id, lot_id, marker) -> None:
    from pyramid.interfaces import IRoutesMapper

    token = _token(client, f"/projects/{project_id}/bids")
    fields = [("csrf_token", token), ("total_price", "812345.67"), ("quality", marker),
              ("item_name", "土建"), ("item_price", "1.00"), ("envelope", marker),
              ("offer", marker)]
    files = [("documents", "技术标.pdf", marker.encode() * 100),
             ("envelope", "bid.tbid", marker.encode() * 100)]
    ids = {"project_id": project_id, "lot_id": lot_id}
    tried = 0
    for route in app.registry.getUtility(IRoutesMapper).get_routes():
        known = ("project_id", "lot_id", "bid_id", "token", "version", "round_id")
        if "*" in route.pattern or any(n not in known for n in _placeholders(route.pattern)):
            continue
        path = route.generate({**ids, "bid_id": 1, "token": "A" * 32, "version": 1,
                               "round_id": 1, "_app_url": ""})
        for method in ("POST", "PUT"):
            _raw_post(client, app, path, fields, files, method=method)
            tried += 1
    assert tried > 50, "the routes were not walked"


def _placeholders(pattern: str) -> list[str]:
    import re

    return re.findall(r"{(\w+)", pattern)


def _raw_request(client, app, method, path, body: bytes, token) -> str:
    from webob import Request

    request = Request.blank(path, method=method)
    environ = request.environ
    environ.update({
        "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/octet-stream", "HTTP_X_CSRF_TOKEN": token,
        "HTTP_HOST": "localhost:6543", "HTTP_ORIGIN": "http://localhost:6543",
        "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
    })
    environ.pop("webob.is_body_seekable", None)
    result = {}

    def start_response(status, headers, exc_info=None):
        result["status"] = status

    b"".join(app(environ, start_response))
    return result["status"]


def _raw_post(client, app, path, fields, files, method="POST") -> str:
    """POST multipart through the WSGI interface with a body that cannot seek."""
    from webob import Request

    request = Request.blank(path, method=method, POST=None)
    boundary = "----trading-test-boundary"
    body = io.BytesIO()
    for name, value in fields:
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   f"{value}\r\n".encode())
    for name, filename, data in files:
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                   f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode())
        body.write(data + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    payload = body.getvalue()

    class Unseekable:
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def read(self, size=-1):
            return self._data.read(size)

    environ = request.environ
    environ.update({
        "wsgi.input": Unseekable(payload), "CONTENT_LENGTH": str(len(payload)),
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "HTTP_HOST": "localhost:6543", "HTTP_ORIGIN": "http://localhost:6543",
        "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
    })
    environ.pop("webob.is_body_seekable", None)
    result = {}

    def start_response(status, headers, exc_info=None):
        result["status"] = status

    b"".join(app(environ, start_response))
    return result["status"]
