"""One time zone in the opening hall (issue #18 point 5): every instant in Beijing time,
a delay in days and hours ("4 天", not "5760 分钟"), the countdown with its days."""

import re
from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from factories import make_user

from trading.accounts.models import Role
from trading.i18n import DISPLAY_TZ, LOCALE_COOKIE, human_duration
from trading.jobs import chronograph


@pytest.mark.parametrize(("value", "words"), [
    (5760, "4 天"), (0, "0 分钟"), (45, "45 分钟"), (60, "1 小时"), (61, "1 小时 1 分钟"),
    (1440 + 120, "1 天 2 小时"), (1440 + 5, "1 天"), (timedelta(days=2, hours=3, minutes=4),
                                                      "2 天 3 小时"),
    (timedelta(seconds=119), "1 分钟"), (None, ""),
])
def test_a_duration_reads_in_its_two_largest_units(value, words):
    assert human_duration(value) == words


def _text(page) -> str:
    soup = BeautifulSoup(page.text, "html.parser")
    for hidden in soup(["script", "style", "code", "small"]):
        hidden.decompose()
    return soup.get_text(" ", strip=True)


def test_a_late_opening_shows_beijing_time_and_days(testapp, world):
    for bidder in world.bidders:
        world.submit(bidder, world.seal(bidder))
    world.clock.set(world.project.bid_deadline + timedelta(days=4, seconds=30))
    assert chronograph.sweep_kind("project") == 1
    center = make_user(world.dbsession, world.clock, world.settings, role=Role.CENTER)
    testapp.login(center.username)
    text = _text(testapp.get(f"/projects/{world.project.id}/opening"))
    assert "UTC" not in text and "5760" not in text
    assert "较开标时间延迟 4 天 开始" in text
    hall = world.opening().hall(world.project)
    for instant in (hall["started_at"], hall["completed_at"],
                    *(line["submitted_at"] for line in hall["lines"])):
        beijing = datetime.fromisoformat(instant).astimezone(DISPLAY_TZ)
        assert beijing.strftime("%Y-%m-%d %H:%M:%S") in text  # not the UTC wall time

    testapp.set_cookie(LOCALE_COOKIE, "en")
    english = _text(testapp.get(f"/projects/{world.project.id}/opening"))
    assert "Opened 4 d after the opening time" in english and "天" not in english


def test_the_countdown_keeps_its_days_and_its_unit_for_the_script(testapp, world):
    world.clock.set(world.project.bid_deadline - timedelta(days=3, hours=2, minutes=5))
    page = testapp.get(f"/projects/{world.project.id}/opening")
    countdown = BeautifulSoup(page.text, "html.parser").find(id="countdown")
    assert re.fullmatch(r"3 天 02:05:00", countdown.get_text(strip=True))
    assert countdown["data-day-unit"] == "%(d)s 天"  # opening.js writes days with it

    world.clock.set(world.project.bid_deadline - timedelta(hours=5))
    page = testapp.get(f"/projects/{world.project.id}/opening")
    countdown = BeautifulSoup(page.text, "html.parser").find(id="countdown")
    assert countdown.get_text(strip=True) == "05:00:00"
