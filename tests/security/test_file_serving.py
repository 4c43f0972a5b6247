"""Issue #16 point 1: a user's file never runs in the platform's origin.

The finding: an owner uploaded HTML and JS; the API served them inline with the uploader's
Content-Type, and a staff member who opened the link ran the script as himself."""

import pytest
from factories import make_project, make_user
from security.test_hostile_input import bearer

from trading.accounts.models import Role
from trading.files import FILE_CSP, disposition, sniff

HOSTILE = [
    ("page.html", b"<html><script>fetch('/api/v1/me')</script></html>", "text/html"),
    ("x.js", b"fetch('/api/v1/me').then(r => r.text())", "application/javascript"),
    ("pic.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
     "image/svg+xml"),
    ("fake.pdf", b"<script>alert(1)</script>", "application/pdf"),
]


def _upload(testapp, project, headers, name, body, claimed):
    response = testapp.post(f"/api/v1/projects/{project.id}/documents",
                            upload_files=[("file", name, body, claimed)], headers=headers,
                            status=201)
    return response.json["id"]


def assert_safe_download(response, body):
    assert response.body == body
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == FILE_CSP
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.content_type == "application/octet-stream"


@pytest.mark.parametrize("name,body,claimed", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_upload_is_served_as_a_sandboxed_attachment(
        testapp, dbsession, clock, settings, registry, name, body, claimed):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    headers = bearer(dbsession, clock, settings, owner)
    doc = _upload(testapp, project, headers, name, body, claimed)
    api = testapp.get(f"/api/v1/projects/{project.id}/documents/{doc}", headers=headers)
    assert_safe_download(api, body)
    testapp.login(owner.username)
    page = testapp.get(f"/projects/{project.id}/documents/{doc}")
    assert_safe_download(page, body)


def test_the_stored_type_is_the_sniffed_one_not_the_uploaders(
        testapp, dbsession, clock, settings, registry):
    from trading.projects.models import ProjectDocument

    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    headers = bearer(dbsession, clock, settings, owner)
    html = _upload(testapp, project, headers, "a.pdf", b"<html></html>", "application/pdf")
    pdf = _upload(testapp, project, headers, "a.html", b"%PDF-1.7\n%real", "text/html")
    assert dbsession.get(ProjectDocument, html).content_type == "application/octet-stream"
    assert dbsession.get(ProjectDocument, pdf).content_type == "application/pdf"
    served = testapp.get(f"/api/v1/projects/{project.id}/documents/{pdf}", headers=headers)
    assert served.content_type == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")


def test_inline_only_for_types_that_cannot_run_script(app, tmp_path):
    from pyramid.testing import DummyRequest

    from trading.files import serve_stored

    for body, inline in [(b"%PDF-1.4\n", True), (b"\x89PNG\r\n\x1a\n" + bytes(32), True),
                         (b"<svg><script/></svg>", False), (b"<html>", False)]:
        path = tmp_path / "f"
        path.write_bytes(body)
        response = serve_stored(DummyRequest(), path, "f", inline=True)
        assert response.headers["Content-Disposition"].startswith(
            "inline;" if inline else "attachment;")
        assert "sandbox" in response.headers["Content-Security-Policy"]


def test_every_download_route_uses_the_helper():
    """No view builds a file response of its own (the helper is the one place)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "trading"
    offenders = [str(p) for p in root.rglob("*.py") if p.name != "files.py"
                 and ("FileResponse(" in p.read_text() or "Content-Disposition" in p.read_text())]
    assert offenders == []


def test_disposition_names_are_quoted_and_ascii_safe():
    value = disposition('报价\r\n"; x=1.pdf')
    assert "\r" not in value and "\n" not in value
    assert value.count('"') == 2
    assert sniff(b"") == "application/octet-stream"


def test_a_generated_file_has_the_same_headers():
    from trading.bidding.views import attachment

    response = attachment("{}", "receipt.json", "application/json")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
