"""The tables beside the ledger and its projections: erasures, accounts, plans, review
cycles, promotion cases, pay cycles, calibration sessions, HR attributes, organization
models and the team alerts' facts (SQLAlchemy Core). Only adapters import this module.

They are in ``tables.metadata`` with the ledger's, and load on first use: naming one of them
on ``tables`` (or ``tables.metadata``) imports this module. A journal command (``trellis log``,
``trellis profile``) needs none of them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from .tables import _metadata as metadata

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
    Column("disabled_at", DateTime, nullable=True),  # None: the account may sign in
    # an HR admin gave the password: its owner chooses their own before anything else
    Column("must_change_password", Boolean, nullable=False, default=False,
           server_default=false()),
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
    # upward reviews of a manager are shown to them (and their chain) only aggregated, once
    # at least this many are in
    Column("upward_minimum", Integer, nullable=False, server_default="3"),
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

# --- promotion cases: a nomination, its approval steps (resolved from the framework's
# --- chain when the case opens) and comments. Only an approved case writes the promotion
# --- event, whose id the case keeps; the evidence packet is assembled when shown.

promotion_cases = Table(
    "promotion_cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("from_role", String(500), nullable=False),
    Column("to_role", String(500), nullable=False),
    Column("nominator", String(16), nullable=False),  # manager | self | hr
    Column("nominated_by", String(254), nullable=False),  # an email or a handle
    Column("nominator_id", Integer, ForeignKey("people.id"), nullable=True),
    Column("justification", Text, nullable=False),
    Column("pay", BigInteger, nullable=True),
    Column("pay_reason", Text, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("effective_on", Date, nullable=False),
    Column("status", String(16), nullable=False),  # open | approved | declined | ...
    Column("opened_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("decided_by", String(254), nullable=True),
    Column("decision_reason", Text, nullable=True),
    Column("event_id", BigInteger().with_variant(Integer, "sqlite"), ForeignKey("events.id"),
           nullable=True),
    Index("ix_promotion_cases_person", "person_id"),
    Index("ix_promotion_cases_status", "status"),
)

promotion_case_steps = Table(
    "promotion_case_steps",
    metadata,
    Column("case_id", Integer, ForeignKey("promotion_cases.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("approver", String(16), nullable=False),  # manager | skip_level | hr
    Column("person_id", Integer, ForeignKey("people.id"), nullable=True),  # None: HR
    Column("fell_to_hr", Boolean, nullable=False),
    Column("decision", String(16), nullable=True),  # approved | declined | deferred
    Column("signed_by", String(254), nullable=True),
    Column("signer_id", Integer, ForeignKey("people.id"), nullable=True),
    Column("signed_at", DateTime, nullable=True),
    Column("reason", Text, nullable=True),
    Column("override", Text, nullable=True),
    Index("ix_promotion_case_steps_person", "person_id"),
)

promotion_case_comments = Table(
    "promotion_case_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("promotion_cases.id"), nullable=False),
    Column("author", String(254), nullable=False),
    Column("author_id", Integer, ForeignKey("people.id"), nullable=True),
    Column("at", DateTime, nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_promotion_case_comments_case", "case_id"),
)

# --- compensation cycles: the cycle, who is in it (their group and pay when it opened),
# --- raise proposals and each proposal's approval steps. Only an approved proposal becomes
# --- a ``compensation`` event, which names its cycle and proposal.

comp_cycles = Table(
    "comp_cycles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("effective_on", Date, nullable=False),
    Column("budget_percent", Float, nullable=False),
    Column("team_id", Integer, ForeignKey("people.id"), nullable=True),  # None: the whole org
    Column("status", String(16), nullable=False),  # open | closed | applied
    Column("opened_by", String(200), nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),
)

comp_participants = Table(
    "comp_participants",
    metadata,
    Column("cycle_id", Integer, ForeignKey("comp_cycles.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("group_id", Integer, ForeignKey("people.id"), nullable=True),  # their manager then
    Column("pay", BigInteger, nullable=False),  # base pay when the cycle opened
    Column("currency", String(3), nullable=True),
    Index("ix_comp_participants_person", "person_id"),
)

comp_proposals = Table(
    "comp_proposals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cycle_id", Integer, ForeignKey("comp_cycles.id"), nullable=True),  # None: off-cycle
    Column("person_id", Integer, ForeignKey("people.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # merit | adjustment | promotion
    Column("amount", BigInteger, nullable=False),  # the change of base pay
    Column("percent", Float, nullable=True),  # as proposed, when given as a percent
    Column("pay_before", BigInteger, nullable=False),
    Column("reason", Text, nullable=True),
    Column("status", String(16), nullable=False),  # proposed|approved|declined|applied|withdrawn
    Column("proposed_by", String(254), nullable=False),
    Column("proposer_id", Integer, ForeignKey("people.id"), nullable=True),
    Column("proposed_at", DateTime, nullable=False),
    Column("band_warning", Text, nullable=True),
    Column("over_budget", Boolean, nullable=False),
    Column("event_id", BigInteger, nullable=True),  # the compensation event, once applied
    # an approved raise withdrawn before its cycle was applied: who, when and why
    Column("withdrawn_by", String(254), nullable=True),
    Column("withdrawn_at", DateTime, nullable=True),
    Column("withdrawal_reason", Text, nullable=True),
    Index("ix_comp_proposals_cycle", "cycle_id", "person_id"),
    Index("ix_comp_proposals_person", "person_id"),
)

comp_steps = Table(
    "comp_steps",
    metadata,
    Column("proposal_id", Integer, ForeignKey("comp_proposals.id"), primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("approver", String(16), nullable=False),  # manager | skip_level | hr
    Column("approver_id", Integer, ForeignKey("people.id"), nullable=True),  # None: HR
    Column("decided_by", String(254), nullable=True),
    Column("decision", String(16), nullable=True),  # approved | declined
    Column("reason", Text, nullable=True),
    Column("decided_at", DateTime, nullable=True),
    Index("ix_comp_steps_approver", "approver_id"),
)

# --- calibration sessions: a review cycle's group set against the target distribution.
# --- The group is fixed as members when a session opens; each change is a ``calibration``
# --- event in the ledger.

calibration_sessions = Table(
    "calibration_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("cycle_id", Integer, ForeignKey("review_cycles.id"), nullable=False),
    Column("group_kind", String(16), nullable=False),  # team | level | track
    Column("group_value", String(200), nullable=False),  # a level, a track, a handle
    Column("team_id", Integer, ForeignKey("people.id"), nullable=True),  # a team's manager
    Column("status", String(16), nullable=False),  # open | closed
    Column("opened_by", String(200), nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),  # the last open or close
)

calibration_members = Table(
    "calibration_members",
    metadata,
    Column("session_id", Integer, ForeignKey("calibration_sessions.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Index("ix_calibration_members_person", "person_id"),
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

# --- organization models: fits over the whole ledger (calibration, effort estimates,
# --- evidence, the comparison table, ...), each stored with the ledger position it was
# --- computed at, so that per-person answers read them instead of refitting. Derived data:
# --- dropping a row only costs a rebuild.

org_models = Table(
    "org_models",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("params", String(200), primary_key=True),  # canonical JSON of the parameters
    Column("format", String(40), nullable=False),  # the code that built it
    Column("last_event_id", BigInteger, nullable=False),
    Column("last_erasure_id", Integer, nullable=False),
    Column("framework_version", Integer, nullable=False),
    Column("last_person_id", Integer, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("built_at", DateTime, nullable=False),
    Column("build_seconds", Float, nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

# Each person's alert facts (services.alert_facts): what their events say for the team
# alerts on every day, stored with the count of their events it was read from (their
# ledger position: a person's events only accumulate), the newest framework version and
# erasure then, and the code that wrote it. Derived: a stale or missing row is read again
# from the ledger for that person alone; dropping rows only costs reading them again.
alert_facts = Table(
    "alert_facts",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id"), primary_key=True),
    Column("format", String(40), nullable=False),
    Column("events", Integer, nullable=False),
    Column("framework_version", Integer, nullable=False),
    Column("last_erasure_id", Integer, nullable=False),
    Column("facts", Text, nullable=False),
)
