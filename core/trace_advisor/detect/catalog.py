"""Data, not logic: well-known client APIs by import path, what they touch, and which OTel package traces them.

A resolved callee matches an entry by its dotted import path, or by the same name under its top-level package
(``pika.adapters.blocking_connection:BlockingChannel.basic_publish`` is ``pika.BlockingChannel.basic_publish``).
boto3 clients are named after their service when the code names it (``boto3.client("sqs")`` is a
``botocore.client.SQS``, as boto3 names the class it builds; ``resolve/returns.py``), else
``botocore.client.BaseClient``: messaging entries name their distinctive methods on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from trace_advisor.detect.django_databases import DJANGO_QUERIES


@dataclass(frozen=True, slots=True)
class Api:
    """A family of calls recognised by dotted target name (exact, or a prefix when ``pattern`` ends with ``.``)."""

    pattern: str
    kind: str  # http | db | cache | file | subprocess | rpc | cloud | messaging | search
    system: str  # OTel semantic-convention value where one exists (db.system, messaging.system, rpc.system)
    label: str  # human wording for rationales
    instrumentation: str | None = None  # distribution name of the OTel auto-instrumentation package
    operation: str = ""  # publish | receive | request | process | write | read (message bus and state changes)


SQLALCHEMY = "opentelemetry-instrumentation-sqlalchemy"  # also Flask-SQLAlchemy's queries by shape (apis)
# the remote-control commands of Celery's ``app.control`` (``celery.app.control.Control``)
CELERY_CONTROL = (
    "inspect",
    "broadcast",
    "ping",
    "revoke",
    "revoke_by_stamped_headers",
    "terminate",
    "rate_limit",
    "time_limit",
    "add_consumer",
    "cancel_consumer",
    "enable_events",
    "disable_events",
    "pool_grow",
    "pool_shrink",
    "pool_restart",
    "autoscale",
    "shutdown",
    "heartbeat",
    "election",
    "purge",
    "discard_all",
)


def _db(module: str, system: str, instr: str | None) -> Api:
    return Api(f"{module}.", "db", system, f"{system} database", instr)


_HTTP_VERBS = ("request", "get", "post", "put", "patch", "delete", "head", "options")


def _http(instrumentation: str | None, *patterns: str) -> tuple[Api, ...]:
    return tuple(Api(pattern, "http", "http", "external HTTP", instrumentation) for pattern in patterns)


def _vendor(label: str, *patterns: str) -> tuple[Api, ...]:
    """A vendor's SDK for its HTTP API: no OTel instrumentation of its own (the HTTP library under it may have one)."""
    return tuple(Api(pattern, "http", "http", label, None) for pattern in patterns)


# Calls into client packages that do no I/O themselves: what they set up connects on its first request, what they
# build or stage is sent by a later call, or they read a response already received. Method (or function) name -> the
# classes or packages it holds under, by dotted name; () is every client package (``redis.Redis.from_url``,
# ``boto3.session.Session.client``). A call that matches is no evidence of I/O, resolved (any of its dotted names) or
# guessed from its name (an unresolved ``cache.pipeline()``; names held only under some classes are never guessed).
_DBAPI_DRIVERS = (
    *("sqlite3", "psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql.connector", "aiopg", "aiomysql", "asyncmy"),
    *("aiosqlite", "pyodbc", "oracledb", "cx_Oracle", "pymssql", "snowflake.connector", "databricks.sql", "trino"),
)
_RESPONSES = ("requests.Response", "httpx.Response")  # read already (aiohttp's ``ClientResponse.json`` reads the body)
# responses that stream their body: reading it is I/O (``read``, ``stream``), its status, headers and state are not
_STREAMED_RESPONSES = ("urllib3.HTTPResponse", "urllib3.BaseHTTPResponse", "http.client.HTTPResponse")
ORM_SESSIONS = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy")  # ``add`` on a memcached client is a round trip
NO_IO_CALLS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # setting a client, pool, engine or session up
        "from_url": (),
        "from_env": (),
        # a copy of a Stainless SDK's client with other options (OpenAI's, Anthropic's, Groq's): set up, not sent
        "with_options": (),
        "init": ("vertexai",),  # ``vertexai.init(project=..., location=...)`` sets the SDK's defaults
        "create_engine": (),
        "create_async_engine": (),
        "sessionmaker": (),
        "async_sessionmaker": (),
        "scoped_session": (),
        "client": (),
        "resource": (),
        "session": (),
        "proxy_from_url": (),
        "connection_from_url": (),
        # configuring or releasing a client, reading a response already received
        "mount": ("requests.Session",),
        "get_adapter": ("requests.Session",),
        "merge_environment_settings": ("requests.Session",),
        "close": (
            "requests.Session",
            "httpx.Client",
            "aiohttp.ClientSession",
            "aiohttp.ClientWebSocketResponse",  # a close frame at the end of a conversation: no operation of its own
            "aiohttp.WebSocketResponse",
            *_RESPONSES,
            *_STREAMED_RESPONSES,
        ),
        "aclose": ("httpx.AsyncClient", "httpx.Response"),  # hands pooled connections back: no request
        # a streamed response's state and headers, and handing its connection back to the pool (MinIO's
        # ``response.close(); response.release_conn()`` after each request read "external HTTP via ...close")
        **dict.fromkeys(
            (
                *("release_conn", "isclosed", "getheader", "getheaders", "geturl", "getcode", "info", "fileno"),
                *("tell", "readable", "get_redirect_location", "flush"),
            ),
            _STREAMED_RESPONSES,
        ),
        "raise_for_status": (),
        "json": _RESPONSES,
        "model_dump": (),  # converting an SDK's response object (pydantic: ``Message.model_dump_json``)
        "model_dump_json": (),
        "model_validate": (),
        "model_validate_json": (),
        "model_copy": (),
        "to_dict": (),
        "to_json": (),
        # a request, batch or query built for another call to send or run
        "prepare_request": (),
        "build_request": (),
        "pipeline": (),
        "multi": ("redis.Pipeline",),  # marks a pipeline transactional: MULTI goes out with the batch at ``execute()``
        "pubsub": (),
        "register_script": ("redis",),  # a Script object: EVALSHA (or SCRIPT LOAD) happens on its first call
        "get_paginator": (),
        "can_paginate": (),
        "get_waiter": (),
        "index": ("meilisearch.Client",),  # a handle on one index: its search, add_documents... are the requests
        # a presigned URL is signed in memory, for someone else to request
        **dict.fromkeys(
            ("presigned_get_object", "presigned_put_object", "get_presigned_url", "presigned_post_policy"),
            ("minio.Minio", "minio.api.Minio"),
        ),
        # a webhook's payload checked against its signature and parsed: the vendor's SDK computes an HMAC, no request
        "construct_event": ("stripe.Webhook", "stripe._webhook.Webhook"),
        "verify_header": ("stripe.WebhookSignature", "stripe._webhook.WebhookSignature"),
        "construct_from": ("stripe",),  # an API object built from a dict already received (``stripe.Event``)
        # a DB-API connection's cursor is made in memory (also awaited: aiopg, aiomysql); its execute is the query
        # (asyncpg's ``cursor(query)`` is the query itself, run as it is iterated: not listed)
        "cursor": _DBAPI_DRIVERS,
        "transaction": ("asyncpg.Connection", "asyncpg.connection.Connection"),  # ``start()`` sends BEGIN
        "select": (),  # ``self.followers.select()`` on a write-only relationship: a session executes it
        "subquery": (),
        "query": ORM_SESSIONS,  # ``session.query(User)`` builds a Query: its ``all()``/``first()`` runs it
        "get_bind": ORM_SESSIONS,  # the engine or connection a session would use
        # a change staged in memory: the flush or commit sends it
        "add": ORM_SESSIONS,
        "add_all": ORM_SESSIONS,
        "expunge": ORM_SESSIONS,
        "expunge_all": ORM_SESSIONS,
        "sqlmodel_update": ("sqlmodel",),
    }
)


_BOTOCORE = "opentelemetry-instrumentation-botocore"
_ELASTICSEARCH = "opentelemetry-instrumentation-elasticsearch"
# elasticsearch-dsl's classes (and their async forms) and the methods of theirs that send a request
_ES_DSL_OPERATIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("Search", "AsyncSearch"), ("execute", "count", "delete", "scan", "iterate")),
    (("MultiSearch", "AsyncMultiSearch", "UpdateByQuery", "AsyncUpdateByQuery"), ("execute",)),
    (("Document", "AsyncDocument"), ("save", "delete", "update", "get", "mget", "exists", "init")),
    (
        ("Index", "AsyncIndex"),
        ("create", "delete", "exists", "refresh", "flush", "save", "get_mapping", "put_mapping", "get_settings"),
    ),
)


def _aws(service: str, method: str, system: str, label: str, operation: str) -> tuple[Api, ...]:
    return tuple(
        Api(f"botocore.client.{client}.{method}", "messaging", system, label, _BOTOCORE, operation)
        for client in (service, "BaseClient")
    )


# Ordered most specific first: the first matching entry wins.
APIS: tuple[Api, ...] = (
    # ---- message bus ---------------------------------------------------------------------------------------
    # AWS messaging: on the service's own client (``boto3.client("sqs")`` is a ``botocore.client.SQS``) and on a
    # client whose service is not known (``boto3.client(name)``: botocore's ``BaseClient``)
    *_aws("SQS", "send_message", "aws_sqs", "SQS send", "publish"),
    *_aws("SQS", "send_message_batch", "aws_sqs", "SQS send", "publish"),
    *_aws("SQS", "receive_message", "aws_sqs", "SQS receive", "receive"),
    *_aws("SNS", "publish", "aws_sns", "SNS publish", "publish"),
    *_aws("SNS", "publish_batch", "aws_sns", "SNS publish", "publish"),
    *_aws("Kinesis", "put_record", "aws_kinesis", "Kinesis put", "publish"),
    *_aws("Kinesis", "put_records", "aws_kinesis", "Kinesis put", "publish"),
    *_aws("EventBridge", "put_events", "aws_eventbridge", "EventBridge put", "publish"),
    # boto3's SQS resource: a ``Queue`` sends and receives
    *(
        Api(f"boto3.resources.factory.sqs.Queue.{method}", "messaging", "aws_sqs", label, _BOTOCORE, operation)
        for method, label, operation in (
            ("send_message", "SQS send", "publish"),
            ("send_messages", "SQS send", "publish"),
            ("receive_messages", "SQS receive", "receive"),
        )
    ),
    Api(
        "confluent_kafka.Producer.produce",
        "messaging",
        "kafka",
        "Kafka produce",
        "opentelemetry-instrumentation-confluent-kafka",
        "publish",
    ),
    Api(
        "confluent_kafka.Consumer.poll",
        "messaging",
        "kafka",
        "Kafka poll",
        "opentelemetry-instrumentation-confluent-kafka",
        "receive",
    ),
    Api(
        "confluent_kafka.Consumer.consume",
        "messaging",
        "kafka",
        "Kafka consume",
        "opentelemetry-instrumentation-confluent-kafka",
        "receive",
    ),
    Api(
        "kafka.KafkaProducer.send",
        "messaging",
        "kafka",
        "Kafka send",
        "opentelemetry-instrumentation-kafka-python",
        "publish",
    ),
    Api(
        "kafka.KafkaConsumer.poll",
        "messaging",
        "kafka",
        "Kafka poll",
        "opentelemetry-instrumentation-kafka-python",
        "receive",
    ),
    Api(
        "aiokafka.AIOKafkaProducer.send",
        "messaging",
        "kafka",
        "Kafka send",
        "opentelemetry-instrumentation-aiokafka",
        "publish",
    ),
    Api(
        "aiokafka.AIOKafkaProducer.send_and_wait",
        "messaging",
        "kafka",
        "Kafka send",
        "opentelemetry-instrumentation-aiokafka",
        "publish",
    ),
    Api(
        "pika.BlockingChannel.basic_publish",
        "messaging",
        "rabbitmq",
        "RabbitMQ publish",
        "opentelemetry-instrumentation-pika",
        "publish",
    ),
    Api(
        "pika.BlockingChannel.basic_consume",
        "messaging",
        "rabbitmq",
        "RabbitMQ consume",
        "opentelemetry-instrumentation-pika",
        "receive",
    ),
    Api(
        "pika.Channel.basic_publish",
        "messaging",
        "rabbitmq",
        "RabbitMQ publish",
        "opentelemetry-instrumentation-pika",
        "publish",
    ),
    Api(
        "pika.Channel.basic_consume",
        "messaging",
        "rabbitmq",
        "RabbitMQ consume",
        "opentelemetry-instrumentation-pika",
        "receive",
    ),
    Api(
        "pika.Channel.basic_get",
        "messaging",
        "rabbitmq",
        "RabbitMQ get",
        "opentelemetry-instrumentation-pika",
        "receive",
    ),
    Api(
        "aio_pika.Exchange.publish",
        "messaging",
        "rabbitmq",
        "RabbitMQ publish",
        "opentelemetry-instrumentation-aio-pika",
        "publish",
    ),
    Api(
        "celery.Task.delay",
        "messaging",
        "celery",
        "Celery task dispatch",
        "opentelemetry-instrumentation-celery",
        "publish",
    ),
    Api(
        "celery.Task.apply_async",
        "messaging",
        "celery",
        "Celery task dispatch",
        "opentelemetry-instrumentation-celery",
        "publish",
    ),
    Api(
        "celery.Celery.send_task",
        "messaging",
        "celery",
        "Celery task dispatch",
        "opentelemetry-instrumentation-celery",
        "publish",
    ),
    # a dramatiq actor's send enqueues a message on its broker (RabbitMQ or Redis); no OpenTelemetry instrumentation
    # carries the context (resolve/decorators.py makes ``@dramatiq.actor`` functions actors)
    *(
        Api(f"dramatiq.Actor.{method}", "messaging", "dramatiq", "Dramatiq message", None, "publish")
        for method in ("send", "send_with_options")
    ),
    # Celery's remote control (``app.control``): each sends a command to the workers over the broker, most wait for
    # their replies; ``inspect(...)`` makes the inspector whose method (``stats()``, ``active()``, often chosen at run
    # time: ``getattr(inspect, method)()``) broadcasts, so the round trip is counted where it is made. Celery's
    # instrumentation spans task runs and sends, not these.
    *(
        Api(f"celery.app.control.Control.{method}", "messaging", "celery", "Celery remote control", None, "request")
        for method in CELERY_CONTROL
    ),
    # ---- HTTP --------------------------------------------------------------------------------------------------
    # Only the clients themselves: a package's other classes and helpers (``aiohttp.BasicAuth.encode``,
    # ``httpx.URL.join``, ``requests.utils.requote_uri``, ``aiohttp.web``'s server side) send nothing.
    *_http(
        "opentelemetry-instrumentation-requests",
        *(f"requests.{verb}" for verb in _HTTP_VERBS),
        "requests.Session.",
        "requests.HTTPAdapter.send",
        "requests.Response.iter_content",
        "requests.Response.iter_lines",
    ),
    *_http(
        "opentelemetry-instrumentation-httpx",
        *(f"httpx.{verb}" for verb in (*_HTTP_VERBS, "stream")),
        "httpx.Client.",
        "httpx.AsyncClient.",
        "httpx.HTTPTransport.handle_request",
        "httpx.AsyncHTTPTransport.handle_async_request",
    ),
    *_http(
        None,  # pydantic's successor of httpx, the OpenAI SDK's client since 2026: no OTel instrumentation for it yet
        *(f"httpx2.{verb}" for verb in (*_HTTP_VERBS, "stream")),
        "httpx2.Client.",
        "httpx2.AsyncClient.",
        "httpx2.HTTPTransport.handle_request",
        "httpx2.AsyncHTTPTransport.handle_async_request",
    ),
    *_http(
        "opentelemetry-instrumentation-aiohttp-client",
        "aiohttp.request",
        "aiohttp.ClientSession.",
        "aiohttp.ClientResponse.",  # reading the body is I/O: aiohttp streams it
    ),
    Api("aiohttp.ClientWebSocketResponse.", "http", "http", "WebSocket"),
    Api("urllib.request.urlopen", "http", "http", "external HTTP", "opentelemetry-instrumentation-urllib"),
    Api("urllib.request.urlretrieve", "http", "http", "external HTTP", "opentelemetry-instrumentation-urllib"),
    Api("urllib.request.OpenerDirector.open", "http", "http", "external HTTP", "opentelemetry-instrumentation-urllib"),
    *_http(
        "opentelemetry-instrumentation-urllib3",
        "urllib3.request",
        "urllib3.PoolManager.",
        "urllib3.RequestMethods.",  # ``pool.request(...)``: a pool's or manager's request, defined on their base
        "urllib3.ProxyManager.",
        "urllib3.HTTPConnectionPool.",
        "urllib3.HTTPSConnectionPool.",
        "urllib3.HTTPResponse.",  # reading a body it streams
    ),
    Api("http.client.", "http", "http", "external HTTP", None),
    Api("tornado.httpclient.", "http", "http", "external HTTP", "opentelemetry-instrumentation-tornado"),
    # libcurl's binding: ``perform`` sends the request set up by ``setopt`` (no OTel instrumentation for it)
    *_http(None, "pycurl.Curl.perform", "pycurl.Curl.perform_rb", "pycurl.Curl.perform_rs", "pycurl.CurlMulti.perform"),
    # ---- databases and caches ----------------------------------------------------------------------------------
    _db("sqlite3", "sqlite", "opentelemetry-instrumentation-sqlite3"),
    _db("aiosqlite", "sqlite", None),
    _db("psycopg2", "postgresql", "opentelemetry-instrumentation-psycopg2"),
    _db("psycopg", "postgresql", "opentelemetry-instrumentation-psycopg"),
    _db("asyncpg", "postgresql", "opentelemetry-instrumentation-asyncpg"),
    _db("pymysql", "mysql", "opentelemetry-instrumentation-pymysql"),
    _db("MySQLdb", "mysql", "opentelemetry-instrumentation-mysqlclient"),
    _db("mysql.connector", "mysql", "opentelemetry-instrumentation-mysql"),
    _db("aiomysql", "mysql", "opentelemetry-instrumentation-aiopg"),
    _db("aiopg", "postgresql", "opentelemetry-instrumentation-aiopg"),
    _db("pyodbc", "mssql", None),
    _db("oracledb", "oracle", None),
    _db("cx_Oracle", "oracle", None),
    _db("sqlalchemy", "sql", "opentelemetry-instrumentation-sqlalchemy"),
    _db("pymongo", "mongodb", "opentelemetry-instrumentation-pymongo"),
    _db("motor", "mongodb", None),
    _db("cassandra", "cassandra", "opentelemetry-instrumentation-cassandra"),
    # ClickHouse: its clients' query methods (the packages also hold SQL quoting and parsing helpers, which do no I/O)
    *(
        Api(pattern, "db", "clickhouse", "clickhouse database", None)
        for pattern in (
            "clickhouse_connect.Client.",  # the abstract client, where query/command/insert/raw_query live
            "clickhouse_connect.HttpClient.",
            "clickhouse_connect.AsyncClient.",
            "clickhouse_connect.get_client",
            "clickhouse_connect.get_async_client",
            "clickhouse_connect.create_client",
            "clickhouse_driver.Client.",
            "aiochclient.ChClient.",
        )
    ),
    _db("sqlmodel", "sql", "opentelemetry-instrumentation-sqlalchemy"),  # SQLModel's Session is SQLAlchemy's
    # Flask-SQLAlchemy's ``db.session`` is a SQLAlchemy session (``db.case``, ``db.Column``... build expressions): its
    # operations that reach the database, and the extension's own query helpers (``db.paginate(query)``,
    # ``db.first_or_404(query)``); ``add``/``delete`` only stage changes until a flush or commit
    *(
        Api(f"flask_sqlalchemy.SQLAlchemy.session.{method}", "db", "sql", "sql database", SQLALCHEMY)
        for method in ("execute", "scalars", "scalar", "get", "commit", "flush", "refresh", "merge", "get_one")
    ),
    *(
        Api(f"flask_sqlalchemy.SQLAlchemy.{method}", "db", "sql", "sql database", SQLALCHEMY)
        for method in ("get_or_404", "first_or_404", "one_or_404", "paginate")
    ),
    _db("django.db", "sql", DJANGO_QUERIES),  # spanned by the database driver's instrumentation, not Django's
    Api("redis.", "cache", "redis", "Redis", "opentelemetry-instrumentation-redis"),
    Api("pymemcache.", "cache", "memcached", "memcached", "opentelemetry-instrumentation-pymemcache"),
    Api("elasticsearch.", "search", "elasticsearch", "Elasticsearch", "opentelemetry-instrumentation-elasticsearch"),
    # elasticsearch-dsl: a Search, a Document or an Index is built in memory; these of their methods send requests
    *(
        Api(f"elasticsearch_dsl.{owner}.{method}", "search", "elasticsearch", "Elasticsearch", _ELASTICSEARCH)
        for owners, methods in _ES_DSL_OPERATIONS
        for owner in owners
        for method in methods
    ),
    # elastic-transport, the HTTP transport under elasticsearch-py (and its clients' own network boundary): a request to
    # an Elasticsearch node, retried across the node pool
    *(
        Api(f"elastic_transport.{owner}.perform_request", "search", "elasticsearch", "Elasticsearch request")
        for owner in ("Transport", "AsyncTransport")
    ),
    # Meilisearch's client: ``Client.index(uid)`` is a handle made in memory (NO_IO_CALLS), the rest are requests
    *_vendor("Meilisearch API", "meilisearch.Client.", "meilisearch.index.Index.", "meilisearch.Index."),
    # MinIO's S3 client: each of its object and bucket methods is a request (over urllib3)
    *_vendor("S3 object storage (MinIO)", "minio.Minio.", "minio.api.Minio."),
    # ---- RPC and cloud -----------------------------------------------------------------------------------------
    Api("grpc.", "rpc", "grpc", "gRPC call", "opentelemetry-instrumentation-grpc"),
    # the MCP SDK's client session: each operation is a JSON-RPC request to an MCP server (a tool call, a listing)
    Api("mcp.ClientSession.", "rpc", "jsonrpc", "MCP request", None),
    Api("openai.", "genai", "openai", "LLM API call", "opentelemetry-instrumentation-openai-v2"),
    Api("anthropic.", "genai", "anthropic", "LLM API call", None),
    Api("google.generativeai.", "genai", "gemini", "LLM API call", None),
    Api("google.genai.", "genai", "gemini", "LLM API call", None),
    Api("cohere.", "genai", "cohere", "LLM API call", None),
    Api("litellm.", "genai", "litellm", "LLM API call", None),
    # more model providers' SDKs: each operation of their clients (``Mistral.chat.complete_async``,
    # ``ollama.AsyncClient.chat``, ``GenerativeModel.generate_content_async``) is a request to the model's API
    Api("mistralai.", "genai", "mistral_ai", "LLM API call", None),
    Api("ollama.", "genai", "ollama", "LLM API call", None),
    Api("vertexai.", "genai", "vertex_ai", "LLM API call", None),
    Api("groq.", "genai", "groq", "LLM API call", None),
    Api("huggingface_hub.InferenceClient.", "genai", "huggingface", "LLM API call", None),
    Api("huggingface_hub.AsyncInferenceClient.", "genai", "huggingface", "LLM API call", None),
    # DynamoDB, through its client or boto3's resource (``boto3.resource("dynamodb").Table(name).put_item``)
    Api("botocore.client.DynamoDB.", "db", "dynamodb", "DynamoDB", _BOTOCORE),
    Api("boto3.resources.factory.dynamodb.", "db", "dynamodb", "DynamoDB", _BOTOCORE),
    Api("boto3.", "cloud", "aws", "AWS API call", "opentelemetry-instrumentation-botocore"),
    Api("botocore.", "cloud", "aws", "AWS API call", "opentelemetry-instrumentation-botocore"),
    Api("google.cloud.", "cloud", "gcp", "Google Cloud API call", None),
    Api("azure.", "cloud", "azure", "Azure API call", None),
    Api("smtplib.", "rpc", "smtp", "SMTP", None),
    Api("aiosmtplib.", "rpc", "smtp", "SMTP", None),
    # sending mail through a library: each call connects to the SMTP server (or the provider's API) and sends
    *(
        Api(pattern, "rpc", "smtp", "sending email", None)
        for pattern in (
            "emails.message.Message.send",  # python-emails (FastAPI's full-stack template)
            "emails.Message.send",
            "django.core.mail.send_mail",
            "django.core.mail.send_mass_mail",
            "django.core.mail.mail_admins",
            "django.core.mail.mail_managers",
            "django.core.mail.EmailMessage.send",
            "django.core.mail.message.EmailMessage.send",
            "flask_mail.Mail.send",
            "flask_mail.Mail.send_message",
            "fastapi_mail.FastMail.send_message",
        )
    ),
    # ---- SaaS and infrastructure APIs through their vendors' SDKs: each operation of a client is a request ----
    *_vendor(
        "Slack API",
        "slack_sdk.WebClient.",
        "slack_sdk.AsyncWebClient.",
        "slack_sdk.BaseClient.",  # ``api_call``, where every WebClient method goes
        "slack_sdk.AsyncBaseClient.",
        "slack_sdk.WebhookClient.",
        "slack_sdk.AsyncWebhookClient.",
        "slack.WebClient.",  # slackclient 2, the SDK's former name
    ),
    *_vendor("Jira API", "jira.JIRA."),
    *_vendor("Atlassian API", "atlassian.Confluence.", "atlassian.Jira.", "atlassian.Bitbucket.", "atlassian.Bamboo."),
    *_vendor("PagerDuty API", "pdpyras.APISession.", "pdpyras.EventsAPISession.", "pdpyras.ChangeEventsAPISession."),
    *_vendor("PagerDuty API", "pagerduty.RestApiV2Client.", "pagerduty.EventsApiV2Client."),
    *_vendor("PagerDuty API", "pypd."),  # the older SDK: resources with class methods (``pypd.EventV2.create``)
    *_vendor(
        "GitHub API",
        "github.Github.",
        "github.Repository.",
        "github.Organization.",
        "github.PullRequest.",
        "github.Issue.",
        "github.NamedUser.",
        "github.AuthenticatedUser.",
    ),
    *_vendor("Stripe API", "stripe."),
    *_vendor("Twilio API", "twilio.rest."),
    *_vendor("SendGrid API", "sendgrid.SendGridAPIClient."),
    *_vendor("Vault API", "hvac."),
    *_vendor(
        "Kubernetes API",
        "kubernetes.client.api.",
        "kubernetes.client.CoreV1Api.",
        "kubernetes.client.AppsV1Api.",
        "kubernetes.client.BatchV1Api.",
        "kubernetes.client.CustomObjectsApi.",
    ),
    *_vendor("Docker API", "docker.DockerClient.", "docker.APIClient.", "docker.models."),
    *_vendor("Opsgenie API", "opsgenie_sdk.api.", "opsgenie_sdk.AlertApi."),
    *_vendor("Microsoft identity", "msal.ConfidentialClientApplication.", "msal.PublicClientApplication."),
    Api("paramiko.SSHClient.", "rpc", "ssh", "SSH", None),
    Api("paramiko.SFTPClient.", "rpc", "ssh", "SFTP", None),
    Api("ftplib.", "rpc", "ftp", "FTP", None),
    Api("socket.create_connection", "rpc", "tcp", "socket connection", None),
    Api("socket.socket", "rpc", "tcp", "socket", None),
    # asyncio's streams and loop sockets: connecting, reading what the peer sends, flushing what was written (a
    # ``write`` only buffers): a protocol client's own network boundary (aiokafka's connection)
    *(
        Api(f"asyncio.{name}", "rpc", "tcp", "socket connection", None)
        for name in ("open_connection", "open_unix_connection")
    ),
    *(
        Api(f"asyncio.StreamReader.{method}", "rpc", "tcp", "socket", None)
        for method in ("read", "readline", "readexactly", "readuntil")
    ),
    Api("asyncio.StreamWriter.drain", "rpc", "tcp", "socket", None),
    *(
        Api(f"asyncio.{loop}.{method}", "rpc", "tcp", label, None)
        for loop in ("AbstractEventLoop", "BaseEventLoop")
        for method, label in (
            *(("create_connection", "socket connection"), ("create_unix_connection", "socket connection")),
            *(("sock_connect", "socket connection"), ("sock_recv", "socket"), ("sock_sendall", "socket")),
        )
    ),
    # ---- processes and files -----------------------------------------------------------------------------------
    Api("subprocess.", "subprocess", "process", "subprocess", None),
    Api("asyncio.create_subprocess_exec", "subprocess", "process", "subprocess", None),
    Api("asyncio.create_subprocess_shell", "subprocess", "process", "subprocess", None),
    Api("os.system", "subprocess", "process", "subprocess", None),
    Api("os.popen", "subprocess", "process", "subprocess", None),
    Api("builtins.open", "file", "file", "file access", None),
    Api("io.open", "file", "file", "file access", None),
    Api("aiofiles.", "file", "file", "file access", None),
    Api("pathlib.Path.read_text", "file", "file", "file access", None),
    Api("pathlib.Path.read_bytes", "file", "file", "file access", None),
    Api("pathlib.Path.write_text", "file", "file", "file write", None, "write"),
    Api("pathlib.Path.write_bytes", "file", "file", "file write", None, "write"),
    Api("pathlib.Path.open", "file", "file", "file access", None),
    Api("pathlib.Path.mkdir", "file", "file", "file system change", None, "write"),
    Api("pathlib.Path.unlink", "file", "file", "file delete", None, "write"),
    Api("pathlib.Path.rename", "file", "file", "file move", None, "write"),
    Api("pathlib.Path.replace", "file", "file", "file move", None, "write"),
    Api("pathlib.Path.touch", "file", "file", "file write", None, "write"),
    Api("pathlib.Path.iterdir", "file", "file", "directory listing", None),
    Api("pathlib.Path.glob", "file", "file", "directory listing", None),
    Api("pathlib.Path.rglob", "file", "file", "directory listing", None),
    Api("os.remove", "file", "file", "file delete", None, "write"),
    Api("os.rename", "file", "file", "file move", None, "write"),
    Api("os.replace", "file", "file", "file move", None, "write"),
    Api("os.makedirs", "file", "file", "file system change", None, "write"),
    Api("os.listdir", "file", "file", "directory listing", None),
    Api("os.scandir", "file", "file", "directory listing", None),
    Api("os.walk", "file", "file", "directory walk", None),
    Api("shutil.copy", "file", "file", "file copy", None, "write"),
    Api("shutil.copytree", "file", "file", "file copy", None, "write"),
    Api("shutil.move", "file", "file", "file move", None, "write"),
    Api("shutil.rmtree", "file", "file", "file delete", None, "write"),
    Api("pyarrow.parquet.write_table", "file", "file", "Parquet write", None, "write"),
    Api("pyarrow.parquet.read_table", "file", "file", "Parquet read", None),
    Api("pandas.read_csv", "file", "file", "CSV read", None),
    Api("pandas.read_parquet", "file", "file", "Parquet read", None),
    Api("pandas.read_sql", "db", "sql", "SQL read", None),
    Api("pandas.DataFrame.to_csv", "file", "file", "CSV write", None, "write"),
    Api("pandas.DataFrame.to_parquet", "file", "file", "Parquet write", None, "write"),
    Api("pandas.DataFrame.to_sql", "db", "sql", "SQL write", None, "write"),
    Api("pickle.dump", "file", "file", "pickle write", None, "write"),
    Api("pickle.load", "file", "file", "pickle read", None),
    Api("tarfile.open", "file", "file", "archive access", None),
    Api("zipfile.ZipFile", "file", "file", "archive access", None),
)
