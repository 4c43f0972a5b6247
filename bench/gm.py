"""Benchmark: the 国密 suite (SM2 + HKDF-SM3 + SM4-GCM) against X25519 and raw SM4 / SM3.

    python bench/gm.py [--quick] [--count N] [--size MIB]

Seals and opens N envelopes of M MiB (default 1 000 × 1 MiB; --quick 50 × 1 MiB) with
bid_crypto's streaming envelope, once per suite, in the same run: `sm2`, `sm2mlkem` and
the `x25519` HPKE suite (AES-256-GCM). Each envelope is sealed into memory and opened at
once, so memory stays one envelope; seal and open are timed apart. The floors, also in
this run, are the raw primitives over the same number of bytes in the same 1 MiB calls:
SM4-GCM (cryptography / OpenSSL) and SM3.

Every measurement runs in turns, envelope by envelope (the floors, then each suite's seal
and open), so the changing load of a shared machine falls on all of them alike; ratios
are of CPU time (the steadier figure there), wall-time ratios beside them.

/x25519     the suite's time / the x25519 suite's time for the same operation
/sm4        the suite's time / raw SM4-GCM over the same bytes (the cipher's floor)
/sm3        the suite's time / raw SM3 over the same bytes (the hash's floor: an envelope
            is about one pass of the cipher; hashing it whole would cost this much more)
per envelope  SM2 encryption / decryption of the envelope secret (GmSSL)

The last line (`bench gm: ...`) is the one-line summary.
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


class _Timer:
    """Wall and CPU seconds, summed over many timed blocks."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def _run(count: int, payload: bytes) -> dict[str, _Timer]:
    """Every measurement in turns, envelope by envelope, so a shared machine's changing
    load falls on all of them alike: the floors, then each suite's seal and open."""
    from bid_crypto import generate_private_key, gm, open_stream, seal_stream

    keys = {suite: generate_private_key(suite) for suite in SUITES}
    timers = {name: _Timer() for name in ("sm4", "sm3", *(f"{s} {op}" for s in SUITES
                                                          for op in ("seal", "open")))}
    chunks = [payload[i:i + MIB] for i in range(0, len(payload), MIB)]
    sm4_key = os.urandom(16)
    for index in range(count):
        with timers["sm4"]:
            for number, chunk in enumerate(chunks):
                gm.sm4_gcm_seal(sm4_key, (index * 4096 + number).to_bytes(12, "big"), b"", chunk)
        with timers["sm3"]:
            hasher = gm.sm3_hasher()
            for chunk in chunks:
                hasher.update(chunk)
            hasher.finalize()
        for suite, key in keys.items():
            sealed = io.BytesIO()
            with timers[f"{suite} seal"]:
                seal_stream(io.BytesIO(payload), sealed, key.public_key(), project="P-BENCH",
                            lot="L1", bidder=f"B{index}")
            sealed.seek(0)
            with timers[f"{suite} open"]:
                open_stream(sealed, _Sink(), key, project="P-BENCH")
    return timers


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
    timers = _run(count, payload)
    encrypt_ms, decrypt_ms = _per_envelope_ms()
    print(f"{'':<10}{'wall_s':>9}{'MiB/s':>7}{'cpu_s':>8}{'/x25519':>9}{'/sm4':>13}"
          f"{'/sm3':>13}   (ratios of CPU time; wall in parentheses)")
    sm4, sm3 = timers["sm4"], timers["sm3"]
    rows = {}
    for name, timer in timers.items():
        if name in ("sm4", "sm3"):
            continue
        suite, op = name.split()
        base = timers[f"x25519 {op}"]
        rows[name] = (timer.cpu / base.cpu, timer.cpu / sm4.cpu, timer.wall / base.wall,
                      timer.wall / sm4.wall, timer.cpu / sm3.cpu, timer.wall / sm3.wall)
        vs_x, vs_sm4, wall_x, wall_sm4, vs_sm3, wall_sm3 = rows[name]
        print(f"{name:<14}{timer.wall:>5.1f}{total_mib / timer.wall:>7.0f}{timer.cpu:>8.1f}"
              f"{vs_x:>6.2f} ({wall_x:.2f}){vs_sm4:>6.2f} ({wall_sm4:.2f})"
              f"{vs_sm3:>6.2f} ({wall_sm3:.2f})")
    print(f"floors: SM4-GCM {sm4.cpu:.1f} s CPU ({total_mib / sm4.cpu:.0f} MiB/s), "
          f"SM3 {sm3.cpu:.1f} s CPU ({total_mib / sm3.cpu:.0f} MiB/s); per envelope: "
          f"SM2 encrypt {encrypt_ms:.2f} ms, decrypt {decrypt_ms:.2f} ms")
    seal, opened = rows["sm2 seal"], rows["sm2 open"]
    hybrid_seal, hybrid_open = rows["sm2mlkem seal"], rows["sm2mlkem open"]
    print(f"bench gm: envelopes={count}x{args.size}MiB sm2_seal_vs_x25519={seal[0]:.2f} "
          f"sm2_open_vs_x25519={opened[0]:.2f} sm2_seal_vs_sm4={seal[1]:.2f} "
          f"sm2_open_vs_sm4={opened[1]:.2f} sm2_seal_vs_sm3={seal[4]:.2f} "
          f"sm2_open_vs_sm3={opened[4]:.2f} sm2mlkem_seal_vs_x25519={hybrid_seal[0]:.2f} "
          f"sm2mlkem_open_vs_x25519={hybrid_open[0]:.2f} sm4_mib_s={total_mib / sm4.cpu:.0f} "
          f"sm3_mib_s={total_mib / sm3.cpu:.0f} load={load:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
