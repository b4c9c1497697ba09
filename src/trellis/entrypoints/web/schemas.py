"""The API's request and response bodies: Create / Update / Public models, never a row."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from trellis.domain.access import Role, TokenScope
from trellis.domain.events import REVIEW_ITEMS_MAX, GoalOutcome, RecognitionKind
from trellis.domain.framework import ReviewForm
from trellis.domain.limits import EMAIL_MAX, FRAMEWORK_FILE_MAX, HANDLE_MAX, LABEL_MAX, NAME_MAX
from trellis.domain.reviews import UPWARD_MINIMUM, UPWARD_MINIMUM_HIGH, UPWARD_MINIMUM_LOW
from trellis.services.accounts import MAX_TOKEN_DAYS, TOKEN_LIFETIME, TOKEN_NAME_MAX

from .fields import LINE, RANGE, TEXT, Day, Instant


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocatedProblem(BaseModel):
    path: str
    message: str
    line: int | None = None


class ProblemPublic(BaseModel):
    """An error: RFC 7807 problem details, sent as ``application/problem+json``."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    problems: list[LocatedProblem] | None = None  # a framework's, an import's, a request's
    readiness: dict[str, Any] | None = None  # the gates of a refused promotion


class LoginIn(Body):
    email: str = Field(max_length=EMAIL_MAX, pattern=LINE)
    password: str = Field(max_length=1000)


class UserPublic(BaseModel):
    id: int
    email: str
    role: Role
    person: str | None  # the linked person's handle


class SessionPublic(BaseModel):
    user: UserPublic
    csrf_token: str
    expires: Instant
    must_change_password: bool = Field(False, description=(
        "an HR admin gave the password: until its owner chooses their own (on the web page "
        "/account/password), the session may only sign out"))


class UserCreate(Body):
    email: str = Field(max_length=EMAIL_MAX, pattern=LINE)
    password: str = Field(min_length=10, max_length=1000)
    role: Role = Role.EMPLOYEE
    person: str | None = Field(default=None, max_length=EMAIL_MAX, pattern=LINE)


class TokenCreate(Body):
    name: str = Field(min_length=1, max_length=TOKEN_NAME_MAX, pattern=LINE)
    scope: TokenScope = Field(default=TokenScope.WRITE,
                              description="read: reads only; write: whatever the user may do")
    days: int = Field(default=TOKEN_LIFETIME.days, ge=1, le=MAX_TOKEN_DAYS,
                      description="how long the token lives")


class TokenCreated(BaseModel):
    id: int
    name: str
    scope: TokenScope
    expires_at: Instant
    token: str  # shown once


class TokenPublic(BaseModel):
    id: int
    name: str
    user: str  # the owner's email
    scope: TokenScope
    created_at: Instant
    expires_at: Instant
    last_used_at: Instant | None


class PersonPublic(BaseModel):
    """A directory entry: outside the person's private circle, ``id``, ``email``,
    ``manager`` and ``hired_on`` are null."""

    id: int | None
    handle: str
    name: str
    email: str | None
    manager: str | None
    role: str | None
    title: str | None = None
    level: str | None
    hired_on: date | None
    departed_on: date | None
    promotions: int
    micro_progressions: int


class PersonCreate(Body):
    handle: str = Field(min_length=1, max_length=HANDLE_MAX, pattern=LINE)
    name: str = Field(min_length=1, max_length=NAME_MAX, pattern=LINE)
    role: str = Field(min_length=1, max_length=HANDLE_MAX, pattern=LINE)
    hired_on: Day = Field(description=f"{RANGE}")
    email: str | None = Field(default=None, max_length=EMAIL_MAX, pattern=LINE)
    manager: str | None = Field(default=None, max_length=EMAIL_MAX, pattern=LINE)
    pay: int | None = Field(default=None, ge=0, le=10**12)
    currency: str | None = Field(default=None, min_length=3, max_length=3, pattern=LINE)
    evidence: str | None = Field(default=None, max_length=5000, pattern=TEXT)


class PersonUpdate(Body):
    """The details to change (what the person page's *Change details* form changes); a
    field left out is kept."""

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX, pattern=LINE,
                             description="HR admins, or the person themselves")
    email: str | None = Field(default=None, max_length=EMAIL_MAX, pattern=LINE,
                              description="HR admins; null or empty clears it")
    manager: str | None = Field(default=None, max_length=EMAIL_MAX, pattern=LINE,
                                description="the manager's handle or email (HR admins); "
                                "null or empty for none")


Scalar = str | int | float | None


class EventCreate(Body):
    kind: str = Field(min_length=1, max_length=40, description="an event kind, e.g. skill_step")
    effective_on: date | None = Field(default=None, description="default: today")
    evidence: str | None = Field(default=None, max_length=5000)
    verifier: str | None = Field(default=None, max_length=200)
    details: dict[str, Scalar] = Field(
        default_factory=dict, description="the kind's fields (see docs/ledger.md)")


class RetractionCreate(Body):
    reason: str = Field(min_length=1, max_length=500, pattern=TEXT)


class EventPublic(BaseModel):
    """A timeline entry: a ledger event, or a band upgrade derived from one (``id`` None)."""

    id: int | None
    person: str
    kind: str
    advance: str
    effective_on: date
    recorded_at: Instant | None
    author: str | None
    evidence: str | None
    verifier: str | None
    retracted_by: int | None = None
    verified_by: str | None = None  # who vouched for the evidence (at recording or later)
    pending: bool = False  # self-reported: counts once someone else verifies it
    summary: str
    details: dict[str, Any] | None  # None: hidden from this viewer


class ProfilePublic(BaseModel):
    person: str
    name: str
    pay_visible: bool
    profile: dict[str, Any]  # the stable profile document (docs/profile-json.md)
    rules: dict[str, Any] | None = None


class DocumentPublic(BaseModel):
    """A stable JSON document of a use case (layers, readiness, ...)."""

    person: str | None = None
    document: dict[str, Any]


class FrameworkVersionPublic(BaseModel):
    id: int
    key: str
    version: int
    effective_from: date | None
    loaded_at: Instant
    author: str
    checksum: str
    active: bool


class FrameworkUpload(Body):
    text: str = Field(min_length=1, max_length=FRAMEWORK_FILE_MAX, description="YAML or JSON "
                      "(the loader holds it to 32 MiB of UTF-8: docs/frameworks.md)")
    effective_from: date | None = None
    activate: bool = False


class VerificationCreate(Body):
    notes: str | None = Field(default=None, max_length=2000, pattern=TEXT,
                              description="what was checked")


class RecognitionCreate(Body):
    citation: str = Field(min_length=1, max_length=LABEL_MAX, pattern=LINE)
    kind: RecognitionKind = RecognitionKind.KUDOS
    points: int | None = Field(default=None, ge=0, le=1_000_000)
    effective_on: Day | None = Field(default=None, description=f"default: today; {RANGE}")


class ImportCreate(Body):
    format: Literal["csv", "jsonl"] = Field(description="csv or jsonl (JSON lines)")
    text: str = Field(min_length=1, max_length=50_000_000,
                      description="the file's text: one person or event record a row")


class ImportPublic(BaseModel):
    people: int
    events: int
    profiles: int


class AuditEntryPublic(BaseModel):
    id: int
    at: Instant
    user: str | None
    action: str
    resource: str
    detail: dict[str, Any]


# --- review cycles (docs/reviews.md)

ItemId = Annotated[str, StringConstraints(min_length=1, max_length=HANDLE_MAX, pattern=LINE)]


class ReviewCycleCreate(Body):
    name: str = Field(min_length=1, max_length=NAME_MAX, pattern=LINE)
    period_start: Day = Field(description=f"the period reviewed starts; {RANGE}")
    period_end: Day = Field(description=f"the period reviewed ends; {RANGE}")
    forms: list[ReviewForm] | None = Field(default=None, min_length=1, max_length=4,
                                           description="default: the framework's forms")
    due: dict[ReviewForm, Day] = Field(default_factory=dict, max_length=4,
                                       description="a due date per form")
    team: str | None = Field(default=None, max_length=EMAIL_MAX, pattern=LINE,
                             description="only everyone under this manager")
    upward_minimum: int = Field(default=UPWARD_MINIMUM, ge=UPWARD_MINIMUM_LOW,
                                le=UPWARD_MINIMUM_HIGH,
                                description="upward feedback is shown to the manager and "
                                "their chain only aggregated, from this many reviews")


class ReviewCycleUpdate(Body):
    status: Literal["open", "closed"] = Field(description="closed: no more reviews or "
                                              "nominations until reopened")


class ReviewCyclePublic(BaseModel):
    name: str
    period_start: date
    period_end: date
    forms: list[ReviewForm]
    due: dict[str, date]
    status: str
    people: int
    upward_minimum: int
    opened_by: str | None  # HR admins only
    opened_at: Instant
    changed_at: Instant


class NominationCreate(Body):
    person: str = Field(min_length=1, max_length=EMAIL_MAX, pattern=LINE)
    peer: str = Field(min_length=1, max_length=EMAIL_MAX, pattern=LINE)
    anonymous: bool = Field(default=False, description="hide the peer from the person "
                            "(HR admins still see who)")


class NominationPublic(BaseModel):
    cycle: str
    person: str
    peer: str
    anonymous: bool


class GoalCreate(Body):
    goal: str = Field(min_length=1, max_length=LABEL_MAX, pattern=LINE)
    result: GoalOutcome
    value: float | None = Field(default=None, ge=-1e12, le=1e12, allow_inf_nan=False)


class ReviewCreate(Body):
    """A review the signed-in user writes: ``form`` says in which role (self: of themselves;
    manager: of a direct report; peer: as a nominated peer; upward: of their manager)."""

    person: str = Field(min_length=1, max_length=EMAIL_MAX, pattern=LINE)
    form: ReviewForm
    rating: int = Field(ge=-1000, le=1000, description="on the framework's review scale")
    ratings: dict[ItemId, Annotated[int, Field(ge=0, le=100)]] = Field(
        default_factory=dict, max_length=REVIEW_ITEMS_MAX,
        description="competency or criterion id -> rating on its scale")
    goals: list[GoalCreate] = Field(default_factory=list, max_length=100)
    comment: str | None = Field(default=None, max_length=5000, pattern=TEXT)


class ReviewCreated(BaseModel):
    event_id: int
    person: str
    cycle: str
    form: ReviewForm


class ReviewRecordPublic(BaseModel):
    on: date
    event_id: int
    rating: int
    label: str  # the rating's label on the framework's scale
    reviewer: str | None  # None: an anonymous peer (HR admins see who)
    anonymous: bool
    ratings: dict[str, Any]
    goals: list[dict[str, Any]]
    comment: str | None


class PersonReviewsPublic(BaseModel):
    """Per cycle, per reviewer role, the reviews this viewer may read (never averaged)."""

    person: str
    name: str
    cycles: dict[str, dict[str, list[ReviewRecordPublic]]]
    # by cycle, the upward reviews aggregated when this viewer may not read them one by one
    # (domain.upward): {"shown": false, "minimum"} or {"shown", "minimum", "reviews", "mean",
    # "distribution", "items", "comments"}; never a reviewer, a date or an event id
    upward: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ProgressRowPublic(BaseModel):
    person: str
    name: str
    submitted: list[ReviewForm]
    peers_done: int
    peers_nominated: int
    overdue: list[ReviewForm]


class CycleProgressPublic(BaseModel):
    cycle: ReviewCyclePublic
    people: list[ProgressRowPublic]
