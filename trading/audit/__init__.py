"""The audit log: hash chain, signed checkpoints, browsing for center and supervisors."""


def includeme(config):
    pass
