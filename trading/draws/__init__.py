"""Verifiable random draws: commit–reveal, an HMAC-SHA-256 DRBG and a public record.

`engine`, `record`, `errors` and `__main__` use the standard library only, so that
`python -m trading.draws verify RECORD.json` runs on a bare checkout; database code
lives in separate modules. The algorithm is specified in ALGORITHM.md next to this file.
"""
