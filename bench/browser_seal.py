"""Benchmark: sealing a bid in Chromium (the bid page's tbid.js) against the CLI, same bytes.

    python bench/browser_seal.py [--quick] [--suite x25519|xwing|sm2|sm2mlkem]

For each document size (100 MiB and 500 MiB; --quick: 8 MiB) one file of random bytes is
sealed with an offer.json, for the same opening key (x25519 unless --suite says), twice:

cli       `python -m bid_crypto seal` in a child process, as a bidder runs it: wall time
          (interpreter start included) and the child's peak RSS (wait4's ru_maxrss).
library   bid_crypto.seal_bid in this process into a sink that drops the bytes: the
          sealing floor, without the interpreter's start.
browser   Debian's Chromium driven by Playwright, the file chosen in an <input type=file>
          (a File backed by disk, as when a bidder picks it), sealed by
          trading/static/js/tbid.js's sealBid exactly as the bid page does, into a sink that
          counts the sealed bytes (the page hands them to the chunked upload; here they are
          dropped so that the figure is the browser's sealing alone). Peak memory is the sum
          of the PSS (proportional set size, so shared pages are counted once) of every
          Chromium process, sampled every 50 ms; `idle` is the same sum before sealing.

Ratios: browser MiB/s ÷ CLI MiB/s (and ÷ library MiB/s), and Chromium's peak PSS growth
over idle ÷ the CLI's peak RSS. The target: throughput of the same order as the CLI,
memory that does not grow with the document (a 500 MiB document never sits whole in
memory).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024
FULL = [100, 500]
QUICK = [8]
CHROMIUM = "/usr/bin/chromium"
SANDBOX = "http://localhost:9"
IDS = {"project": "YG-2026-000001", "lot": "L1", "bidder": "B1"}
OFFER = {"total_price": 123_456_789, "currency": "CNY", "duration_days": 180}


def make_document(folder: Path, size_mib: int) -> Path:
    path = folder / f"document-{size_mib}.bin"
    block = os.urandom(MIB)
    with path.open("wb") as handle:
        for i in range(size_mib):
            handle.write(block[i % 7:] + block[:i % 7])  # no two MiB alike, cheap to make
    return path


def cli_seal(folder: Path, document: Path) -> dict:
    out = folder / "cli.tbid"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bid_crypto", "seal", "--to", str(folder / "opening.pub"),
               "--project", IDS["project"], "--lot", IDS["lot"], "--bidder", IDS["bidder"],
               "--offer", str(folder / "offer.json"), "--doc", str(document), "--out", str(out),
               "--no-created-at"]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"CLI seal failed: {child.stderr.read().decode()[-2000:]}")
    size = out.stat().st_size
    out.unlink()
    return {"seconds": seconds, "peak_mib": usage.ru_maxrss / 1024, "sealed_bytes": size}


class _Discard:
    def __init__(self):
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def library_seal(folder: Path, document: Path) -> dict:
    """bid_crypto.seal_bid in this process, into a sink that drops the bytes: the floor."""
    from bid_crypto import Document, PublicKey, seal_bid

    key = PublicKey.from_json((folder / "opening.pub").read_text())
    sink = _Discard()
    start = time.perf_counter()
    seal_bid(sink, key, offer=OFFER, documents=[Document.from_path(document)], **IDS)
    return {"seconds": time.perf_counter() - start, "sealed_bytes": sink.size}


# -- Chromium's memory: every process below this one that is Chromium --------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry))
    return tree


def _chromium_pids() -> list[int]:
    tree, found, stack = _children(), [], [os.getpid()]
    while stack:
        pid = stack.pop()
        for child in tree.get(pid, []):
            stack.append(child)
            try:
                if "chromium" in os.readlink(f"/proc/{child}/exe"):
                    found.append(child)
            except OSError:
                continue
    return found


def chromium_pss_mib() -> float:
    total = 0
    for pid in _chromium_pids():
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.running = 0.0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, chromium_pss_mib())
            time.sleep(0.05)

    def stop(self) -> float:
        self.running = False
        self.join()
        return self.peak


def _serve(route):
    from urllib.parse import urlparse

    path = urlparse(route.request.url).path
    if path == "/":
        return route.fulfill(body="<!doctype html><meta charset=utf-8><input type=file id=doc>",
                             content_type="text/html")
    file = (ROOT / "trading" / "static" / path.removeprefix("/static/")).resolve()
    if path.startswith("/static/") and file.is_file():
        return route.fulfill(path=str(file), content_type="text/javascript")
    return route.fulfill(status=404, body="")


SEAL = """async ([publicKey, offer, ids]) => {
  const tbid = await import('/static/js/tbid.js');
  const recipient = await tbid.PublicKey.fromJson(publicKey);
  const file = document.getElementById('doc').files[0];
  let sealed = 0;
  const start = performance.now();
  await tbid.sealBid(recipient, { offer, documents: [{ name: file.name, blob: file }], ...ids,
    sink: async (bytes) => { sealed += bytes.length; } });
  return { seconds: (performance.now() - start) / 1000, sealed_bytes: sealed };
}"""


def browser_seal(pw, folder: Path, document: Path) -> dict:
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"])
    try:
        context = browser.new_context()
        context.route(f"{SANDBOX}/**", _serve)
        page = context.new_page()
        page.goto(f"{SANDBOX}/")
        page.set_input_files("#doc", str(document))
        page.evaluate("() => import('/static/js/tbid.js')")  # loaded before measuring
        time.sleep(0.5)
        idle = chromium_pss_mib()
        sampler = Sampler()
        sampler.start()
        result = page.evaluate(SEAL, [(folder / "opening.pub").read_text(), OFFER, IDS])
        peak = sampler.stop()
    finally:
        browser.close()
    return {**result, "idle_mib": idle, "peak_mib": peak}


def scenario(pw, folder: Path, size_mib: int) -> dict:
    document = make_document(folder, size_mib)
    try:
        cli = cli_seal(folder, document)
        library = library_seal(folder, document)
        browser = browser_seal(pw, folder, document)
    finally:
        document.unlink()
    # Same envelope but for the offer.json text (the CLI keeps the file's bytes verbatim).
    assert abs(browser["sealed_bytes"] - cli["sealed_bytes"]) < 4096, (browser, cli)
    size = size_mib  # MiB of document
    result = {
        "size_mib": size_mib,
        "cli_mib_s": size / cli["seconds"], "cli_peak_mib": cli["peak_mib"],
        "lib_mib_s": size / library["seconds"],
        "browser_mib_s": size / browser["seconds"], "browser_idle_mib": browser["idle_mib"],
        "browser_peak_mib": browser["peak_mib"],
        "growth_mib": browser["peak_mib"] - browser["idle_mib"],
    }
    result["speed_ratio"] = result["browser_mib_s"] / result["cli_mib_s"]
    result["lib_ratio"] = result["browser_mib_s"] / result["lib_mib_s"]
    result["memory_ratio"] = result["growth_mib"] / result["cli_peak_mib"]
    print(f"  {size_mib:4d} MiB: CLI {result['cli_mib_s']:.0f} MiB/s (library alone "
          f"{result['lib_mib_s']:.0f} MiB/s), peak RSS "
          f"{result['cli_peak_mib']:.0f} MiB | Chromium {result['browser_mib_s']:.0f} MiB/s "
          f"({result['speed_ratio']:.2f}x CLI, {result['lib_ratio']:.2f}x library), "
          f"PSS idle {result['browser_idle_mib']:.0f} → "
          f"peak {result['browser_peak_mib']:.0f} MiB (growth {result['growth_mib']:.0f} MiB, "
          f"{result['memory_ratio']:.2f}x the CLI's peak)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small document (CI)")
    parser.add_argument("--suite", default="x25519", choices=("x25519", "xwing", "sm2", "sm2mlkem"),
                        help="the opening key's suite (sm2, sm2mlkem: 国密, SM4-GCM in pure JS)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("bench browser_seal: Debian's chromium is needed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from bid_crypto import generate_private_key

    print(f"browser sealing benchmark ({args.suite}, 1 MiB chunks; Chromium vs the CLI)",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-browser-seal-") as tmp:
        folder = Path(tmp)
        (folder / "opening.pub").write_text(generate_private_key(args.suite).public_key().to_json())
        (folder / "offer.json").write_text(json.dumps(OFFER))
        with sync_playwright() as pw:
            results = [scenario(pw, folder, size) for size in (QUICK if args.quick else FULL)]
    parts = []
    for r in results:
        parts.append(f"suite={args.suite} size_mib={r['size_mib']} "
                     f"browser_mib_s={r['browser_mib_s']:.1f} "
                     f"cli_mib_s={r['cli_mib_s']:.1f} lib_mib_s={r['lib_mib_s']:.1f} "
                     f"speed_ratio={r['speed_ratio']:.2f} lib_ratio={r['lib_ratio']:.2f} "
                     f"browser_peak_mib={r['browser_peak_mib']:.0f} "
                     f"browser_growth_mib={r['growth_mib']:.0f} "
                     f"cli_peak_mib={r['cli_peak_mib']:.0f} memory_ratio={r['memory_ratio']:.2f}")
    print("bench browser_seal: " + " | ".join(parts))


if __name__ == "__main__":
    main()
