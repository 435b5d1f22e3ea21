"""The API's bodies as typed dictionaries (SPEC §3), for editors and type checkers. The
client returns the JSON as the server sent it: plain dicts and lists, with these shapes.
Fields may be added by newer servers; none is renamed."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

Role = Literal["viewer", "engineer", "approver", "admin"]
Task = Literal["binary_classification", "regression"]
RiskTier = Literal["low", "medium", "high", "critical"]
ModelStatus = Literal["registered", "deployed", "superseded", "retired"]
Status = Literal["pass", "warn", "fail"]
Compliance = Literal["pass", "warn", "fail", "unevaluated"]
DriftMethod = Literal[
    "ks", "psi", "wasserstein", "jensenshannon", "chisquare", "ztest", "kl_div", "hellinger"
]
ModelSort = Literal["-created_at", "created_at", "name", "-name", "-updated_at"]
Outcome = Literal[
    "deployed",
    "blocked",
    "overridden",
    "superseded",
    "retired",
    "override_requested",
    "override_rejected",
    "override_expired",
    "override_voided",
]
OverrideStatus = Literal["pending", "approved", "rejected", "expired", "voided"]
ColumnKind = Literal["numeric", "categorical"]
DataFormat = Literal["parquet", "csv", "json"]


class Pagination(TypedDict):
    total: int
    skip: int
    limit: int
    pages: int


class TokenUser(TypedDict):
    id: int
    email: str
    role: Role


class TokenResponse(TypedDict):
    access_token: str
    token_type: str
    expires_in: int
    user: TokenUser


class User(TypedDict, total=False):
    id: int
    email: str
    full_name: str | None
    role: Role
    created_at: str


class ModelColumns(TypedDict, total=False):
    prediction: str | None
    label: str | None
    score: str | None
    sensitive: list[str]
    ignore: list[str]


class LatestEvaluation(TypedDict):
    id: int
    status: Status
    risk_score: float
    created_at: str


class Model(TypedDict):
    id: int
    name: str
    version: str
    description: str | None
    task: Task
    risk_tier: RiskTier
    framework: str | None
    tags: list[str]
    owner_id: int | None
    status: ModelStatus
    columns: ModelColumns
    artifact_digest: str | None
    has_reference: bool
    latest_evaluation: LatestEvaluation | None
    created_at: str
    updated_at: str


class ReferenceColumn(TypedDict):
    name: str
    kind: ColumnKind
    missing: int


class ReferenceProfile(TypedDict, total=False):
    model_id: int
    rows: int
    columns: list[ReferenceColumn]
    sha256: str
    uploaded_at: str


class Violation(TypedDict):
    type: Literal["drift", "fairness", "performance", "risk", "no_evaluation"]
    metric: str
    op: str | None
    threshold: float | None
    observed: float | None
    severity: Literal["block", "warn"]
    policy_id: int | None
    policy_version: int | None


class PolicyRef(TypedDict):
    policy_id: int
    version: int


class Evaluation(TypedDict, total=False):
    id: int
    model_id: int
    created_at: str
    status: Status
    drift: dict[str, Any]
    fairness: dict[str, Any] | None
    performance: dict[str, Any] | None
    risk: dict[str, Any]
    metrics: dict[str, float]
    violations: list[Violation]
    skipped_rules: list[dict[str, Any]]
    policy_versions: list[PolicyRef]


class GovernanceResult(TypedDict, total=False):
    status: Status
    risk_score: float | None
    violations: list[Violation]
    policy_versions: list[PolicyRef]
    evaluation_id: int | None


class Deployment(TypedDict, total=False):
    id: int
    model_id: int
    deployed_at: str
    deployed_by: int | None
    environment: str
    previous_status: str | None
    new_status: str | None
    outcome: Outcome
    governance_result: GovernanceResult | None
    override_used: bool
    override_reason: str | None
    notes: str | None
    policy_versions: list[PolicyRef]
    prev_hash: str
    hash: str


class DeployResult(TypedDict, total=False):
    """``{deployment, model}``; a four-eyes override gives ``{deployment,
    override_request}`` instead (202), its deployment row ``override_requested``."""

    deployment: Deployment
    model: Model
    override_request: OverrideRequest


class OverrideRequest(TypedDict, total=False):
    id: int
    model_id: int
    environment: str
    evaluation_id: int | None
    policy_versions: list[PolicyRef]
    governance_result: GovernanceResult
    justification: str
    notes: str | None
    artifact_digest: str | None
    requested_by: int
    requested_at: str
    expires_at: str
    status: OverrideStatus
    decided_by: int | None
    decided_at: str | None
    decision_note: str | None
    deployment_id: int | None


class OverrideDecision(TypedDict, total=False):
    override_request: OverrideRequest
    deployment: Deployment
    model: Model


class Rule(TypedDict, total=False):
    metric: str
    op: Literal[">", ">=", "<", "<=", "==", "!="]
    threshold: float
    severity: Literal["block", "warn"]
    required: bool


class PolicyDraft(TypedDict):
    name: str
    description: str | None
    active: bool
    applies_to: dict[str, list[RiskTier]]
    rules: list[Rule]


class Policy(TypedDict, total=False):
    id: int
    name: str
    description: str | None
    version: int
    active: bool
    applies_to: dict[str, list[RiskTier]]
    rules: list[Rule]
    created_by: int | None
    created_at: str
    updated_at: str


class VerifyReport(TypedDict, total=False):
    ok: bool
    rows_checked: int
    first_invalid_id: int | None
    head_hash: str
