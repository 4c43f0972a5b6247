"""The user guide (docs/) and the README link only to files that exist, and the guide shows
every page the browser walk photographs (tests/browser/guide_pages.py), at both widths."""

import re
from pathlib import Path

from browser.guide_pages import PASSING, ROLES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)\s]+)\)|src=\"([^\"]+)\"")


def _pages():
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def test_every_relative_link_and_image_exists():
    broken = []
    for page in _pages():
        for match in LINK.finditer(page.read_text(encoding="utf-8")):
            target = (match.group(1) or match.group(2)).split("#")[0]
            if not target or re.match(r"[a-z]+:", target):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, "\n".join(broken)


def test_the_guide_shows_every_photographed_page_at_both_widths():
    text = "\n".join(page.read_text(encoding="utf-8") for page in DOCS.rglob("*.md"))
    names = [step.name for steps in ROLES.values() for step in steps
             if not PASSING.search(step.name)]
    missing = [name for name in names
               if not all((DOCS / "images" / f"{name}-{w}.png").exists() for w in (390, 1366))]
    unshown = [name for name in names if f"images/{name}-1366.png" not in text]
    assert not missing, f"no screenshot (run make screenshots): {missing}"
    assert not unshown, f"photographed but not in the guide: {unshown}"
