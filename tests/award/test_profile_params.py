"""Reading the final-offer part of a stored RuleProfile."""

from decimal import Decimal

import pytest

from trading.award.rules import (
    PROCUREMENT_FINAL_OFFER,
    InvalidParameter,
    Reference,
    RuleError,
    WinnerRule,
    final_offer_params_from,
)
from trading.projects.kinds import ProcurementMethod, Regime
from trading.projects.rules import default_params


def test_profile_keys_override_the_base():
    params = final_offer_params_from({
        "final_offer.window_min": 12, "final_offer.reference": "trimmed_mean",
        "final_offer.coefficient_set": ["0.95", "0.96"], "final_offer.floor_permille": 800,
        "notice.min_days": 10})
    assert params.window_min == 12 and params.reference is Reference.TRIMMED_MEAN
    assert params.coefficient_set == (Decimal("0.95"), Decimal("0.96"))
    assert params.min_offers == PROCUREMENT_FINAL_OFFER.min_offers


def test_a_bad_value_names_its_key():
    with pytest.raises(InvalidParameter, match="final_offer.winner_rule"):
        final_offer_params_from({"final_offer.winner_rule": "nearest"})
    with pytest.raises(RuleError):  # the params' own check
        final_offer_params_from({"final_offer.window_min": 0})


def test_default_profiles_keep_government_procurement_off_averages():
    works = default_params(Regime.TENDERING, ProcurementMethod.FINAL_OFFER)
    gp = default_params(Regime.GOVERNMENT_PROCUREMENT, ProcurementMethod.FINAL_OFFER)
    assert final_offer_params_from(works).winner_rule is WinnerRule.CLOSEST
    assert final_offer_params_from(gp).winner_rule is WinnerRule.LOWEST
    assert "final_offer.window_min" not in default_params(Regime.TENDERING,
                                                          ProcurementMethod.OPEN_TENDER)
