"""Issue #16 point 6: each request that answered a 500 now answers a clear 4xx, and error
responses carry the same security headers as pages."""

import pytest
from factories import make_project, make_user
from security.test_hostile_input import bearer

from trading.accounts.models import Role
from trading.security import SECURITY_HEADERS

DEEP = b"[" * 100_000 + b"]" * 100_000


def assert_headers(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name


@pytest.fixture
def owner_headers(dbsession, clock, settings):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    return owner, bearer(dbsession, clock, settings, owner)


def test_deeply_nested_json_is_a_400(testapp, dbsession, clock, settings, registry,
                                     owner_headers):
    owner, headers = owner_headers
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    for body in (DEEP, b'{"a":' * 50 + b"1" + b"}" * 50):
        response = testapp.put(f"/api/v1/projects/{project.id}", body, status=400,
                               headers={**headers, "Content-Type": "application/json"})
        assert response.json["error"] == "invalid" and "嵌套" in response.json["message"]
        assert_headers(response)


def test_a_lone_surrogate_is_a_400(testapp, owner_headers):
    _owner, headers = owner_headers
    response = testapp.post("/api/v1/projects", b'{"name": "\\ud800x"}', status=400,
                            headers={**headers, "Content-Type": "application/json"})
    assert response.json["error"] == "invalid"
    assert_headers(response)


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; x=1"])
def test_multipart_login_without_a_boundary_is_a_400(testapp, content_type):
    response = testapp.request("/login", method="POST", body=b"--x\r\n", status=400,
                               headers={"Content-Type": content_type})
    assert "boundary" in response.text
    assert_headers(response)


def test_an_upload_without_its_closing_boundary_is_refused_and_stores_nothing(
        testapp, dbsession, clock, settings, registry, owner_headers):
    owner, headers = owner_headers
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    before = len(project.documents)
    body = (b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n%PDF-1.4 truncated")
    response = testapp.post(f"/api/v1/projects/{project.id}/documents", body, status=400,
                            headers={**headers,
                                     "Content-Type": "multipart/form-data; boundary=xx"})
    assert response.json["error"] == "invalid"
    dbsession.expire_all()
    assert len(dbsession.get(type(project), project.id).documents) == before
    complete = body + b"\r\n--xx--\r\n"
    testapp.post(f"/api/v1/projects/{project.id}/documents", complete, status=201,
                 headers={**headers, "Content-Type": "multipart/form-data; boundary=xx"})


def test_not_found_forbidden_and_csrf_pages_carry_the_security_headers(testapp):
    assert_headers(testapp.get("/no/such/page", status=404))
    assert_headers(testapp.get("/api/v1/no/such", status=404))
    assert_headers(testapp.get("/api/v1/me", status=401))
    assert_headers(testapp.post("/login", {"username": "x"}, status=400))


def test_an_unhandled_error_is_a_500_with_the_security_headers(app):
    """What no exception view answers (a bug) still leaves with the headers, as a short page
    that says nothing of the error."""
    from pyramid.request import Request

    from trading.security import security_headers_tween_factory

    def broken(request):
        raise RuntimeError("secret detail")

    tween = security_headers_tween_factory(broken, app.registry)
    request = Request.blank("/anything")
    response = tween(request)
    assert response.status_int == 500 and b"secret detail" not in response.body
    assert_headers(response)
