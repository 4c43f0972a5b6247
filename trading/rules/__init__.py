"""The rules kernel: rule basics shared by more than one domain, pure and alone.

Nothing here imports the database, the request, the clock, randomness or another
`trading` package (tests/rules/test_kernel_purity.py fails otherwise): a domain's own
`rules.py` builds on this kernel, never the reverse. Section numbers (§) refer to the
rulebook, `shared/domain/rules.md`.

- `errors` — `RuleError` (a `ValueError`) and the invalid-input errors every score and
  award rule raises (`InvalidValue`, `InvalidParameter`, `EmptyInput`, …).
- `values` — the value conventions (§0.3): money int 分 (`as_money`), Decimal scores
  rounded once by `quantize` (2 dp, ROUND_HALF_UP), `round_to_fen`, counts and ids.
- `lottery` — `TieNeedsLottery`, what a score or award rule returns when chance must
  decide (the draw engine's answer is checked by `trading.draws.lottery.resolve_tie`).
- `best_price` — 最优价: the trimmed reference price (去掉一个最高、一个最低) and who may
  win it (§1.4, §5.4), used by the 中介超市 selection and the award's final-offer round.
"""
