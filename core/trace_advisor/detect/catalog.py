"""Data, not logic: well-known client APIs by import path, what they touch, and which OTel package traces them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Api:
    """A family of calls recognised by dotted target name (exact, or a prefix when ``pattern`` ends with ``.``)."""

    pattern: str
    kind: str  # http | db | cache | file | subprocess | rpc | cloud | messaging | search
    system: str  # OTel semantic-convention value where one exists (db.system, messaging.system, rpc.system)
    label: str  # human wording for rationales
    instrumentation: str | None = None  # distribution name of the OTel auto-instrumentation package
    operation: str = ""  # publish | receive | process | write | read (message bus and state changes)


def _db(module: str, system: str, instr: str | None) -> Api:
    return Api(f"{module}.", "db", system, f"{system} database", instr)


# Ordered most specific first: the first matching entry wins.
APIS: tuple[Api, ...] = (
    # ---- message bus ---------------------------------------------------------------------------------------
    Api(
        "boto3.sqs.send_message",
        "messaging",
        "aws_sqs",
        "SQS send",
        "opentelemetry-instrumentation-botocore",
        "publish",
    ),
    Api(
        "boto3.sqs.send_message_batch",
        "messaging",
        "aws_sqs",
        "SQS send",
        "opentelemetry-instrumentation-botocore",
        "publish",
    ),
    Api(
        "boto3.sqs.receive_message",
        "messaging",
        "aws_sqs",
        "SQS receive",
        "opentelemetry-instrumentation-botocore",
        "receive",
    ),
    Api(
        "boto3.sns.publish", "messaging", "aws_sns", "SNS publish", "opentelemetry-instrumentation-botocore", "publish"
    ),
    Api(
        "boto3.kinesis.put_record",
        "messaging",
        "aws_kinesis",
        "Kinesis put",
        "opentelemetry-instrumentation-botocore",
        "publish",
    ),
    Api(
        "boto3.events.put_events",
        "messaging",
        "aws_eventbridge",
        "EventBridge put",
        "opentelemetry-instrumentation-botocore",
        "publish",
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
    # ---- HTTP --------------------------------------------------------------------------------------------------
    Api("requests.", "http", "http", "external HTTP", "opentelemetry-instrumentation-requests"),
    Api("httpx.", "http", "http", "external HTTP", "opentelemetry-instrumentation-httpx"),
    Api("aiohttp.", "http", "http", "external HTTP", "opentelemetry-instrumentation-aiohttp-client"),
    Api("urllib.request.", "http", "http", "external HTTP", "opentelemetry-instrumentation-urllib"),
    Api("urllib3.", "http", "http", "external HTTP", "opentelemetry-instrumentation-urllib3"),
    Api("http.client.", "http", "http", "external HTTP", None),
    Api("tornado.httpclient.", "http", "http", "external HTTP", "opentelemetry-instrumentation-tornado"),
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
    _db("django.db", "sql", "opentelemetry-instrumentation-django"),
    Api("redis.", "cache", "redis", "Redis", "opentelemetry-instrumentation-redis"),
    Api("pymemcache.", "cache", "memcached", "memcached", "opentelemetry-instrumentation-pymemcache"),
    Api("elasticsearch.", "search", "elasticsearch", "Elasticsearch", "opentelemetry-instrumentation-elasticsearch"),
    # ---- RPC and cloud -----------------------------------------------------------------------------------------
    Api("grpc.", "rpc", "grpc", "gRPC call", "opentelemetry-instrumentation-grpc"),
    Api("openai.", "genai", "openai", "LLM API call", "opentelemetry-instrumentation-openai-v2"),
    Api("anthropic.", "genai", "anthropic", "LLM API call", None),
    Api("google.generativeai.", "genai", "gemini", "LLM API call", None),
    Api("cohere.", "genai", "cohere", "LLM API call", None),
    Api("litellm.", "genai", "litellm", "LLM API call", None),
    Api("boto3.", "cloud", "aws", "AWS API call", "opentelemetry-instrumentation-botocore"),
    Api("botocore.", "cloud", "aws", "AWS API call", "opentelemetry-instrumentation-botocore"),
    Api("google.cloud.", "cloud", "gcp", "Google Cloud API call", None),
    Api("azure.", "cloud", "azure", "Azure API call", None),
    Api("smtplib.", "rpc", "smtp", "SMTP", None),
    Api("ftplib.", "rpc", "ftp", "FTP", None),
    Api("socket.create_connection", "rpc", "tcp", "socket connection", None),
    Api("socket.socket", "rpc", "tcp", "socket", None),
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

# What calling a constructor/factory returns, so ``conn = sqlite3.connect(...); conn.cursor().execute(...)``
# resolves to ``sqlite3.Cursor.execute``. Keys are dotted call targets; ``*`` stands for the DB-API module.
DBAPI_MODULES = (
    "sqlite3",
    "psycopg2",
    "psycopg",
    "pymysql",
    "MySQLdb",
    "mysql.connector",
    "pyodbc",
    "oracledb",
    "cx_Oracle",
    "aiosqlite",
    "aiomysql",
    "aiopg",
    "asyncpg",
)
RETURNS: dict[str, str] = {
    "requests.session": "requests.Session",
    "redis.from_url": "redis.Redis",
    "redis.StrictRedis": "redis.Redis",
    "redis.asyncio.from_url": "redis.Redis",
    "sqlalchemy.create_engine": "sqlalchemy.Engine",
    "sqlalchemy.Engine.connect": "sqlalchemy.Connection",
    "sqlalchemy.Engine.begin": "sqlalchemy.Connection",
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.sessionmaker.__call__": "sqlalchemy.orm.Session",
    "grpc.insecure_channel": "grpc.Channel",
    "grpc.secure_channel": "grpc.Channel",
    "grpc.aio.insecure_channel": "grpc.Channel",
    "pika.BlockingConnection.channel": "pika.Channel",
    "pathlib.Path.open": "builtins.open",
    "pathlib.Path.with_suffix": "pathlib.Path",
    "pathlib.Path.with_name": "pathlib.Path",
    "pathlib.Path.with_stem": "pathlib.Path",
    "pathlib.Path.joinpath": "pathlib.Path",
    "pathlib.Path.resolve": "pathlib.Path",
    "pathlib.Path.absolute": "pathlib.Path",
    "pathlib.Path.expanduser": "pathlib.Path",
    "pathlib.Path.parent": "pathlib.Path",
}

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
                "add",
                "add_all",
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
        frozenset({"http", "session", "client", "api", "requests", "httpx", "rest", "web"}),
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
        frozenset(
            {
                "send",
                "produce",
                "publish",
                "basic_publish",
                "send_message",
                "send_message_batch",
                "put_record",
                "send_and_wait",
            }
        ),
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

# Method names distinctive enough to mean a client call on any receiver (boto3-style and DB-API).
DISTINCT_METHODS: dict[str, tuple[str, str, str]] = {
    "send_message": ("messaging", "aws_sqs", "SQS send"),
    "receive_message": ("messaging", "aws_sqs", "SQS receive"),
    "basic_publish": ("messaging", "rabbitmq", "RabbitMQ publish"),
    "basic_consume": ("messaging", "rabbitmq", "RabbitMQ consume"),
    "put_object": ("cloud", "aws", "S3 put"),
    "get_object": ("cloud", "aws", "S3 get"),
    "upload_file": ("cloud", "aws", "S3 upload"),
    "download_file": ("cloud", "aws", "S3 download"),
    "executemany": ("db", "sql", "database query"),
    "fetchall": ("db", "sql", "database query"),
    "fetchone": ("db", "sql", "database query"),
    "urlopen": ("http", "http", "external HTTP"),
}

# Django ORM managers: ``Model.objects.<method>``.
ORM_MANAGER_METHODS = frozenset(
    {
        "filter",
        "get",
        "create",
        "all",
        "exclude",
        "update",
        "delete",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "count",
        "exists",
        "first",
        "aggregate",
        "annotate",
        "values",
        "values_list",
        "select_related",
        "raw",
    }
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
CLI_DECORATORS = frozenset({"click.command", "click.group", "typer.Typer.command"})
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
