"""What well-known callables return, for code resolution does not read (the stdlib) or cannot follow (client
libraries built at run time: boto3 clients, DB-API connections).

Keys and values are import-path symbol ids; a value is the class whose instance the call returns. A library's
callable is looked up as resolution names it (``redis.utils:from_url`` when redis is installed) and by its package's
top-level name (``redis:from_url``), so one entry serves both layouts.
"""

from __future__ import annotations

from trace_advisor.datatypes import SymbolId

_STDLIB = {
    "json:dumps": "builtins:str",
    "re:compile": "re:Pattern",
    "re:match": "re:Match",
    "re:search": "re:Match",
    "re:fullmatch": "re:Match",
    "re:Pattern.match": "re:Match",
    "re:Pattern.search": "re:Match",
    "re:Pattern.fullmatch": "re:Match",
    "os:getcwd": "builtins:str",
    "os.path:join": "builtins:str",
    "os.path:abspath": "builtins:str",
    "os.path:basename": "builtins:str",
    "os.path:dirname": "builtins:str",
    "logging:getLogger": "logging:Logger",
    "logging:getLoggerClass": "logging:Logger",
    "sqlite3:connect": "sqlite3:Connection",
    "sqlite3:Connection": "sqlite3:Connection",
    "sqlite3:Connection.cursor": "sqlite3:Cursor",
    "sqlite3:Connection.execute": "sqlite3:Cursor",
    "sqlite3:Connection.executemany": "sqlite3:Cursor",
    "sqlite3:Connection.__enter__": "sqlite3:Connection",
    "sqlite3:Cursor.execute": "sqlite3:Cursor",
    "urllib.request:urlopen": "http.client:HTTPResponse",
    "http.client:HTTPConnection.getresponse": "http.client:HTTPResponse",
    "http.client:HTTPSConnection.getresponse": "http.client:HTTPResponse",
    "http.client:HTTPResponse.__enter__": "http.client:HTTPResponse",
    "socket:create_connection": "socket:socket",
    "socket:socket.__enter__": "socket:socket",
    "socket:socket.accept": "builtins:tuple",
    "subprocess:Popen.__enter__": "subprocess:Popen",
    "subprocess:run": "subprocess:CompletedProcess",
    "concurrent.futures:ThreadPoolExecutor": "concurrent.futures:ThreadPoolExecutor",
    "concurrent.futures:ProcessPoolExecutor": "concurrent.futures:ProcessPoolExecutor",
    "concurrent.futures:ThreadPoolExecutor.__enter__": "concurrent.futures:ThreadPoolExecutor",
    "concurrent.futures:ProcessPoolExecutor.__enter__": "concurrent.futures:ProcessPoolExecutor",
    "concurrent.futures:ThreadPoolExecutor.submit": "concurrent.futures:Future",
    "concurrent.futures:ProcessPoolExecutor.submit": "concurrent.futures:Future",
    "asyncio:get_event_loop": "asyncio:AbstractEventLoop",
    "asyncio:get_running_loop": "asyncio:AbstractEventLoop",
    "asyncio:new_event_loop": "asyncio:AbstractEventLoop",
    "asyncio:create_task": "asyncio:Task",
    "asyncio:Queue": "asyncio:Queue",
    "threading:current_thread": "threading:Thread",
    "tempfile:TemporaryDirectory.__enter__": "builtins:str",
    "pathlib:Path.open": "io:TextIOWrapper",
    "pathlib:Path.with_suffix": "pathlib:Path",
    "pathlib:Path.with_name": "pathlib:Path",
    "pathlib:Path.with_stem": "pathlib:Path",
    "pathlib:Path.joinpath": "pathlib:Path",
    "pathlib:Path.resolve": "pathlib:Path",
    "pathlib:Path.absolute": "pathlib:Path",
    "pathlib:Path.expanduser": "pathlib:Path",
    "builtins:open": "io:TextIOWrapper",
    "io:TextIOWrapper.__enter__": "io:TextIOWrapper",
}

# DB-API 2.0 drivers: ``connect()`` gives a connection whose ``cursor()`` gives a cursor.
_DBAPI = ("psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql.connector", "pyodbc", "oracledb", "cx_Oracle")
_ASYNC_DB = ("aiosqlite", "aiomysql", "aiopg", "asyncpg")

_LIBRARIES = {
    **{f"{driver}:connect": f"{driver}:Connection" for driver in (*_DBAPI, *_ASYNC_DB)},
    **{f"{driver}:Connection.cursor": f"{driver}:Cursor" for driver in (*_DBAPI, *_ASYNC_DB)},
    **{f"{driver}:create_pool": f"{driver}:Pool" for driver in _ASYNC_DB},
    **{f"{driver}:Pool.acquire": f"{driver}:Connection" for driver in _ASYNC_DB},
    "psycopg:Connection.connect": "psycopg:Connection",
    "requests:session": "requests:Session",
    "redis:from_url": "redis:Redis",
    "redis:Redis.from_url": "redis:Redis",
    "redis:StrictRedis": "redis:Redis",
    "redis.asyncio:from_url": "redis.asyncio:Redis",
    "sqlalchemy:create_engine": "sqlalchemy:Engine",
    "sqlalchemy:Engine.connect": "sqlalchemy:Connection",
    "sqlalchemy:Engine.begin": "sqlalchemy:Connection",
    "sqlalchemy.orm:sessionmaker.__call__": "sqlalchemy.orm:Session",
    "sqlalchemy.orm:sessionmaker.begin": "sqlalchemy.orm:Session",
    "grpc:insecure_channel": "grpc:Channel",
    "grpc:secure_channel": "grpc:Channel",
    "grpc.aio:insecure_channel": "grpc:Channel",
    "grpc.aio:secure_channel": "grpc:Channel",
    "pika:BlockingConnection.channel": "pika:Channel",
    # boto3 builds its clients and resources at run time from service models: one type each, by method name
    "boto3:client": "botocore.client:BaseClient",
    "boto3:Session.client": "botocore.client:BaseClient",
    "boto3.session:Session.client": "botocore.client:BaseClient",
    "botocore.session:Session.create_client": "botocore.client:BaseClient",
    "aioboto3:Session.client": "botocore.client:BaseClient",
    "boto3:resource": "boto3.resources.base:ServiceResource",
    "boto3:Session.resource": "boto3.resources.base:ServiceResource",
    "boto3.session:Session.resource": "boto3.resources.base:ServiceResource",
}

KNOWN_RETURNS: dict[SymbolId, SymbolId] = {**_STDLIB, **_LIBRARIES}

# Attributes of a library's instances whose value resolution cannot read (kombu's own ``cached_property`` builds
# Celery's ``app.control`` at run time): the class of what they hold, looked up like :data:`KNOWN_RETURNS`.
KNOWN_ATTRIBUTES: dict[SymbolId, SymbolId] = {
    "celery:Celery.control": "celery.app.control:Control",
}


def known_return(symbol: SymbolId) -> SymbolId | None:
    """The class whose instance calling ``symbol`` returns, when the table knows it."""
    return _known(KNOWN_RETURNS, symbol)


def known_attribute(owner: SymbolId, name: str) -> SymbolId | None:
    """The class whose instance the attribute ``name`` of an instance of ``owner`` holds, when the table knows it
    (``celery.app.base:Celery`` or, without celery's source, ``celery:Celery``: ``control`` holds a ``Control``)."""
    return _known(KNOWN_ATTRIBUTES, f"{owner}.{name}") if owner.startswith(_ATTRIBUTE_PACKAGES) else None


_ATTRIBUTE_PACKAGES = tuple(sorted({symbol.partition(":")[0] for symbol in KNOWN_ATTRIBUTES}))


def _known(table: dict[SymbolId, SymbolId], symbol: SymbolId) -> SymbolId | None:
    """``symbol`` in ``table``, or the same name under its top-level package."""
    found = table.get(symbol)
    if found is None:
        module, _, qualname = symbol.partition(":")
        root = module.partition(".")[0]
        if root != module:
            found = table.get(f"{root}:{qualname}")
    return found
