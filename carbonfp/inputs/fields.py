"""Typed access to the JSON fields of a supplier's footprint file (PACT, Catena-X): every error
names the file, the field's path, what is wrong and where the file was named."""

from __future__ import annotations

from typing import Any

from carbonfp.errors import InputError, Location


def kind_of(value: Any) -> str:
    """What a JSON value is, for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, str):
        return f"text {value!r:.40}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return "a list" if isinstance(value, list) else "an object"


class JsonFields:
    """The fields of one footprint file. ``scheme`` is the factor_source prefix that named it
    (``pact``, ``catenax``), ``code`` the error code of its problems, ``required_by`` what a
    missing field's hint says requires it."""

    def __init__(
        self, label: str, named_at: Location, *, scheme: str, code: str, required_by: str
    ) -> None:
        self.label = label
        self.named_at = named_at
        self.scheme = scheme
        self.code = code
        self.required_by = required_by

    def fail(self, path: str | None, message: str, hint: str | None = None) -> InputError:
        return InputError(
            message,
            where=Location(self.label, key=path),
            hint=(hint + "; " if hint else "")
            + f"named at {self.named_at} (factor_source = {self.scheme}:FILE, relative to the "
            "BOM)",
            code=self.code,
        )

    def get(self, obj: dict[str, Any], field: str, path: str | None = None) -> Any:
        """``obj[field]``; ``path`` names it in errors (default: the field)."""
        path = path or field
        if field not in obj or obj[field] is None:
            raise self.fail(path, f"missing field {path}", hint=f"{self.required_by} requires it")
        return obj[field]

    def text(self, obj: dict[str, Any], field: str, path: str | None = None) -> str:
        """A non-empty text field, stripped."""
        path = path or field
        value = self.get(obj, field, path)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"{path} must be non-empty text, got {kind_of(value)}")
        return value.strip()
