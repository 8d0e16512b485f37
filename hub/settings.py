"""One typed settings object, read from the environment (prefix `HUB_`).

Production (`HUB_ENV=production`) refuses to start with development secrets or the development token issuer:
`Settings.check_production()` (the checks in hub/config_check.py, also `hub check-config`) is called by the app
factory and by `hub serve`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from hub.domain import Department

DEV_MOCK_ADMIN_TOKEN = "dev-admin"  # noqa: S105 - a documented development default, refused in production


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


def dev_department_credential(department: Department) -> str:
    return f"dev-{department.value.lower()}-hub"


def dev_webhook_secret(department: Department) -> str:
    return f"dev-{department.value.lower()}-webhook"


def _is_origin(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not parts.path
        and not parts.query
        and not parts.fragment
        and not parts.username
    )


class ProductionConfigError(RuntimeError):
    """The settings are not fit for production; the message names each setting and its fix, never its value."""

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = list(problems)
        super().__init__(
            "refusing to start in production:\n" + "\n".join(f"  - {problem}" for problem in self.problems)
        )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = 8000
    var_dir: Path = Path("var")
    database_url: str = "sqlite+aiosqlite:///var/hub.db"
    redis_url: str | None = None
    # `hub serve` worker processes (more than 1 needs `HUB_REDIS_URL`). On SQLite the processes' writers take turns
    # on a lock file beside the database (`hub.db-writer.lock`): no writer sleeps in SQLite's busy handler.
    workers: int = Field(default=1, ge=1)
    log_level: str = "INFO"
    # SIGTERM: stop accepting, let in-flight requests (and their audit commits) finish for at most this long,
    # close subscriptions with 1012 (service restart, so clients reconnect elsewhere), then exit.
    shutdown_grace_s: int = Field(default=20, ge=1)
    # Proxy headers (X-Forwarded-For/-Proto) are honoured only from these addresses (comma-separated, or "*").
    # HUB_TRUSTED_PROXIES is the same setting under the name the hardening issue gives it.
    forwarded_allow_ips: str = Field(
        default="127.0.0.1,::1",
        validation_alias=AliasChoices(
            "HUB_TRUSTED_PROXIES", "HUB_FORWARDED_ALLOW_IPS", "forwarded_allow_ips"
        ),
    )
    # Strict-Transport-Security on every response: only when the hub is reached over TLS (at the proxy).
    hsts: bool = False
    # OpenTelemetry traces over OTLP/HTTP (hub.tracing): off unless this (or OTEL_EXPORTER_OTLP_ENDPOINT) is set.
    otel_exporter_otlp_endpoint: str = ""
    otel_service_name: str = "familiehub"  # the traces' service.name
    # The demo world's anchor date (YYYY-MM-DD); unset: today, or what `hub seed` recorded (hub/world/anchor.py)
    world_anchor: date | None = None

    # Department systems (base URLs and the hub's client credential for each).
    sof_url: str = "http://127.0.0.1:8101"
    bif_url: str = "http://127.0.0.1:8102"
    buf_url: str = "http://127.0.0.1:8103"
    kff_url: str = "http://127.0.0.1:8104"
    suf_url: str = "http://127.0.0.1:8105"
    sof_credential: SecretStr = SecretStr(dev_department_credential(Department.SOF))
    bif_credential: SecretStr = SecretStr(dev_department_credential(Department.BIF))
    buf_credential: SecretStr = SecretStr(dev_department_credential(Department.BUF))
    kff_credential: SecretStr = SecretStr(dev_department_credential(Department.KFF))
    suf_credential: SecretStr = SecretStr(dev_department_credential(Department.SUF))
    mock_admin_token: SecretStr = SecretStr(DEV_MOCK_ADMIN_TOKEN)

    # Connectors
    connect_timeout_s: float = 1.0
    read_timeout_s: float = 3.0
    request_deadline_s: float = 5.0
    # How long a view waits for one department before serving its sections from the cache (STALE) or as
    # UNAVAILABLE; the call may finish in the background. Also the breaker's slow-call threshold.
    department_budget_s: float = Field(default=1.0, gt=0)

    # Secrets for CPR numbers at rest. Empty in development: generated once under var_dir (never committed).
    cpr_encryption_key: SecretStr = SecretStr("")
    cpr_hash_key: SecretStr = SecretStr("")

    # Identity (OIDC). Empty issuer in development: the hub runs its own development issuer under var_dir.
    oidc_issuer: str = ""
    oidc_audience: str = "familiehub"
    oidc_jwks_url: str = ""
    oidc_algorithm: str = "ES256"
    dev_issuer: bool = True
    oidc_leeway_s: int = 30  # clock skew allowed on exp/nbf/iat; at most 60 (enforced by hub.auth.verifier)
    oidc_jwks_refetch_s: float = 30.0  # at most one JWKS fetch per this many seconds (unknown kid, refresh)
    # Users from the identity provider (hub/auth/claims.py). Empty group mapping: users come only from the users
    # table (the development issuer's seeded users); set, every token's groups decide its holder's role.
    oidc_group_roles: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    oidc_roles_claim: str = "groups"  # the claim listing the user's groups (dotted path for a nested claim)
    oidc_department_claim: str = "department"  # the department code (SOF..SUF) when the group does not say
    oidc_username_claim: str = "preferred_username"  # the username shown to staff (falls back to `sub`)
    oidc_name_claim: str = "name"  # the display name (falls back to the username)
    auth_user_cache_s: float = 30.0  # without the read model: how long a user look-up is cached per process
    token_cache_size: int = Field(
        default=10_000, ge=1
    )  # verified tokens kept (by SHA-256 of the whole token) until they expire

    # The in-process read model of access, consent, membership and user facts (hub/readmodel)
    readmodel_enabled: bool = True
    readmodel_max_users: int = Field(default=10_000, ge=1)  # token subjects (principals) kept
    readmodel_max_families: int = Field(default=10_000, ge=1)  # families kept (row, current members, team)
    readmodel_max_persons: int = Field(
        default=50_000, ge=1
    )  # persons kept (membership, caseload, custody, consents)

    # Break-the-glass (hub/access/breakglass): how long a worker's emergency access to a family lasts, in seconds.
    break_glass_ttl_s: int = Field(default=4 * 3600, ge=60, le=24 * 3600)

    # Browser origins (scheme://host[:port]) allowed to call the API from another origin: one list for the CORS
    # allow-list and the WebSocket origin check. Comma-separated or a JSON list; empty: same-origin pages only.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # GraphQL hardening
    max_query_depth: int = 12
    max_query_tokens: int = 3000
    max_aliases: int = 30
    introspection: bool | None = None  # default: on in development, off in production
    # Prometheus' bearer token for `GET /metrics` (`Authorization: Bearer <token>`). Unset: /metrics is open in
    # development and closed (404) in production.
    metrics_token: SecretStr = SecretStr("")
    # The federation router's shared secret, sent as `X-Hub-Federation-Secret`: in production (or wherever it is
    # set) `_service { sdl }` and `_entities` answer only requests carrying it; unset in production: closed.
    federation_secret: SecretStr = SecretStr("")
    max_entities: int = 500  # representations per `_entities` call (a federation router sends small batches)
    max_directives_per_location: int = 5  # directives on one field, fragment or operation
    max_directives: int = 50  # directives in one document
    # estimated objects an operation may fetch (schema/cost.py): QUERY_TOO_COMPLEX beyond; a whole family's view
    # costs about 640, twenty of them in one list about 12,000
    max_query_cost: int = Field(default=20_000, ge=1)
    # the size assumed for a list without a first/last/limit argument (e.g. a family's members)
    query_cost_list_size: int = Field(default=10, ge=1)

    # Refusals at the edge (hub/edge.py), before a document is parsed
    max_body_bytes: int = 1024 * 1024  # /graphql request body, counted while it is read: 413 beyond
    max_webhook_body_bytes: int = (
        5 * 1024 * 1024
    )  # a push batch (webhook, or /graphql as a department system)
    max_url_bytes: int = 8192  # path and query string: 414 beyond

    # Trusted documents (hub/documents): "required" runs only the manifest's operations (the default in
    # production), "off" runs ad-hoc documents too and registers APQ hashes (the default in development)
    trusted_documents: Literal["required", "off"] | None = None
    # the manifest `hub documents build` writes; unset: the checked-in schema/trusted-documents.json
    trusted_documents_manifest: Path | None = None

    # Rate limits (hub/ratelimit.py), per principal, in the `limits` notation ("100/second;3000/minute"); each
    # client address gets rate_limit_address_factor times as much. Shared through Redis when redis_url is set.
    rate_limit_enabled: bool = True  # false: no rate limits (a benchmark that means to saturate the hub)
    rate_limit_query: str = "3000/minute"  # GraphQL queries per principal
    rate_limit_mutation: str = "1200/minute"  # GraphQL mutations per principal
    rate_limit_subscription: str = "300/minute"  # subscription starts per principal
    rate_limit_webhook: str = "3000/minute"  # webhook pushes per department
    rate_limit_address_factor: int = Field(
        default=5, ge=1
    )  # a client address's budget: this times a principal's

    # Webhooks: HMAC secrets per department system (comma-separated while rotating: the new one first)
    webhook_tolerance_s: int = 300
    sof_webhook_secret: SecretStr = SecretStr(dev_webhook_secret(Department.SOF))
    bif_webhook_secret: SecretStr = SecretStr(dev_webhook_secret(Department.BIF))
    buf_webhook_secret: SecretStr = SecretStr(dev_webhook_secret(Department.BUF))
    kff_webhook_secret: SecretStr = SecretStr(dev_webhook_secret(Department.KFF))
    suf_webhook_secret: SecretStr = SecretStr(dev_webhook_secret(Department.SUF))
    max_push_batch: int = 500  # events per push (GraphQL or webhook)
    pubsub_prefix: str = "familiehub"  # Redis channel prefix (one per deployment, or per test run)
    # familyUpdated(familyId, after: cursor) replays at most this many stored updates (then RELOAD_REQUIRED)
    subscription_replay_max: int = Field(default=1000, ge=1)
    # A live meeting's pen (hub/plan/live_meeting.py) lapses after this many seconds without a draft update
    meeting_pen_lease_s: int = Field(default=120, ge=5, le=3600)

    # Programme capacity (issue: enrolment)
    capacity: int = 35
    capacity_first_year: int = 20
    programme_start: str = "2023-01-01"
    # Early signals (hub/signals): an enrolled family nobody has met (meeting held, measurement taken) for more
    # than this many weeks is signalled NO_CONTACT
    signal_no_contact_weeks: int = Field(default=8, ge=1, le=52)
    # The family's agenda (hub/agenda): two appointments for one person closer than this many minutes at two
    # places are a conflict (no time to travel)
    agenda_travel_gap_minutes: int = Field(default=30, ge=0, le=240)
    # More municipal appointments than this in one week for one family is a conflict (WEEKLY_LOAD)
    agenda_weekly_limit: int = Field(default=6, ge=1, le=50)
    # Outcome snapshots (hub/outcomes): each department's own effect indicators as JSON, a list of {"key",
    # "label", "department", "collection", "where"}, e.g. SOF's active measures: {"key": "SOF_ACTIVE_MEASURES",
    # "label": "Aktive støttende indsatser", "department": "SOF", "collection": "measures", "where":
    # {"status": "ACTIVE"}}
    outcome_indicators: str = ""
    # Half-yearly outcome snapshots (hub/outcomes/schedule.py): every hub process looks this often (seconds) for
    # enrolled families whose half-year has come and takes each snapshot once (a claim per family and period,
    # safe with several replicas); 0 turns the background task off (`hub outcomes snapshot-due` still works)
    outcome_snapshot_interval_s: float = Field(default=3600.0, ge=0, le=86400)

    # Audit log retention per kind, in days; the minimums are the legal floors (DOMAIN.md section 5).
    audit_retention_citizen_days: int = Field(default=730, ge=730)
    audit_retention_security_days: int = Field(default=183, ge=183)
    audit_retention_change_days: int = Field(default=1827, ge=1827)

    # Audit group commit (hub/audit/group.py): requests waiting for the log at most (then SERVICE_OVERLOADED,
    # HTTP 503 with Retry-After)
    audit_queue_max_requests: int = Field(default=1000, ge=1)
    # Audit group commit: events appended in one transaction at most
    audit_batch_max_events: int = Field(default=5000, ge=1)

    # The in-process LRU of department data per hub process (hub/ingestion/memory.py), in entries
    # (one entry: one person in one department).
    section_cache_max_entries: int = Field(default=20_000, ge=1)

    cache_ttl_s: int = Field(default=300, description="default freshness of cached department data")
    # Per-department freshness overrides, e.g. HUB_CACHE_TTL_BY_DEPARTMENT='{"SUF": 900}'
    cache_ttl_by_department: dict[Department, int] = Field(default_factory=dict)
    stale_max_age_s: int = Field(
        default=24 * 3600,
        ge=0,
        description="stale-if-error: the oldest cached department data (seconds since it was obtained) served, "
        "marked STALE, while the department cannot answer; older is UNAVAILABLE",
    )
    # Per-department stale-if-error limits, e.g. HUB_STALE_MAX_AGE_BY_DEPARTMENT='{"SUF": 3600, "BIF": 172800}'
    stale_max_age_by_department: dict[Department, int] = Field(default_factory=dict)

    @field_validator(
        "rate_limit_query", "rate_limit_mutation", "rate_limit_subscription", "rate_limit_webhook"
    )
    @classmethod
    def _parse_rate(cls, value: str) -> str:
        from limits import parse_many

        parse_many(value)  # raises ValueError on a malformed limit
        return value

    @field_validator("oidc_group_roles", mode="before")
    @classmethod
    def _parse_group_roles(cls, value: object) -> object:
        from hub.auth.claims import parse_group_roles

        return parse_group_roles(value)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else [o for o in text.split(",") if o.strip()]
        if isinstance(value, list):
            origins = [str(o).strip().rstrip("/") for o in value]
            for origin in origins:
                if origin != "*" and not _is_origin(origin):
                    raise ValueError(f"not an origin (scheme://host[:port], no path): {origin!r}")
            return origins
        return value

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def trusted_documents_required(self) -> bool:
        mode = self.trusted_documents or ("required" if self.is_production else "off")
        return mode == "required"

    @property
    def introspection_enabled(self) -> bool:
        return (not self.is_production) if self.introspection is None else self.introspection

    def server_options(self) -> dict[str, Any]:
        """uvicorn keyword arguments shared by `hub serve` and `hub up`."""
        return {
            "timeout_graceful_shutdown": self.shutdown_grace_s,
            "proxy_headers": True,
            "forwarded_allow_ips": self.forwarded_allow_ips,
        }

    def department_url(self, department: Department) -> str:
        url: str = getattr(self, f"{department.value.lower()}_url")
        return url

    def department_credential(self, department: Department) -> str:
        secret: SecretStr = getattr(self, f"{department.value.lower()}_credential")
        return secret.get_secret_value()

    def webhook_secrets(self, department: Department) -> list[str]:
        """Every secret that verifies the department's webhook: `HUB_<DEPT>_WEBHOOK_SECRET` may list two,
        comma-separated (the new one first), while a department rolls over to the new one (README, key rotation)."""
        secret: SecretStr = getattr(self, f"{department.value.lower()}_webhook_secret")
        return [s.strip() for s in secret.get_secret_value().split(",") if s.strip()]

    def webhook_secret(self, department: Department) -> str:
        """The department's current webhook secret (the first listed); empty when none is set."""
        secrets = self.webhook_secrets(department)
        return secrets[0] if secrets else ""

    def cache_ttl(self, department: Department) -> int:
        return self.cache_ttl_by_department.get(department, self.cache_ttl_s)

    def stale_max_age(self, department: Department) -> int:
        return self.stale_max_age_by_department.get(department, self.stale_max_age_s)

    def check_production(self) -> None:
        """Refuse development secrets and issuers in production. Raises ProductionConfigError listing every
        problem (the checks live in hub/config_check.py, shared with `hub check-config`)."""
        if not self.is_production:
            return
        from hub.config_check import production_problems

        problems = production_problems(self)
        if problems:
            raise ProductionConfigError(problems)
