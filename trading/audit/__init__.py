"""The audit log: hash chain, signed checkpoints, browsing, supervision, dashboard."""
