"""Attachments of problems: validation by content, upload (audited, on the timeline) and download.

Files are stored under the default storage (var/media) with random names and are never served from
a public URL: the pages and the API stream them through views that check the user's scope first.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, User
from frontline.ledger import filetypes
from frontline.ledger.models import Problem, ProblemAttachment, ProblemEvent, ProblemStatus

ATTACHMENT_EVENT = "attachment"  # the action of the timeline row "附件 x 已上传"


def max_bytes() -> int:
    return int(getattr(settings, "FRONTLINE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_per_problem() -> int:
    return int(getattr(settings, "FRONTLINE_ATTACHMENT_MAX_PER_PROBLEM", 10))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def allowed_types_text() -> str:
    """Return the rule shown under the upload field and in every refusal."""
    return _(
        "可上传 JPG、PNG、WebP 图片，PDF，Word（.docx）、Excel（.xlsx）或纯文本（.txt）；每个不超过 %(size)s。"
    ) % {"size": _megabytes(max_bytes())}


class AttachmentError(ApplicationError):
    """A file refused, with the reason and the rule (field "file")."""

    def __init__(self, message: str, *, code: str = "invalid_attachment") -> None:
        super().__init__(message, code=code, extra={"errors": {"file": message}})


@dataclass(frozen=True)
class CheckedFile:
    upload: "UploadedFile[bytes]"
    kind: filetypes.FileKind
    name: str
    size: int


def attachment_validate(upload: "UploadedFile[bytes]") -> CheckedFile:
    """Return the file with its sniffed kind and safe name; refuse a wrong type or size with the rule."""
    size = upload.size or 0
    name = upload.name or ""
    if size == 0:
        raise AttachmentError(_("文件“%(name)s”是空的。") % {"name": name} + allowed_types_text())
    if size > max_bytes():
        raise AttachmentError(
            _("文件“%(name)s”有 %(size)s，超过上限。") % {"name": name, "size": _megabytes(size)}
            + allowed_types_text(),
            code="attachment_too_large",
        )
    kind = filetypes.sniff(upload.file)  # type: ignore[arg-type]
    if kind is None:
        raise AttachmentError(
            _("文件“%(name)s”的内容不是允许的类型（不看扩展名，按文件内容判断）。") % {"name": name}
            + allowed_types_text(),
            code="attachment_type",
        )
    return CheckedFile(upload=upload, kind=kind, name=filetypes.safe_filename(name, kind), size=size)


def may_attach(user: User, problem: Problem) -> bool:
    """Return whether the user takes part in the problem: registrar, level owner, supervisor or department."""
    from frontline.ledger.workflow import is_department_member, is_registrar

    return is_registrar(user, problem) or is_department_member(user, problem)


def problem_attachment_add(
    *, actor: User, problem: Problem, upload: "UploadedFile[bytes] | CheckedFile", public: bool = False
) -> ProblemAttachment:
    """Attach a file to an open problem; write the timeline row and the audit row with it.

    The problem row is locked so that the limit per problem holds under concurrent uploads; its
    version does not change (an attachment is not a decision anyone's form depends on).
    """
    checked = upload if isinstance(upload, CheckedFile) else attachment_validate(upload)
    with transaction.atomic():
        locked = (
            Problem.objects.select_for_update(of=("self",)).select_related("post_unit", "department").get(pk=problem.pk)
        )
        if not may_attach(actor, locked):
            raise ApplicationError(_("只有登记人、层级责任人、督办人员或承办部门可以上传附件。"), code="forbidden")
        if locked.status == ProblemStatus.CLOSED:
            raise ApplicationError(_("问题已关闭，不能再上传附件。"), code="closed")
        if ProblemAttachment.objects.filter(problem=locked).count() >= max_per_problem():
            raise AttachmentError(
                _("每个问题最多 %(n)s 个附件，已达上限。") % {"n": max_per_problem()}, code="too_many_attachments"
            )
        attachment = ProblemAttachment(
            problem=locked,
            original_name=checked.name,
            content_type=checked.kind.content_type,
            size=checked.size,
            public=public,
            uploaded_by=actor,
        )
        attachment.file.save(checked.name, checked.upload, save=False)
        try:  # a failure below rolls the rows back; remove the stored file with them
            attachment.save()
            ProblemEvent.objects.create(
                problem=locked,
                action=ATTACHMENT_EVENT,
                actor=actor,
                actor_name=str(actor),
                from_status=locked.status,
                to_status=locked.status,
                note=_("附件 %(name)s 已上传") % {"name": checked.name},
                department=locked.department,
                public=False,
                created_at=attachment.created_at,
            )
            audit(
                actor=actor,
                action=AuditAction.CREATE,
                obj=attachment,
                changes={
                    "problem": (None, locked.tracking_code),
                    "name": (None, checked.name),
                    "content_type": (None, checked.kind.content_type),
                    "size": (None, checked.size),
                    "public": (None, public),
                },
            )
        except BaseException:
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_download_record(*, actor: User, attachment: ProblemAttachment) -> None:
    """Audit the download of a non-public attachment (public ones are the requester's to read)."""
    if attachment.public:
        return
    audit(
        actor=actor,
        action=AuditAction.VIEW_SENSITIVE,
        obj=attachment,
        note=f"download attachment of problem {attachment.problem_id}",
    )
