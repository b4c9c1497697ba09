"""Career frameworks: versions, content, and loading a new version (HR admins)."""

from __future__ import annotations

from fastapi import APIRouter, Path

from trellis.adapters.framework_files import locate_in_bytes, parse_framework
from trellis.domain.access import Role
from trellis.domain.limits import HANDLE_MAX
from trellis.errors import FrameworkInvalid
from trellis.services import accounts, frameworks
from trellis.services.unit_of_work import FrameworkVersionInfo

from ..deps import CurrentUser, Uow
from ..fields import LINE
from ..schemas import DocumentPublic, FrameworkUpload, FrameworkVersionPublic

router = APIRouter(prefix="/api/frameworks", tags=["frameworks"])


def _public(v: FrameworkVersionInfo, active: str | None) -> FrameworkVersionPublic:
    return FrameworkVersionPublic(id=v.id, key=v.key, version=v.version,
                                  effective_from=v.effective_from, loaded_at=v.loaded_at,
                                  author=v.author, checksum=v.checksum, active=v.key == active)


@router.get("", response_model=list[FrameworkVersionPublic], summary="Framework versions")
def list_frameworks(user: CurrentUser, uow: Uow) -> list[FrameworkVersionPublic]:
    versions, active = frameworks.list_versions(uow())
    return [_public(v, active) for v in versions]


@router.get("/active", response_model=DocumentPublic,
            summary="The active framework's document in force today")
def active_framework(user: CurrentUser, uow: Uow) -> DocumentPublic:
    version, _ = frameworks.framework_at(uow())
    return DocumentPublic(document=frameworks.framework_document(uow(), version.id))


@router.get("/{key}", response_model=DocumentPublic, summary="A framework's document")
def show_framework(user: CurrentUser, uow: Uow,
                   key: str = Path(max_length=HANDLE_MAX, pattern=LINE)) -> DocumentPublic:
    version, _ = frameworks.framework_at(uow(), key=key)
    return DocumentPublic(document=frameworks.framework_document(uow(), version.id))


@router.post("", response_model=FrameworkVersionPublic, status_code=201,
             summary="Validate and load a framework file's text (HR admins)")
def load_framework(body: FrameworkUpload, user: CurrentUser, uow: Uow
                   ) -> FrameworkVersionPublic:
    accounts.require_role(user, Role.HR_ADMIN)
    framework, document = parse_framework(body.text, "upload")
    try:
        loaded = frameworks.load_framework(uow(), framework, document, author=user.email,
                                           effective_from=body.effective_from,
                                           activate=body.activate)
    except FrameworkInvalid as exc:  # replaces against the stored versions: give lines
        raise locate_in_bytes(exc.problems, body.text.encode("utf-8", "surrogatepass"),
                              "upload") from None
    _, active = frameworks.list_versions(uow())
    return _public(loaded.version, active)
