"""Pure checks for account data: the unified social credit code (统一社会信用代码).

GB 32100-2015: 18 characters from a 31-symbol alphabet (digits and upper-case letters
without I, O, Z, S, V); the last one is a check character computed from the first 17 with
fixed weights modulo 31.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Return why `code` is not a valid credit code, or None when it is valid."""
    if len(code) != 18:
        return "统一社会信用代码应为18位"
    if any(ch not in ALPHABET for ch in code):
        return "统一社会信用代码含有无效字符"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位错误"
    return None


def make_credit_code(body17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests)."""
    return body17 + credit_code_check_char(body17)
