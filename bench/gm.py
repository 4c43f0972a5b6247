"""Benchmark: the 国密 suite (SM2 + HKDF-SM3 + SM4-GCM) against X25519 and raw SM4 / SM3.

    python bench/gm.py [--quick] [--count N] [--size MIB]

Seals and opens N envelopes of M MiB (default 1 000 × 1 MiB; --quick 50 × 1 MiB) with
bid_crypto's streaming envelope, once per suite, in the same run: `sm2`, `sm2mlkem` and
the `x25519` HPKE suite (AES-256-GCM). Each envelope is sealed into memory and opened at
once, so memory stays one envelope; seal and open are timed apart. The floors, also in
this run, are the raw primitives over the same number of bytes in the same 1 MiB calls:
SM4-GCM (cryptography / OpenSSL) and SM3.

seal_s / open_s   wall time for the N envelopes of a suite
MiB/s             payload throughput
vs_x25519         the suite's time / the x25519 suite's time (same operation)
vs_sm4            the suite's time / raw SM4-GCM over the payload (the cipher's floor)
sm3_MiB/s         raw SM3 throughput (what hashing a 国密 envelope would cost)
per-envelope      the fixed cost: SM2 encryption/decryption (GmSSL) and the key schedule

The last line is the one-line summary.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024
SUITES = ("x25519", "sm2", "sm2mlkem")


class _Sink:
    """A write-only file that keeps nothing (opened plaintext is discarded)."""

    def write(self, data) -> int:
        return len(data)


def _suite_times(suite: str, count: int, payload: bytes) -> tuple[float, float]:
    from bid_crypto import generate_private_key, open_stream, seal_stream

    key = generate_private_key(suite)
    public = key.public_key()
    seal_s = open_s = 0.0
    for index in range(count):
        sealed = io.BytesIO()
        started = time.perf_counter()
        seal_stream(io.BytesIO(payload), sealed, public, project="P-BENCH", lot="L1",
                    bidder=f"B{index}")
        seal_s += time.perf_counter() - started
        sealed.seek(0)
        started = time.perf_counter()
        open_stream(sealed, _Sink(), key, project="P-BENCH")
        open_s += time.perf_counter() - started
    return seal_s, open_s


def _floors(count: int, payload: bytes) -> tuple[float, float]:
    """Raw SM4-GCM (seal, 1 MiB calls, fresh nonce each) and raw SM3 over the payload."""
    from bid_crypto import gm

    key, chunks = os.urandom(16), [payload[i:i + MIB] for i in range(0, len(payload), MIB)]
    started = time.perf_counter()
    for index in range(count):
        for number, chunk in enumerate(chunks):
            gm.sm4_gcm_seal(key, (index * 4096 + number).to_bytes(12, "big"), b"", chunk)
    sm4_s = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(count):
        hasher = gm.sm3_hasher()
        for chunk in chunks:
            hasher.update(chunk)
        hasher.finalize()
    return sm4_s, time.perf_counter() - started


def _per_envelope_ms(rounds: int = 200) -> tuple[float, float]:
    """SM2 encryption and decryption of the 32-byte envelope secret, in ms."""
    from bid_crypto import gm

    private, public = gm.generate_key_pair()
    secret = os.urandom(32)
    started = time.perf_counter()
    ciphertexts = [gm.encrypt(public, secret) for _ in range(rounds)]
    encrypt_ms = (time.perf_counter() - started) * 1000 / rounds
    started = time.perf_counter()
    for ciphertext in ciphertexts:
        gm.decrypt(private, ciphertext)
    return encrypt_ms, (time.perf_counter() - started) * 1000 / rounds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 × 1 MiB (CI)")
    parser.add_argument("--count", type=int, help="number of envelopes (default 1000)")
    parser.add_argument("--size", type=int, default=1, help="MiB per envelope (default 1)")
    args = parser.parse_args(argv)
    count = args.count or (50 if args.quick else 1000)
    payload = os.urandom(args.size * MIB)
    total_mib = count * args.size
    load = os.getloadavg()[0]
    print(f"# bench/gm.py: {count} × {args.size} MiB per suite, load average {load:.1f}, "
          f"{os.cpu_count()} CPUs")
    sm4_s, sm3_s = _floors(count, payload)
    times = {suite: _suite_times(suite, count, payload) for suite in SUITES}
    encrypt_ms, decrypt_ms = _per_envelope_ms()
    base_seal, base_open = times["x25519"]
    print(f"{'suite':<10}{'seal_s':>9}{'MiB/s':>8}{'open_s':>9}{'MiB/s':>8}"
          f"{'seal/x25519':>13}{'open/x25519':>13}{'seal/sm4':>10}{'open/sm4':>10}")
    for suite, (seal_s, open_s) in times.items():
        print(f"{suite:<10}{seal_s:>9.2f}{total_mib / seal_s:>8.0f}{open_s:>9.2f}"
              f"{total_mib / open_s:>8.0f}{seal_s / base_seal:>13.2f}{open_s / base_open:>13.2f}"
              f"{seal_s / sm4_s:>10.2f}{open_s / sm4_s:>10.2f}")
    print(f"floors: SM4-GCM {sm4_s:.2f} s ({total_mib / sm4_s:.0f} MiB/s), "
          f"SM3 {sm3_s:.2f} s ({total_mib / sm3_s:.0f} MiB/s); per envelope: "
          f"SM2 encrypt {encrypt_ms:.2f} ms, decrypt {decrypt_ms:.2f} ms")
    seal_s, open_s = times["sm2"]
    print(f"gm: {count}x{args.size}MiB sm2 seal {seal_s:.2f}s open {open_s:.2f}s = "
          f"{seal_s / base_seal:.2f}x/{open_s / base_open:.2f}x x25519, "
          f"{seal_s / sm4_s:.2f}x/{open_s / sm4_s:.2f}x raw SM4-GCM "
          f"({total_mib / sm4_s:.0f} MiB/s), SM3 {total_mib / sm3_s:.0f} MiB/s, "
          f"load {load:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
