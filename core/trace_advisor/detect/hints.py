"""Data, not logic: receiver-name hints for untyped clients, hand-offs that lose context, entry-point decorators."""

from __future__ import annotations

# Messaging client methods that publish; the client's other methods receive.
PUBLISH_METHODS = frozenset(
    {"send", "produce", "publish", "basic_publish", "send_message", "send_message_batch", "put_record", "send_and_wait"}
)
# Method names that identify a client API on a receiver whose type is unknown, by words in the receiver's name.
# (receiver words, method names, kind, system, label)
RECEIVER_HINTS: tuple[tuple[frozenset[str], frozenset[str], str, str, str], ...] = (
    (
        frozenset({"cursor", "cur", "conn", "connection", "db", "database", "engine", "session", "tx", "txn"}),
        frozenset(
            {
                "execute",
                "executemany",
                "executescript",
                "fetchone",
                "fetchall",
                "fetchmany",
                "fetchval",
                "fetchrow",
                "fetch",
                "commit",
                "rollback",
                "query",
                "scalars",
                "scalar",
                "merge",
                "flush",
                "bulk_save_objects",
                "copy_from",
                "copy_expert",
            }
        ),
        "db",
        "sql",
        "database query",
    ),
    (
        frozenset({"redis", "cache", "memcache", "memcached", "kv"}),
        frozenset(
            {
                "get",
                "set",
                "setex",
                "mget",
                "mset",
                "hget",
                "hset",
                "hgetall",
                "delete",
                "expire",
                "incr",
                "decr",
                "lpush",
                "rpush",
                "lpop",
                "rpop",
                "sadd",
                "zadd",
                "publish",
                "pipeline",
                "eval",
                "exists",
                "keys",
            }
        ),
        "cache",
        "redis",
        "cache access",
    ),
    (
        # not "session": a SQLAlchemy session's or a web framework's cookie session's ``get``/``delete`` are no HTTP
        # requests; an HTTP session the resolver can follow is matched by the catalog instead
        frozenset({"http", "client", "api", "requests", "httpx", "rest", "web"}),
        frozenset({"get", "post", "put", "patch", "delete", "head", "request", "send", "fetch", "urlopen"}),
        "http",
        "http",
        "remote call",
    ),
    (
        frozenset({"collection", "mongo", "coll", "documents"}),
        frozenset(
            {
                "find",
                "find_one",
                "insert_one",
                "insert_many",
                "update_one",
                "update_many",
                "delete_one",
                "delete_many",
                "aggregate",
                "count_documents",
                "replace_one",
                "bulk_write",
            }
        ),
        "db",
        "mongodb",
        "MongoDB",
    ),
    (
        frozenset({"producer", "publisher", "channel", "exchange", "topic", "bus", "broker", "queue", "sqs", "sns"}),
        PUBLISH_METHODS,
        "messaging",
        "messaging",
        "message publish",
    ),
    (
        frozenset({"consumer", "subscriber", "channel", "queue", "sqs"}),
        frozenset({"poll", "consume", "receive_message", "basic_consume", "basic_get", "getmany", "subscribe"}),
        "messaging",
        "messaging",
        "message receive",
    ),
    (
        frozenset({"s3", "bucket", "storage", "blob", "dynamodb", "table", "lambda", "boto", "aws"}),
        frozenset(
            {
                "put_object",
                "get_object",
                "upload_file",
                "download_file",
                "upload_fileobj",
                "download_fileobj",
                "delete_object",
                "list_objects_v2",
                "head_object",
                "put_item",
                "get_item",
                "update_item",
                "delete_item",
                "query",
                "scan",
                "batch_write_item",
                "invoke",
                "upload_blob",
                "download_blob",
            }
        ),
        "cloud",
        "aws",
        "cloud storage/API call",
    ),
    (
        frozenset({"llm", "chain", "agent", "chat", "completions", "embeddings", "embedder", "retriever"}),
        frozenset(
            {
                "invoke",
                "ainvoke",
                "generate",
                "agenerate",
                "predict",
                "complete",
                "acomplete",
                "create",
                "stream",
                "astream",
                "batch",
                "abatch",
                "embed_documents",
                "embed_query",
                "run",
                "arun",
                "get_relevant_documents",
                "aget_relevant_documents",
            }
        ),
        "genai",
        "genai",
        "model call",
    ),
    (
        frozenset({"es", "elastic", "elasticsearch", "opensearch", "search", "index", "solr", "meili"}),
        frozenset({"search", "index", "bulk", "msearch", "count", "delete_by_query", "update_by_query", "scroll"}),
        "search",
        "elasticsearch",
        "search engine query",
    ),
    (frozenset({"stub", "rpc", "grpc"}), frozenset(), "rpc", "grpc", "RPC call"),
    (frozenset({"client", "sdk", "gateway", "api"}), frozenset(), "rpc", "rpc", "client call"),
)

# Method names distinctive enough to mean a client call on any receiver (boto3-style and DB-API). Not ``get_object``:
# every Django and DRF view has one (``view.get_object()``, netbox); an S3 client's is read by its receiver (above).
DISTINCT_METHODS: dict[str, tuple[str, str, str]] = {
    "send_message": ("messaging", "aws_sqs", "SQS send"),
    "receive_message": ("messaging", "aws_sqs", "SQS receive"),
    "basic_publish": ("messaging", "rabbitmq", "RabbitMQ publish"),
    "basic_consume": ("messaging", "rabbitmq", "RabbitMQ consume"),
    "put_object": ("cloud", "aws", "S3 put"),
    "upload_file": ("cloud", "aws", "S3 upload"),
    "download_file": ("cloud", "aws", "S3 download"),
    "executemany": ("db", "sql", "database query"),
    "fetchall": ("db", "sql", "database query"),
    "fetchone": ("db", "sql", "database query"),
    "urlopen": ("http", "http", "external HTTP"),
}

# Django's managers and querysets (``Model.objects.<method>``). A queryset is lazy: the builders make another one and
# run no query; the evaluating methods run one (so does iterating it, ``len()`` or ``bool()``).
ORM_QUERYSET_BUILDERS = frozenset(
    {"all", "alias", "annotate", "complex_filter", "dates", "datetimes", "defer", "difference", "distinct", "exclude"}
    | {"extra", "filter", "get_queryset", "intersection", "none", "only", "order_by", "prefetch_related", "raw"}
    | {"reverse", "select_for_update", "select_related", "union", "using", "values", "values_list", "as_manager"}
)
_ORM_EVALUATING = frozenset(
    {"get", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "count", "in_bulk"}
    | {"iterator", "latest", "earliest", "first", "last", "aggregate", "exists", "contains", "update", "delete"}
    | {"explain"}
)
ORM_MANAGER_METHODS = _ORM_EVALUATING | {f"a{method}" for method in _ORM_EVALUATING}  # and their async forms
# Flask-SQLAlchemy's legacy query property (``User.query.filter_by(name=n).first()``): the builders make another
# query, the evaluating methods run it
MODEL_QUERY_BUILDERS = frozenset(
    {"filter", "filter_by", "order_by", "join", "outerjoin", "options", "limit", "offset", "group_by", "having"}
    | {"distinct", "with_entities", "add_columns", "select_from", "execution_options", "with_for_update", "params"}
)
MODEL_QUERY_METHODS = frozenset(
    {"all", "first", "one", "one_or_none", "get", "count", "scalar", "paginate", "first_or_404", "get_or_404"}
    | {"one_or_404", "delete", "update"}
)
ORM_WRITE_METHODS = frozenset(
    {"create", "update", "delete", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}
)

# Calls that hand work to another thread/process/task; ``copies_context`` says whether contextvars follow.
# (dotted target or method name, label, copies_context, fix)
HANDOFFS: tuple[tuple[str, str, bool, str], ...] = (
    (
        "threading.Thread",
        "a new thread",
        False,
        "pass `contextvars.copy_context().run` as the target (or attach `opentelemetry.context.get_current()` inside)",
    ),
    ("threading.Timer", "a timer thread", False, "wrap the callback with `contextvars.copy_context().run`"),
    (
        "concurrent.futures.ThreadPoolExecutor.submit",
        "a thread pool",
        False,
        "submit `contextvars.copy_context().run, fn, *args` instead of `fn, *args`",
    ),
    (
        "concurrent.futures.ThreadPoolExecutor.map",
        "a thread pool",
        False,
        "map over `contextvars.copy_context().run` bound to each item, or attach the captured context in the worker",
    ),
    (
        "concurrent.futures.ProcessPoolExecutor.submit",
        "a process pool",
        False,
        "inject the context into a carrier dict (`opentelemetry.propagate.inject`) and extract it in the worker",
    ),
    (
        "multiprocessing.Process",
        "a new process",
        False,
        "inject the context into a carrier dict (`opentelemetry.propagate.inject`) and extract it in the child",
    ),
    (
        "multiprocessing.Pool.apply_async",
        "a process pool",
        False,
        "inject the context into a carrier dict (`opentelemetry.propagate.inject`) and extract it in the worker",
    ),
    (
        "multiprocessing.Pool.map",
        "a process pool",
        False,
        "inject the context into a carrier dict (`opentelemetry.propagate.inject`) and extract it in the worker",
    ),
    (
        "run_in_executor",
        "an executor",
        False,
        "call `loop.run_in_executor(ex, contextvars.copy_context().run, fn, *args)` or use `asyncio.to_thread`",
    ),
    (
        "queue.Queue.put",
        "a queue",
        False,
        "put a carrier dict filled by `opentelemetry.propagate.inject` with the item and extract it in the consumer",
    ),
    (
        "asyncio.Queue.put",
        "an asyncio queue",
        False,
        "put a carrier dict filled by `opentelemetry.propagate.inject` with the item and extract it in the consumer",
    ),
    ("asyncio.create_task", "an asyncio task", True, ""),
    ("asyncio.ensure_future", "an asyncio task", True, ""),
    ("asyncio.gather", "concurrent asyncio tasks", True, ""),
    ("asyncio.to_thread", "a worker thread", True, ""),
    ("asyncio.TaskGroup.create_task", "an asyncio task group", True, ""),
)

# Decorators (dotted, after import resolution, or trailing attribute for app objects) marking entry points.
ROUTE_METHODS = frozenset(
    {
        "route",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "websocket",
        "api_route",
        "add_url_rule",
        "view",
        "endpoint",
    }
)
# a click group's own decorators, wherever the group is defined (resolution: the factory table's ``decorated``)
CLI_DECORATORS = frozenset(
    {"click.command", "click.group", "click.Group.command", "click.Group.group", "typer.Typer.command"}
)
CLI_METHODS = frozenset({"command", "group", "callback"})
TASK_DECORATORS = frozenset({"celery.shared_task", "shared_task", "dramatiq.actor", "huey.task", "rq.job"})
TASK_METHODS = frozenset(
    {
        "task",
        "periodic_task",
        "actor",
        "scheduled_job",
        "job",
        "cron",
        "subscriber",
        "consumer",
        "handler",
        "listener",
        "subscribe",
    }
)
# GraphQL resolvers: strawberry's OpenTelemetryExtension gives each its span (trace_advisor.added_instrumentation)
GRAPHQL_RESOLVERS = frozenset({"strawberry.mutation", "strawberry.field", "strawberry.subscription"})
# Pyramid's view decorators: each registers the function (or method) as the view of a route
PYRAMID_VIEWS = frozenset({"pyramid.view.view_config", "pyramid.view.notfound_view_config"})
WEB_FRAMEWORKS: dict[str, str] = {
    "flask": "opentelemetry-instrumentation-flask",
    "fastapi": "opentelemetry-instrumentation-fastapi",
    "django": "opentelemetry-instrumentation-django",
    "starlette": "opentelemetry-instrumentation-starlette",
    "aiohttp.web": "opentelemetry-instrumentation-aiohttp-server",
    "tornado": "opentelemetry-instrumentation-tornado",
    "falcon": "opentelemetry-instrumentation-falcon",
    "pyramid": "opentelemetry-instrumentation-pyramid",
}
# Names of callback parameters typical of message consumers (pika ``(ch, method, properties, body)``...).
CONSUMER_PARAMS = (
    frozenset({"ch", "method", "properties", "body"}),
    frozenset({"message"}),
    frozenset({"msg"}),
    frozenset({"record"}),
    frozenset({"event", "context"}),
)
