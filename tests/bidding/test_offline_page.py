"""The offline sealing page as the platform hands it out, and its bundle kept in step."""

import base64
import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "trading" / "static"


def sources_digest() -> str:
    """What tools/js/build.mjs hashes into the bundle's banner, computed the same way."""
    mine = [p for p in (STATIC / "js").glob("*.js") if not p.name.endswith(".bundle.js")]
    vendored = [STATIC / "vendor" / name for name in ("hpke.js", "scrypt.js", "zxcvbn.js")]
    gm = [STATIC / "gm" / "gm-suite.js", STATIC / "vendor" / "sm-crypto.js"]
    digest = hashlib.sha256()
    for path in sorted(mine + vendored + gm, key=str):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_the_committed_bundle_is_built_from_the_committed_sources():
    banner = (STATIC / "js" / "offline.bundle.js").read_text().split("\n", 1)[0]
    assert banner.endswith(f"sources sha256:{sources_digest()}"), (
        "trading/static/js changed since offline.bundle.js was built: run make js")


def test_the_offline_page_is_one_self_contained_download(testapp, world):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    response = testapp.get(f"/projects/{world.project.id}/offline-seal.html")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]  # never runs here
    html = response.text
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1 and "<script src" not in html
    # Its own policy: no network at all, and only its one inline script may run.
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy and "connect-src 'none'" in policy
    assert "default-src 'none'" in policy
    assert not re.search(r'(src|href)="(https?:)?//', html)
    # The ids are filled in for this project and bidder.
    assert f'value="{world.project.number}"' in html
    assert f'value="B{bidder.organisation_id}"' in html and 'value="L1"' in html
    assert "python -m bid_crypto seal" in html


def test_a_blank_offline_page_is_public(testapp):
    response = testapp.get("/bidding/offline-seal.html")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "离线加密投标文件" in response.text
