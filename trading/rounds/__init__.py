"""Sealed rounds (密封报价轮次): one mechanism for the final offer (终次报价, decided in
``trading.award.final_offer``) and the 磋商 final quotes (最后报价, scored by the
evaluation). A round has its own key pair, one sealed bid_crypto envelope per party, a
signed receipt per offer, and every offer opened at once when its window has closed.
The purpose subclasses ``service.SealedRounds`` and says what the opened offers decide."""
