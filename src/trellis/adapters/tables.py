"""The database tables (SQLAlchemy Core). Only adapters import this module.

``events`` is the career ledger: rows are only ever inserted (a person's erasure on
request is the one exception). ``person_state`` and ``competency_state`` are projections
of it, rewritten in the same transaction as each event, so org-wide queries never refold
the ledger; ``profile_checkpoints`` lets a past-date profile of a long career start
folding part way through.

A Text column marked ``info={"json": True}`` holds a JSON document (see adapters.erasure).
"""

from __future__ import annotations

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
)

metadata = MetaData()

meta = Table(
    "trellis_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

framework_versions = Table(
    "framework_versions",
    metadata,
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

people = Table(
    "people",
    metadata,
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
    metadata,
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
    Index("ix_events_person_date", "person_id", "effective_on", "id"),
    Index("ix_events_kind_date", "kind", "effective_on"),
)

person_state = Table(
    "person_state",
    metadata,
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
    metadata,
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("competency", String(80), primary_key=True),
    Column("mastery", Integer, nullable=False),
    Column("reached_on", Date, nullable=False),
    Index("ix_competency_state_mastery", "competency", "mastery"),
)

profile_checkpoints = Table(
    "profile_checkpoints",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("through_on", Date, primary_key=True),
    Column("profile", Text, nullable=False, info={"json": True}),  # at the end of that day
)

erasures = Table(
    "erasures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("erased_at", DateTime, nullable=False),
    Column("author", String(200), nullable=False),
    Column("person_id", Integer, nullable=False),  # the retired surrogate key, nothing personal
    Column("events_removed", Integer, nullable=False),
    Column("reason", String(200), nullable=False),
)

# --- accounts (the web service): users linked to people, login sessions, API tokens, the
# --- audit log and the login throttle. Secrets are stored only as hashes.

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=True),
    Column("created_at", DateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime, nullable=True),
    Column("expires_at", DateTime, nullable=False),
    Column("scope", String(16), nullable=False),  # read | write
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("user_email", String(254), nullable=True),  # None: an anonymous attempt
    Column("action", String(40), nullable=False),
    Column("resource", String(200), nullable=False),
    Column("detail", Text, nullable=False, info={"json": True}),  # never a secret
    Index("ix_audit_log_at", "at"),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(254), primary_key=True),  # the email tried, known or not
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime, nullable=False),
    Column("locked_until", DateTime, nullable=True),
)

# --- plans (micro-promotion maps): each re-plan is a new version; the one before is kept
# --- as superseded. The document holds the steps, milestones, forecast and check-ins.

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("author", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # active | superseded
    Column("target", JSON, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("quarters", Integer, nullable=True),  # the last quarter allowed (None: no limit)
    Column("document", JSON, nullable=False),
    UniqueConstraint("person_id", "version"),
    Index("ix_plans_person_status", "person_id", "status"),
)

# --- review cycles: who is in each cycle and which peers were nominated. The reviews
# --- themselves are ``review`` events in the ledger.

review_cycles = Table(
    "review_cycles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("forms", String(64), nullable=False),  # comma-separated: self,manager,peer,upward
    Column("due_self", Date, nullable=True),
    Column("due_manager", Date, nullable=True),
    Column("due_peer", Date, nullable=True),
    Column("due_upward", Date, nullable=True),
    Column("team_id", Integer, ForeignKey("people.id"), nullable=True),  # None: the whole org
    Column("status", String(16), nullable=False),  # open | closed
    Column("opened_by", String(200), nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),  # the last open, close or reopen
)

review_participants = Table(
    "review_participants",
    metadata,
    Column("cycle_id", Integer, ForeignKey("review_cycles.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Index("ix_review_participants_person", "person_id"),
)

review_nominations = Table(
    "review_nominations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cycle_id", Integer, ForeignKey("review_cycles.id"), nullable=False),
    Column("reviewee_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("peer_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("nominated_by", String(200), nullable=False),
    Column("nominated_at", DateTime, nullable=False),
    UniqueConstraint("cycle_id", "reviewee_id", "peer_id"),
    Index("ix_review_nominations_peer", "peer_id"),
)

# --- person attributes: optional HR-only fields (gender, location, ...) read only by the
# --- fairness audit; never by any score. One row per person and attribute name.

person_attributes = Table(
    "person_attributes",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("value", String(80), nullable=False),
    Column("set_by", String(200), nullable=False),
    Column("set_at", DateTime, nullable=False),
    Index("ix_person_attributes_name", "name", "value"),
)
