"""What happens at an opening, as Pyramid events other domains subscribe to
(`config.add_subscriber(fn, BidsOpened)` in their includeme)."""

from dataclasses import dataclass


@dataclass
class BidsOpened:
    """The envelopes are open and the lots not yet counted: a check that joins the record
    (bid security) runs now, in the same transaction, and may mark a decrypted line invalid
    through `service.invalidate(line, reason)` (`service.private_key(project)` opens what
    was sealed beside the bids)."""

    service: object
    project: object
    opening: object
    lines: list  # the opening's lines as it loaded them once: lots and bids, not bidders


@dataclass
class OpeningCompleted:
    """The opening record and the evaluation documents are final (the collusion scan needs
    the documents' hashes). Fired once, in the same transaction."""

    service: object
    project: object
