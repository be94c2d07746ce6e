"""Filter operands as the SQL compares them: dates and times as the ISO text records store,
numbers as exact decimals. Anything else is BAD_USER_INPUT naming the operand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.errors import BadUserInput
from backend.records.filtering.catalogue import Operand


def stored_form(operand: Operand, value: Any, where: str) -> Any:
    """One operand value in the form `data` stores (dates and times as ISO text)."""
    try:
        if operand is Operand.NUMBER:
            if isinstance(value, bool):
                raise TypeError
            number = Decimal(str(value))
            if not number.is_finite():
                raise ValueError
            return number
        if operand is Operand.DATE:
            if isinstance(value, dt.datetime):
                raise TypeError
            return (
                value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
            ).isoformat()
        if operand is Operand.DATETIME:
            moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError
            return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        if operand is Operand.BOOLEAN:
            if not isinstance(value, bool):
                raise TypeError
            return value
        if not isinstance(value, str):
            raise TypeError
        return value
    except (TypeError, ValueError, InvalidOperation):
        raise BadUserInput(f"{where}: not a valid {operand} value.", field=where) from None
