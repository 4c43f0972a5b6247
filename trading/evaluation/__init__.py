"""Evaluation (评标 / 评审): expert pool, committees, scoring sheets, aggregation, price
rules and abnormally-low price checks. The rule algorithms are pure functions in
``rules``."""
