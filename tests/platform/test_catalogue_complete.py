"""The English catalogue (trading/locale/en/LC_MESSAGES/trading.po, kept by hand) is
whole: it compiles cleanly (`msgfmt -c` when gettext is installed, babel's own checks in
any case, no message defined twice — not even as an obsolete `#~` entry, which msgfmt
refuses), and every message the code and templates mark with `_()` or `N_()` has a
non-empty English text. The extraction reads every template, including the folders whose
names start with `_` (templates/_macros), which `pybabel extract` skips."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from trading.i18n import LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "trading.po"
KEYWORDS = {"_": None, "N_": None}
SOURCES = (
    ("python", "trading/**/*.py", {}),
    ("jinja2", "templates/**/*.jinja2", {"extensions": "jinja2.ext.do"}),
)


def _used_messages() -> dict[str, str]:
    """Each message id the code and templates mark, with where it is first used."""
    found = {}
    for method, pattern, options in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            for lineno, message, _comments, _context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=options
            ):
                message = message if isinstance(message, str) else message[0]
                if message:
                    found.setdefault(message, f"{path.relative_to(ROOT)}:{lineno}")
    return found


def _defined_ids(text: str) -> list[str]:
    """Every msgid the file defines, obsolete (#~) ones included, in file order."""
    ids, current = [], None
    for line in text.splitlines():
        line = line.removeprefix("#~ ")
        if line.startswith("msgid "):
            current = [line[len("msgid ") :]]
            ids.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            current = None
    return ["".join(part.strip()[1:-1] for part in parts) for parts in ids]


def test_no_message_is_defined_twice():
    ids = [i for i in _defined_ids(PO.read_text(encoding="utf-8")) if i]
    assert len(ids) > 2000
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_no_text_has_an_old_one_glued_on():
    """A hand edit that replaces a one-line msgstr but leaves the old text's continuation
    lines below it makes one text of both (the home page read two sentences saying the
    same thing): a string that starts on its keyword's line continues on no other."""
    lines = PO.read_text(encoding="utf-8").splitlines()
    glued = [
        f"{n + 1}: {line}"
        for n, (keyword, line) in enumerate(zip(lines, lines[1:], strict=False))
        if re.match(r'(#~ )?msg(id|str) "[^"]', keyword) and line.startswith('"')
    ]
    assert glued == []


def test_the_catalogue_compiles_cleanly():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    problems = [f"{message.id!r}: {errors}" for message, errors in catalog.check()]
    assert problems == []
    assert not [m.id for m in catalog if m.id and m.fuzzy]
    if shutil.which("msgfmt"):
        result = subprocess.run(
            ["msgfmt", "-c", "-o", "/dev/null", str(PO)], capture_output=True, text=True
        )
        assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.mark.slow  # the extraction reads every module and template: ~5 s
def test_every_message_in_use_has_an_english_text():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    used = _used_messages()
    assert len(used) > 2000 and "分页" in used  # templates/_macros/ui.jinja2 is read
    missing = [
        f"{where}: {message}"
        for message, where in used.items()
        if message not in catalog or not catalog[message].string
    ]
    assert missing == []
    # An English text is English: a copied msgid, or Chinese with no Latin word beside it
    # (a domain term such as 国密 or 评定分离 may stand beside the English; 问 → Q).
    untranslated = [m.id for m in catalog if m.id and _chinese_only(m.id, m.string)]
    assert untranslated == []


def _chinese_only(message: str, text) -> bool:
    text = text if isinstance(text, str) else "".join(text)
    chinese = re.compile(r"[\u4e00-\u9fff]")
    return bool(
        text == message
        and chinese.search(message)
        or chinese.search(text)
        and not re.search(r"[A-Za-z]{2}", text)
    )
