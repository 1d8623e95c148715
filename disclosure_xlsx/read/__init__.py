"""Reading what departments send: guard (refuse bad files cheaply) -> grid (raw cells) ->
locate (which cell holds which item) -> cells/values (blank, number, number-as-text)."""

from .values import CellRead, ReturnValues
from .workbook import TableValues, read_return, read_values

__all__ = ["CellRead", "ReturnValues", "TableValues", "read_return", "read_values"]
