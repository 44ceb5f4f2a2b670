"""All configuration, read once from environment variables with defaults.

Every setting is `GOVBOT_<NAME>`; see the README for the list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from govbot.answering.answerability import ScopeRule
from index.confidence import ConfidencePolicy
from index.fusion import FusionWeights
from knowledge.importers.limits import ImportLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_NAME = "multilingual-e5-small"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"GOVBOT_{name}", default)


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_float(name: str, default: float) -> float:
    return float(_env(name, str(default)))


def _four_floats(value: str) -> tuple[float, float, float, float]:
    numbers = tuple(float(v) for v in value.split(","))
    if len(numbers) != 4:
        raise ValueError(f"expected four comma-separated numbers, got {value!r}")
    return numbers[0], numbers[1], numbers[2], numbers[3]


def _path(name: str, default: Path) -> Path:
    value = Path(_env(name, str(default)))
    return value if value.is_absolute() else PROJECT_ROOT / value


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.x, ::1, localhost)."""
    return host == "localhost" or host == "::1" or host.startswith("127.")


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`get_settings`."""

    kb_dir: Path = field(default_factory=lambda: _path("KB_DIR", PROJECT_ROOT / "knowledge" / "docs"))
    # The city's service catalogue (every service by name, with or without a guide): honest scope declines a
    # service it lists that no guide covers (knowledge/service_catalogue.py).
    service_catalogue: Path = field(
        default_factory=lambda: _path("SERVICE_CATALOGUE", PROJECT_ROOT / "knowledge" / "service_catalogue.tsv")
    )
    var_dir: Path = field(default_factory=lambda: _path("VAR_DIR", PROJECT_ROOT / "var"))
    models_dir: Path = field(default_factory=lambda: _path("MODELS_DIR", PROJECT_ROOT / "models"))
    index_dir: Path = field(
        default_factory=lambda: _path("INDEX_DIR", _path("VAR_DIR", PROJECT_ROOT / "var") / "index")
    )
    # A sentence-transformers model name or path; empty means the converted offline default.
    embedding_model: str = field(default_factory=lambda: _env("EMBEDDING_MODEL", ""))
    user_dict_dir: Path = field(default_factory=lambda: _path("USER_DICT_DIR", PROJECT_ROOT / "index" / "dictionary"))
    # FAISS index kind: "auto" picks exact inner product below hnsw_threshold chunks, else HNSW.
    faiss_index: str = field(default_factory=lambda: _env("FAISS_INDEX", "auto"))
    hnsw_threshold: int = field(default_factory=lambda: _env_int("HNSW_THRESHOLD", 50_000))
    hnsw_m: int = field(default_factory=lambda: _env_int("HNSW_M", 32))
    hnsw_ef_search: int = field(default_factory=lambda: _env_int("HNSW_EF_SEARCH", 64))
    ivf_nlist: int = field(default_factory=lambda: _env_int("IVF_NLIST", 0))
    snapshots_kept: int = field(default_factory=lambda: _env_int("SNAPSHOTS_KEPT", 3))
    torch_threads: int = field(default_factory=lambda: _env_int("TORCH_THREADS", 1))
    # How the embedding model runs: "onnx" (exported once into the model folder, run with ONNX Runtime; PyTorch
    # when the model cannot be exported faithfully) or "torch".
    embedding_engine: str = field(default_factory=lambda: _env("EMBEDDING_ENGINE", "onnx"))
    # Retrieval backend: "embedded" (BM25 + FAISS snapshots in index_dir) or "qdrant" (versioned collections
    # behind an alias; a server at qdrant_url, ":memory:" for local mode in memory, else local mode on disk in
    # index_dir/qdrant).
    retrieval_backend: str = field(default_factory=lambda: _env("RETRIEVAL_BACKEND", "embedded"))
    qdrant_url: str = field(default_factory=lambda: _env("QDRANT_URL", ""))
    qdrant_api_key: str = field(default_factory=lambda: _env("QDRANT_API_KEY", ""))
    qdrant_collection: str = field(default_factory=lambda: _env("QDRANT_COLLECTION", "govbot"))

    database_url: str = field(
        default_factory=lambda: _env(
            "DATABASE_URL", f"sqlite:///{_path('VAR_DIR', PROJECT_ROOT / 'var') / 'govbot.db'}"
        )
    )
    knowledge_timeout: float = field(default_factory=lambda: _env_float("KNOWLEDGE_TIMEOUT", 2.0))
    admin_tokens: str = field(default_factory=lambda: _env("ADMIN_TOKENS", ""))
    admin_tokens_file: Path = field(
        default_factory=lambda: _path("ADMIN_TOKENS_FILE", _path("VAR_DIR", PROJECT_ROOT / "var") / "admin_tokens")
    )
    max_upload_mb: int = field(default_factory=lambda: _env_int("MAX_UPLOAD_MB", 20))
    # Import limits (parser bombs): what an imported .docx/.xlsx may unzip to, and how many pages a PDF may have.
    max_unzipped_mb: int = field(default_factory=lambda: _env_int("MAX_UNZIPPED_MB", 100))
    max_zip_entries: int = field(default_factory=lambda: _env_int("MAX_ZIP_ENTRIES", 2000))
    max_pdf_pages: int = field(default_factory=lambda: _env_int("MAX_PDF_PAGES", 300))
    retention_days: int = field(default_factory=lambda: _env_int("RETENTION_DAYS", 180))
    # Privacy: the data key encrypts ticket callback numbers and keys sender-id hashes (a Fernet key; when unset,
    # one is generated at first start into data_key_file). Retention runs at start-up and every N hours.
    data_key: str = field(default_factory=lambda: _env("DATA_KEY", ""))
    data_key_file: Path = field(
        default_factory=lambda: _path("DATA_KEY_FILE", _path("VAR_DIR", PROJECT_ROOT / "var") / "secrets" / "data.key")
    )
    retention_interval_hours: float = field(default_factory=lambda: _env_float("RETENTION_INTERVAL_HOURS", 6.0))
    review_group_similarity: float = field(default_factory=lambda: _env_float("REVIEW_GROUP_SIMILARITY", 0.88))
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    app_port: int = field(default_factory=lambda: _env_int("APP_PORT", 8000))
    rasa_port: int = field(default_factory=lambda: _env_int("RASA_PORT", 5005))
    actions_port: int = field(default_factory=lambda: _env_int("ACTIONS_PORT", 5055))

    # Identity and access (issue 10). Empty secrets are generated once into var/secrets/ (mode 0600).
    rasa_host: str = field(default_factory=lambda: _env("RASA_HOST", "127.0.0.1"))
    actions_host: str = field(default_factory=lambda: _env("ACTIONS_HOST", "127.0.0.1"))
    session_secret: str = field(default_factory=lambda: _env("SESSION_SECRET", ""))
    session_days: int = field(default_factory=lambda: _env_int("SESSION_DAYS", 30))
    # Secure cookies: "auto" when the request came over https, "1" always, "0" never.
    secure_cookies: str = field(default_factory=lambda: _env("SECURE_COOKIES", "auto"))
    internal_token: str = field(default_factory=lambda: _env("INTERNAL_TOKEN", ""))
    rasa_token: str = field(default_factory=lambda: _env("RASA_TOKEN", ""))
    gateway_secret: str = field(default_factory=lambda: _env("GATEWAY_SECRET", ""))
    voice_state_senders: int = field(default_factory=lambda: _env_int("VOICE_STATE_SENDERS", 10_000))
    voice_state_ttl: float = field(default_factory=lambda: _env_float("VOICE_STATE_TTL", 1800.0))

    # Throughput: connections of each process's shared HTTP client (app -> Rasa, actions -> knowledge service).
    http_pool: int = field(default_factory=lambda: _env_int("HTTP_POOL", 64))
    # Events of one Rasa session before a long conversation continues in a new one (slots carried over).
    tracker_session_events: int = field(default_factory=lambda: _env_int("TRACKER_SESSION_EVENTS", 100))

    # Web hardening (request limits, rate limits, hosts, docs, re-index retries).
    max_body_kb: int = field(default_factory=lambda: _env_int("MAX_BODY_KB", 1024))
    rate_chat: str = field(default_factory=lambda: _env("RATE_CHAT", "30/minute"))
    rate_search: str = field(default_factory=lambda: _env("RATE_SEARCH", "120/minute"))
    rate_tts: str = field(default_factory=lambda: _env("RATE_TTS", "30/minute"))
    rate_admin_failures: str = field(default_factory=lambda: _env("RATE_ADMIN_FAILURES", "10/minute"))
    allowed_hosts_extra: str = field(default_factory=lambda: _env("ALLOWED_HOSTS", ""))
    docs_admin: bool = field(default_factory=lambda: _env("DOCS_ADMIN", "0") == "1")
    reindex_retry_seconds: float = field(default_factory=lambda: _env_float("REINDEX_RETRY_SECONDS", 2.0))

    # Cluster profile, durable state (issue 11). The defaults are the single machine: SQLite under var/, knowledge
    # files on disk, Rasa's in-memory lock store. For replicas, point GOVBOT_DATABASE_URL at PostgreSQL (the tracker
    # store follows it unless GOVBOT_TRACKER_DATABASE_URL says otherwise), set GOVBOT_KB_STORE=database and
    # GOVBOT_REDIS_URL=redis://host:port/db. GOVBOT_LOCK_LIFETIME (seconds) must exceed the worst-case time Rasa
    # spends on one message: at most 10 predicted actions, each custom one making one knowledge-service call that
    # gives up after GOVBOT_KNOWLEDGE_TIMEOUT per phase (connect, write, read, pool: 4 x 2 s), so 80 s at worst.
    tracker_database_url_setting: str = field(default_factory=lambda: _env("TRACKER_DATABASE_URL", ""))
    kb_store: str = field(default_factory=lambda: _env("KB_STORE", "files"))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    lock_lifetime: int = field(default_factory=lambda: _env_int("LOCK_LIFETIME", 90))
    # With GOVBOT_KB_STORE=database: how often a replica looks for other replicas' edits to re-index them.
    kb_poll_seconds: float = field(default_factory=lambda: _env_float("KB_POLL_SECONDS", 1.0))

    # Cluster profile, replicas (issue 11). GOVBOT_RASA_URLS lists the Rasa replicas the app pins conversations onto
    # by consistent hashing (empty: the one Rasa at GOVBOT_RASA_URL); GOVBOT_ACTIONS_URL is where Rasa calls the
    # action servers (a load balancer in the cluster). `govbot cluster` serves the gateway on GOVBOT_CLUSTER_PORT and
    # puts its internal ports from GOVBOT_CLUSTER_PORT_BASE upwards.
    rasa_urls_setting: str = field(default_factory=lambda: _env("RASA_URLS", ""))
    # Rasa processes `govbot run` starts on one machine, on GOVBOT_RASA_PORT and the ports after it: one Rasa
    # process uses one core, so a second one lets the NLU of two conversations run at once (on 2 cores, 8 users:
    # 20 -> 28 messages/s). The app pins each conversation to one of them (consistent hashing, as across
    # replicas), which keeps the in-memory lock store sound. Rasa's own channels on GOVBOT_RASA_PORT go to the first.
    rasa_workers: int = field(default_factory=lambda: _env_int("RASA_WORKERS", 2))
    actions_url_setting: str = field(default_factory=lambda: _env("ACTIONS_URL", ""))
    cluster_port: int = field(default_factory=lambda: _env_int("CLUSTER_PORT", 8080))
    cluster_port_base: int = field(default_factory=lambda: _env_int("CLUSTER_PORT_BASE", 18100))
    cluster_replicas: int = field(default_factory=lambda: _env_int("CLUSTER_REPLICAS", 2))

    # Life events in the dialogue (issue 12): when the NLU is at least this sure a message describes a life
    # event, the closest event is started even if the event search alone would decline.
    event_intent_confidence: float = field(default_factory=lambda: _env_float("EVENT_INTENT_CONFIDENCE", 0.8))
    # A message the NLU takes for a policy-matching or subscription request, or for negative feedback, is
    # answered as a question when the knowledge service answers it from one document at least this confidently
    # ("扩岗补助一家企业一年最多能拿多少" names its policy; "有没有我能领的钱" names none).
    specific_question_confidence: float = field(
        default_factory=lambda: _env_float("SPECIFIC_QUESTION_CONFIDENCE", 0.45)
    )

    # Ranking and decision (retrieval). Each snapshot fits its own fusion weights and confidence calibration
    # at build from its pseudo-queries (index/calibration.py); the four values below serve only when
    # GOVBOT_SELF_CALIBRATE=0 or for a snapshot built without calibration. The thresholds, in probability
    # units, are tuned on the tune split of tests/data/dev_questions.tsv with `python -m benchmarks.tune`.
    self_calibrate: bool = field(default_factory=lambda: _env("SELF_CALIBRATE", "1") not in ("0", "false", "no"))
    fusion_dense: float = field(default_factory=lambda: _env_float("FUSION_DENSE", 1.0))
    fusion_bm25: float = field(default_factory=lambda: _env_float("FUSION_BM25", 0.08))
    fusion_bm25_saturation: float = field(default_factory=lambda: _env_float("FUSION_BM25_SATURATION", 16.0))
    confidence_center: float = field(default_factory=lambda: _env_float("CONFIDENCE_CENTER", 0.906))
    confidence_scale: float = field(default_factory=lambda: _env_float("CONFIDENCE_SCALE", 0.0147))
    fallback_below: float = field(default_factory=lambda: _env_float("FALLBACK_BELOW", 0.2))
    clarify_margin: float = field(default_factory=lambda: _env_float("CLARIFY_MARGIN", 0.01))

    # Honest scope (answerability): logistic weights (bias, then one per answerability.Features field) and the
    # probability below which the assistant declines. Fitted on the dev split only (`python -m benchmarks.answers
    # --fit`); the defaults are the fitted values in answerability.ScopeRule.
    scope_weights: str = field(default_factory=lambda: _env("SCOPE_WEIGHTS", ",".join(map(str, ScopeRule().weights))))
    scope_threshold: float = field(default_factory=lambda: _env_float("SCOPE_THRESHOLD", ScopeRule().threshold))
    scope_modifier_veto: float = field(
        default_factory=lambda: _env_float("SCOPE_MODIFIER_VETO", ScopeRule().modifier_veto)
    )
    # Two documents ranked too close to call: answer from the first when the scope model is this sure of it and
    # its log-odds for it this much above those for the second.
    scope_resolve_floor: float = field(
        default_factory=lambda: _env_float("SCOPE_RESOLVE_FLOOR", ScopeRule().resolve_floor)
    )
    scope_resolve_gap: float = field(default_factory=lambda: _env_float("SCOPE_RESOLVE_GAP", ScopeRule().resolve_gap))
    # A question this much nearer (cosine) to a catalogue service without a guide than to any with one is about it.
    scope_unheld_margin: float = field(
        default_factory=lambda: _env_float("SCOPE_UNHELD_MARGIN", ScopeRule().unheld_margin)
    )
    # The index calibration the scope rule was fitted on: BM25 weight, saturation, confidence centre and scale.
    scope_fitted_on: str = field(
        default_factory=lambda: _env("SCOPE_FITTED_ON", ",".join(map(str, ScopeRule().fitted_on)))
    )

    # Life events (issue 12): an event ranked first at least this confident describes the situation asked about,
    # even when the question's colloquial words are not in its text (the scope check is made for services).
    # Set on the dev split of tests/data/event_routing.tsv (`python -m benchmarks.event_retrieval`).
    event_confidence: float = field(default_factory=lambda: _env_float("EVENT_CONFIDENCE", 0.4))

    @property
    def import_limits(self) -> ImportLimits:
        return ImportLimits(self.max_unzipped_mb, self.max_zip_entries, self.max_pdf_pages)

    @property
    def rasa_model_dir(self) -> Path:
        return self.models_dir / "rasa"

    @property
    def tracker_db(self) -> Path:
        return self.var_dir / "tracker.db"

    @property
    def tracker_database_url(self) -> str:
        """Rasa's tracker store: its own setting, else the app database when that is not SQLite, else var/tracker.db."""
        if self.tracker_database_url_setting:
            return self.tracker_database_url_setting
        if not self.database_url.startswith("sqlite"):
            return self.database_url
        return f"sqlite:///{self.tracker_db}"

    @property
    def kb_mirror_dir(self) -> Path:
        """Where a replica writes the database-held documents for its index builder (GOVBOT_KB_STORE=database)."""
        return self.var_dir / "kb-mirror"

    @property
    def fusion_weights(self) -> FusionWeights:
        return FusionWeights(self.fusion_dense, self.fusion_bm25, self.fusion_bm25_saturation)

    @property
    def confidence_policy(self) -> ConfidencePolicy:
        return ConfidencePolicy(self.confidence_center, self.confidence_scale, self.fallback_below, self.clarify_margin)

    @property
    def scope_rule(self) -> ScopeRule:
        return ScopeRule(
            tuple(float(w) for w in self.scope_weights.split(",")),
            self.scope_threshold,
            self.scope_modifier_veto,
            self.scope_resolve_floor,
            self.scope_resolve_gap,
            _four_floats(self.scope_fitted_on),
            self.scope_unheld_margin,
        )

    @property
    def default_model_dir(self) -> Path:
        return self.models_dir / DEFAULT_MODEL_NAME

    @property
    def embedding_model_ref(self) -> str:
        """What to hand to SentenceTransformer: the configured model or the converted default."""
        return self.embedding_model or str(self.default_model_dir)

    @property
    def secrets_dir(self) -> Path:
        return self.var_dir / "secrets"

    @property
    def gateway_signature_required(self) -> bool:
        """The plain-text channel demands signed requests when a secret is set or Rasa is reachable from outside."""
        return bool(self.gateway_secret) or not (is_loopback(self.host) and is_loopback(self.rasa_host))

    @property
    def allowed_hosts(self) -> list[str]:
        """Host names the app answers to (against DNS rebinding): loopback, the configured host, and extras."""
        extra = [h.strip() for h in self.allowed_hosts_extra.split(",") if h.strip()]
        return list(dict.fromkeys(["127.0.0.1", "localhost", self.host, *extra]))

    @property
    def rasa_url(self) -> str:
        return _env("RASA_URL", f"http://{self.rasa_host}:{self.rasa_port}")

    @property
    def rasa_ports(self) -> list[int]:
        """The ports of the Rasa processes `govbot run` starts."""
        return [self.rasa_port + i for i in range(max(1, self.rasa_workers))]

    @property
    def rasa_urls(self) -> list[str]:
        """The Rasa replicas conversations are spread over: GOVBOT_RASA_URLS, else this machine's Rasa workers."""
        urls = [u.strip().rstrip("/") for u in self.rasa_urls_setting.split(",") if u.strip()]
        return urls or [self.rasa_url] + [f"http://{self.rasa_host}:{port}" for port in self.rasa_ports[1:]]

    @property
    def actions_url(self) -> str:
        return self.actions_url_setting or f"http://127.0.0.1:{self.actions_port}/webhook"

    @property
    def knowledge_url(self) -> str:
        return _env("KNOWLEDGE_URL", f"http://{self.host}:{self.app_port}")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (environment read once)."""
    return Settings()
