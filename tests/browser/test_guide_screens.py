"""The user guide's pages (docs/guide/, issue #18 points 8 and 10), walked as each demo
role through its links: each renders (200, a heading, no error page), fits a 390 px phone
without scrolling sideways, and with TRADING_SCREENSHOTS=1 (`make screenshots`) is saved
at 390 and 1 366 px wide into docs/images/ (the viewport, not the whole page, so the PNGs
stay small; the guide links them by name)."""

import io
import os
import subprocess
from pathlib import Path

import pytest
from browser.guide_pages import ENGLISH_SHOWN, ROLES, walk
from browser.test_responsive import OVERFLOW

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
SAVE = os.environ.get("TRADING_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def guide_server(serve, tmp_path_factory):
    """A server of its own over a fresh demo: other walks move their server's clock and
    data, and the guide's pictures should show the demo as `make run` starts it."""
    if (
        SAVE
        and not subprocess.run(
            ["fc-list", ":lang=zh"], capture_output=True, text=True
        ).stdout.strip()
    ):
        pytest.fail(
            "no Chinese font: the screenshots would show boxes (apt-get install fonts-noto-cjk)"
        )
    with serve(tmp_path_factory.mktemp("guide")) as base:
        yield base


def _save(page, path: Path) -> None:
    """The viewport as a 64-colour PNG (UI screenshots have few colours; ~3× smaller)."""
    from PIL import Image

    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    shot.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def _scroll_to(page, focus) -> None:
    if focus:
        page.locator("main h2", has_text=focus).first.evaluate(
            "h => h.scrollIntoView({block: 'start'})", timeout=5000
        )


def _check_and_save(page, name, focus, problems, save=SAVE):
    assert page.locator("main h1").count(), f"{name}: no heading on {page.url}"
    assert "页面不存在" not in page.title() and "无权" not in page.title(), page.url
    if save:
        page.set_viewport_size(DESKTOP)
        _scroll_to(page, focus)
        _save(page, IMAGES / f"{name}-1366.png")
    page.set_viewport_size(PHONE)
    found = page.evaluate(OVERFLOW)
    if found["scroll"] > found["width"] + 1:
        problems.append(f"{name} ({page.url}): {found['scroll']} px wide at 390; {found['wide']}")
    if save:
        _scroll_to(page, focus)
        _save(page, IMAGES / f"{name}-390.png")


@pytest.mark.parametrize("role", list(ROLES), ids=lambda r: r or "public")
def test_guide_pages_render_and_fit_a_phone(browser, guide_server, role):
    IMAGES.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    problems, seen = [], []

    def visit(name, focus):
        seen.append(name)
        _check_and_save(page, name, focus, problems)

    try:
        walk(page, guide_server, role, visit)
    finally:
        context.close()
    assert seen, role
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", list(ROLES), ids=lambda r: r or "public")
def test_the_guide_pages_in_english(browser, guide_server, role):
    """The same walk in the English interface: every page renders in English (<html
    lang=en>, no 页面不存在) and fits a phone (English labels are longer); the main ones
    are saved as en-NAME-390/1366.png for the English operator's guide."""
    context = browser.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    problems, seen = [], []

    def visit(name, focus):
        seen.append(name)
        assert page.locator("html[lang=en]").count(), f"{name}: not in English at {page.url}"
        _check_and_save(page, f"en-{name}", focus, problems, save=SAVE and name in ENGLISH_SHOWN)

    try:
        walk(page, guide_server, role, visit, english=True)
    finally:
        context.close()
    assert seen, role
    assert not problems, "\n".join(problems)
