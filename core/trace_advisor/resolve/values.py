"""The abstract values resolution computes for an expression: modules, classes, functions, instances, externals."""

from __future__ import annotations

from typing import Final

# A value is (kind, name). Small tuples keep memo tables compact and hashing cheap.
Value = tuple[str, str]
Values = frozenset[Value]

MODULE: Final = "module"  # name: dotted module name (indexed, on a search path, or only known by its import path)
CLASS: Final = "class"  # name: symbol id of a class whose source is indexed or on a search path
FUNCTION: Final = "function"  # name: symbol id of a function or method
INSTANCE: Final = "instance"  # name: symbol id of the class
EXTERNAL: Final = "external"  # name: import-path symbol id of something whose source is not available
EXTERNAL_INSTANCE: Final = "external_instance"  # name: import-path symbol id of its class (from an annotation)
SUPER: Final = "super"  # name: symbol id of the class whose ``super()`` this is
CONTEXT: Final = "context"  # name: symbol id of a @contextmanager function; this is what calling it returns
ENTER: Final = "enter"  # name: as CONTEXT; its ``__enter__``, which returns what the function yields

ELEMENTS: Final = "elements"  # name: symbol id of a class; a collection of its instances
EXTERNAL_ELEMENTS: Final = "external_elements"  # name: import-path symbol id of a class; a collection of instances

CONTEXT_MANAGER_DECORATORS = frozenset({"contextmanager", "asynccontextmanager"})

NOTHING: Values = frozenset()

# Annotation bases that say nothing about which methods exist.
OPAQUE_BASES = frozenset(
    {
        "builtins:object",
        "abc:ABC",
        "typing:Generic",
        "typing:Protocol",
        "typing_extensions:Protocol",
        "typing:NamedTuple",
        "typing:TypedDict",
    }
)

# Well-known attributes of stdlib modules that are modules themselves but not files of that package.
STDLIB_MODULE_ATTRIBUTES = frozenset({"os.path"})

# What some standard-library callables return, for the calls whose result is commonly used (the stdlib is named by
# import path and never read for this). Keys and values are import-path symbol ids; a value is the class whose
# instance the call returns. Classes defined in stdlib source are recognised without this table.
STDLIB_RETURNS = {
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
    "builtins:open": "io:TextIOWrapper",
    "io:TextIOWrapper.__enter__": "io:TextIOWrapper",
}

# Attributes every class has through ``object`` (``super().__init__()`` in a class without bases).
OBJECT_ATTRIBUTES = frozenset(name for name in dir(object) if name.startswith("__"))

# typing's aliases of builtin and collections classes: ``x: List[str]`` is a ``builtins:list``.
TYPING_ALIASES = {
    f"{module}:{alias}": target
    for module in ("typing", "typing_extensions")
    for alias, target in {
        "List": "builtins:list",
        "Dict": "builtins:dict",
        "Set": "builtins:set",
        "FrozenSet": "builtins:frozenset",
        "Tuple": "builtins:tuple",
        "Text": "builtins:str",
        "DefaultDict": "collections:defaultdict",
        "Deque": "collections:deque",
        "OrderedDict": "collections:OrderedDict",
        "Counter": "collections:Counter",
    }.items()
}
