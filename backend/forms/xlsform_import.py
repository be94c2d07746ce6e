"""An XLSForm workbook in, a form draft out: converted by the form engine, saved like any draft.

Any row that cannot be converted refuses the import (INVALID_XLSFORM, one error per row,
each naming its sheet and row); then the draft goes through `save_form_draft`, so it meets
the same checks as a draft written by hand (names unique across the record type's forms,
lookups, ...). Nothing is saved unless everything passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.accounts.models import User
from backend.error_codes import ErrorCode
from backend.errors import BadUserInput, DomainError
from backend.forms.models import FormVersion
from backend.forms.services import save_form_draft
from formengine.xlsform import convert_xlsform
from permissions.actions import require_action


class InvalidXlsForm(DomainError):
    code = ErrorCode.INVALID_XLSFORM


@dataclass(frozen=True, slots=True)
class XlsFormImport:
    draft: FormVersion
    warnings: list[str]


def import_xlsform(
    user: User, record_type: str, content: bytes, key: str | None = None
) -> XlsFormImport:
    require_action(user, "manage_forms")
    if record_type not in user.tenant.record_types:
        raise BadUserInput(
            f"Unknown record type {record_type!r}; this tenant has: "
            + ", ".join(user.tenant.record_types),
            field="record_type",
        )
    conversion = convert_xlsform(content, record_type=record_type, key=key)
    if conversion.document is None:
        raise InvalidXlsForm(
            f"The XLSForm has {len(conversion.errors)} row(s) that cannot be converted; "
            "nothing was saved.",
            errors=[
                {
                    "argument": "content",
                    "path": f"$.{issue.sheet}" + (f"[{issue.row}]" if issue.row else ""),
                    "code": ErrorCode.INVALID_XLSFORM.value,
                    "message": str(issue),
                }
                for issue in conversion.errors
            ],
        )
    draft = save_form_draft(user, conversion.document)
    return XlsFormImport(draft, [str(w) for w in conversion.warnings])
