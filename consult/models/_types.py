"""Column helpers shared by the model modules."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import utcnow


def enum_column(enum_cls: type[enum.Enum], **kwargs):
    """Store a StrEnum as VARCHAR with a CHECK constraint (portable, readable in SQL)."""
    return mapped_column(
        Enum(enum_cls, native_enum=False, create_constraint=True, length=32, validate_strings=True,
             values_callable=lambda e: [m.value for m in e], name=enum_cls.__name__.lower()),
        **kwargs,
    )


def fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True):
    return mapped_column(ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
