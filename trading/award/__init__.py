"""Award (定标 / 成交): the final-offer round (终次报价), 竞争性磋商 final quotes,
评定分离 award committees and methods, and publicity. The rule algorithms are pure
functions in ``rules``."""
