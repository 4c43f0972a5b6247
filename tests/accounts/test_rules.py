import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.accounts.rules import ALPHABET, credit_code_problem, make_credit_code

# Published codes of real organisations (check digits computed by GB 32100-2015).
VALID = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]


@pytest.mark.parametrize("code", VALID)
def test_known_valid_codes(code):
    assert credit_code_problem(code) is None


@pytest.mark.parametrize("code,problem", [
    ("91350100M000100Y4", "18位"),
    ("91350100M000100Y4X3", "18位"),
    ("91350100M000100Y4I", "无效字符"),
    ("91350100m000100y43", "无效字符"),
    ("91350100M000100Y44", "校验位"),
])
def test_invalid_codes_say_why(code, problem):
    assert problem in credit_code_problem(code)


body = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@given(body)
def test_any_body_with_its_check_char_is_valid(b):
    assert credit_code_problem(make_credit_code(b)) is None


@given(body, st.sampled_from(ALPHABET))
def test_a_wrong_check_char_is_always_caught(b, ch):
    code = make_credit_code(b)
    if ch != code[-1]:
        assert credit_code_problem(code[:-1] + ch) is not None


@given(body, st.integers(0, 16), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_caught(b, pos, ch):
    code = make_credit_code(b)
    if code[pos] != ch:
        altered = code[:pos] + ch + code[pos + 1:]
        assert credit_code_problem(altered) is not None
