"""Portable column types: aware UTC datetimes, integer money, non-native enums."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores UTC and always returns aware datetimes.

    SQLite hands back naive values even for DateTime(timezone=True); a naive value coming
    in is a programming error (it would silently be read as local time), so it is refused.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Money is an integer count of 分 (fen, minor units): exact on both databases and the
# canonical form bid_crypto commits to. BigInteger because budgets exceed 2^31 fen.
Money = sa.BigInteger


def enum_column(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """VARCHAR + CHECK on both databases: SQLite has no native enums."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
