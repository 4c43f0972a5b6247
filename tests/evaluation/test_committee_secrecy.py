"""Issue #16 pt 7: the committee's names are secret until the award (招标投标法 Art 37,
87号令 Art 47). Another account of the owner's organisation sees the committee and its
report by pseudonyms only; the center, supervisors and the members see names; after the
award the owner does too."""

import re

import pytest
from evaluation.helpers import plain_marks, score_all, sitting_committee
from factories import make_user
from security.test_hostile_input import bearer

from trading.accounts.models import Role, User
from trading.projects.status import ProjectStatus


def _token(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def reported(testapp, evaluated):
    """A sitting committee whose chair generated the lot's report; the experts' names."""
    committee, seated = sitting_committee(evaluated)
    score_all(evaluated, seated, plain_marks)
    chair = next(m for m in seated if m.is_chair)
    testapp.login(evaluated.dbsession.get(User, chair.user_id).username)
    room = testapp.get(f"/projects/{evaluated.project.id}/evaluation")
    testapp.post(f"/projects/{evaluated.project.id}/lots/{evaluated.lot.id}/chair/generate",
                 {"csrf_token": _token(room)}, status=303)
    testapp.reset()
    names = [m.expert.name for m in seated if m.expert]
    assert names
    return evaluated, seated, names


def _colleague(w, username):
    """A second account of the owner's organisation, on no committee."""
    owner = w.dbsession.get(User, w.project.created_by_id)
    return make_user(w.dbsession, w.clock, w.settings, role=Role.OWNER, username=username,
                     organisation=owner.organisation)


def _pages(testapp, w):
    base = f"/projects/{w.project.id}"
    return (testapp.get(f"{base}/committee").text,
            testapp.get(f"{base}/lots/{w.lot.id}/report").text)


def test_the_owners_other_staff_see_pseudonyms_not_names(testapp, reported):
    w, seated, names = reported
    colleague = _colleague(w, "owner_colleague")
    testapp.login(colleague.username)
    committee, report = _pages(testapp, w)
    assert "定标前保密" in committee
    for page in (committee, report):
        assert not [n for n in names if n in page], "a member's name leaked"
        assert seated[0].pseudonym in page
    headers = bearer(w.dbsession, w.clock, w.settings, colleague)
    api = testapp.get(f"/api/v1/projects/{w.project.id}/committee", headers=headers).json
    assert api["names_withheld"] is True
    assert {m["name"] for m in api["members"]} == {None}
    report = testapp.get(f"/api/v1/projects/{w.project.id}/lots/{w.lot.id}/report",
                         headers=headers).json
    assert report["names_withheld"] is True
    assert not [n for n in names if n in str(report)]


@pytest.mark.parametrize("role", [Role.CENTER, Role.SUPERVISOR])
def test_the_center_and_supervisors_see_the_names(testapp, reported, role):
    w, _seated, names = reported
    staff = make_user(w.dbsession, w.clock, w.settings, role=role)
    testapp.login(staff.username)
    for page in _pages(testapp, w):
        assert all(n in page for n in names)
    api = testapp.get(f"/api/v1/projects/{w.project.id}/committee",
                      headers=bearer(w.dbsession, w.clock, w.settings, staff)).json
    assert api["names_withheld"] is False
    assert set(names) <= {m["name"] for m in api["members"]}


def test_a_member_sees_the_names_of_the_committee_it_sits_on(testapp, reported):
    w, seated, names = reported
    testapp.login(w.dbsession.get(User, seated[-1].user_id).username)
    report = testapp.get(f"/projects/{w.project.id}/lots/{w.lot.id}/report").text
    assert all(n in report for n in names)


def test_after_the_award_the_owner_sees_the_names(testapp, reported):
    w, _seated, names = reported
    colleague = _colleague(w, "owner_after_award")
    w.project.status = ProjectStatus.AWARDED  # the award itself is tested in tests/award
    w.dbsession.flush()
    testapp.login(colleague.username)
    for page in _pages(testapp, w):
        assert all(n in page for n in names)
