"""The English catalog is compiled at start-up by whichever process starts first; test
workers, the web app and the Huey worker may all do it at the same moment."""

import shutil
import threading
from gettext import GNUTranslations

from trading.i18n import LOCALE_DIR, compile_catalogs

PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "trading.po"


def test_writers_compiling_at_once_all_succeed_and_leave_one_whole_catalog(tmp_path):
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO, target / "trading.po")
    start, errors = threading.Barrier(8), []

    def compile_once():
        start.wait()
        try:
            compile_catalogs(tmp_path)
        except Exception as error:  # noqa: BLE001 - the test reports any writer's failure
            errors.append(error)

    threads = [threading.Thread(target=compile_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(p.name for p in target.iterdir()) == ["trading.mo", "trading.po"]
    with (target / "trading.mo").open("rb") as fh:
        assert GNUTranslations(fh).gettext("登录") != "登录"
