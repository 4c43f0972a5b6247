"""投标保证金 — bid security from payment to refund, sealed like the bids (rules §10).

`rules` holds the pure rules (cap, requirement, refund deadline, interest, reconciliation).
"""
