"""The database tables (SQLAlchemy Core). Only adapters import this module.

``events`` is the career ledger: rows are only ever inserted (a person's erasure on
request is the one exception). ``person_state`` and ``competency_state`` are projections
of it, rewritten in the same transaction as each event, so org-wide queries never refold
the ledger; ``profile_checkpoints`` lets a past-date profile of a long career start
folding part way through.

A Text column marked ``info={"json": True}`` holds a JSON document (see adapters.erasure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

_metadata = MetaData()
"""Every table: the ledger's below, the others' in ``workflow_tables`` (see ``__getattr__``)."""

meta = Table(
    "trellis_meta",
    _metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

framework_versions = Table(
    "framework_versions",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("framework_key", String(80), nullable=False),
    Column("version", Integer, nullable=False),
    Column("effective_from", Date, nullable=True),  # null: since the beginning of time
    Column("loaded_at", DateTime, nullable=False),
    Column("author", String(200), nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("document", JSON, nullable=False),
    UniqueConstraint("framework_key", "version"),
)

# The framework each version parses to (domain.parsed_framework), kept so that reading a
# version needs no parsing; one row per code shape (format). Derived: dropping a row only
# costs a parse.
framework_parsed = Table(
    "framework_parsed",
    _metadata,
    Column("version_id", Integer, ForeignKey("framework_versions.id"), primary_key=True),
    Column("format", String(64), primary_key=True),
    Column("checksum", String(64), nullable=False),  # the version's: guards a reused id
    Column("parsed", Text, nullable=False),
)

people = Table(
    "people",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("handle", String(80), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=True, unique=True),
    Column("manager_id", Integer, ForeignKey("people.id"), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
)

events = Table(
    "events",
    _metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("author", String(200), nullable=False),
    Column("evidence", Text, nullable=True),
    Column("verifier", String(200), nullable=True),
    Column("framework_version", Integer, ForeignKey("framework_versions.id"), nullable=False),
    Column("details", Text, nullable=False, info={"json": True}),  # written by orjson
    # recorded by the person themselves, signed in (pending verification: migration 0006)
    Column("self_reported", Boolean, nullable=False, default=False, server_default=false()),
    Index("ix_events_person_date", "person_id", "effective_on", "id"),
    Index("ix_events_kind_date", "kind", "effective_on"),
)

person_state = Table(
    "person_state",
    _metadata,
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("role", String(80), nullable=True),
    Column("track", String(80), nullable=True),
    Column("level", String(80), nullable=True),
    Column("level_rank", Integer, nullable=True),
    Column("pay", BigInteger, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("hired_on", Date, nullable=True),
    Column("departed_on", Date, nullable=True),
    Column("role_since", Date, nullable=True),
    Column("last_promotion_on", Date, nullable=True),
    Column("last_recognition_on", Date, nullable=True),
    Column("last_event_on", Date, nullable=True),
    Column("promotions", Integer, nullable=False, default=0),
    Column("micro_progressions", Integer, nullable=False, default=0),
    Column("engagement", Integer, nullable=True),
    Column("framework_version", Integer, nullable=True),
    Column("profile", Text, nullable=False, info={"json": True}),  # the current profile
    Index("ix_person_state_role", "track", "level_rank"),
)

competency_state = Table(
    "competency_state",
    _metadata,
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("competency", String(80), primary_key=True),
    Column("mastery", Integer, nullable=False),
    Column("reached_on", Date, nullable=False),
    Index("ix_competency_state_mastery", "competency", "mastery"),
)

profile_checkpoints = Table(
    "profile_checkpoints",
    _metadata,
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("through_on", Date, primary_key=True),
    Column("profile", Text, nullable=False, info={"json": True}),  # at the end of that day
)


# Who changed what and when: every write writes its entry (services.audit_trail), so it is
# here with the ledger, not beside it.
audit_log = Table(
    "audit_log",
    _metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("user_email", String(254), nullable=True),  # None: an anonymous attempt
    Column("action", String(40), nullable=False),
    Column("resource", String(200), nullable=False),
    Column("detail", Text, nullable=False, info={"json": True}),  # never a secret
    Index("ix_audit_log_at", "at"),
)

WORKFLOW_TABLES = (
    "erasures",
    "users",
    "sessions",
    "api_tokens",
    "login_throttle",
    "plans",
    "review_cycles",
    "review_participants",
    "review_nominations",
    "promotion_cases",
    "promotion_case_steps",
    "promotion_case_comments",
    "comp_cycles",
    "comp_participants",
    "comp_proposals",
    "comp_steps",
    "calibration_sessions",
    "calibration_members",
    "person_attributes",
    "org_models",
    "alert_facts",
)
"""The tables defined in ``workflow_tables``, loaded on first use."""

if TYPE_CHECKING:  # what mypy reads; at run time, __getattr__ below
    erasures: Table
    users: Table
    sessions: Table
    api_tokens: Table
    login_throttle: Table
    plans: Table
    review_cycles: Table
    review_participants: Table
    review_nominations: Table
    promotion_cases: Table
    promotion_case_steps: Table
    promotion_case_comments: Table
    comp_cycles: Table
    comp_participants: Table
    comp_proposals: Table
    comp_steps: Table
    calibration_sessions: Table
    calibration_members: Table
    person_attributes: Table
    org_models: Table
    alert_facts: Table

    metadata: MetaData
else:
    def __getattr__(name: str) -> Any:
        """``metadata`` and the tables beside the ledger, the latter imported on first use:
        the journal commands start without building them. ``metadata`` holds every table."""
        if name != "metadata" and name not in WORKFLOW_TABLES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from . import workflow_tables

        found = {n: getattr(workflow_tables, n) for n in WORKFLOW_TABLES}
        globals().update(found, metadata=_metadata)
        return globals()[name]
