"""Evaluate names and attribute chains to abstract values and resolve each call site to symbol ids.

Demand-driven: a chain is evaluated when a call site needs it, memoised per (module, scope, chain); a value that is
still being computed reads as what it has so far (nothing), and what was computed from that is not kept once the
entry is done (``resolve/memo.py``), so no answer depends on which question came first. Nothing is guessed: a call
whose callee evaluates to nothing known is reported as unresolved with its text.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Final

from trace_advisor.datatypes import (
    CallEdge,
    Dispatch,
    Range,
    ResolvedCall,
    SymbolId,
    UnresolvedCall,
    UnresolvedReason,
)
from trace_advisor.facts.chains import chain_text
from trace_advisor.facts.codec import EncodedReads
from trace_advisor.facts.records import (
    ALIAS,
    ANNOTATION,
    APPLY,
    ASYNC_ENTER_EXIT,
    ASYNC_ITERATE,
    CALL,
    CAST,
    CLASS,
    CLASS_OF,
    CLEARED,
    CLS,
    DEF,
    ELEMENT,
    ELEMENTS_OF,
    ENTER_EXIT,
    FROM,
    FUNCTION_KINDS,
    IMPORT,
    ITEM,
    ITERATE,
    KEY,
    KEY_NAME,
    LAMBDA,
    MODULE_PATH,
    NARROWED,
    NEWTYPE,
    OR,
    PARAMETER,
    RAISE,
    REACHING,
    SELECT,
    SELF,
    SLICE,
    SLOTS,
    TYPEVAR,
    UNKEYED,
    VALUE,
    VALUES_OF,
    Binding,
    CallSite,
    Chain,
    ModuleFacts,
    Scope,
    loc_parts,
    plain_name,
)
from trace_advisor.resolve import fixtures
from trace_advisor.resolve import values as v
from trace_advisor.resolve.callbacks import HTTP_METHODS, THREAD_INITS, called_argument, handles_requests
from trace_advisor.resolve.classes import Classes
from trace_advisor.resolve.decorators import Decorations, decorated_parameter
from trace_advisor.resolve.dependencies import runs_in
from trace_advisor.resolve.external import names_attribute
from trace_advisor.resolve.flow import ParameterFlow, changed_keys, flows
from trace_advisor.resolve.hierarchy import Hierarchy
from trace_advisor.resolve.memo import UNSETTLED, Frames
from trace_advisor.resolve.modules import ModuleInfo, ModuleProvider, absolute_module
from trace_advisor.resolve.returns import (
    KEYED,
    KNOWN_MODULES,
    QUEUE_PACKAGES,
    RECEIVER,
    RECEIVER_METHODS,
    RELATED,
    descriptor_holds,
    keyed_class,
    known_attribute,
    known_class,
    known_decorated,
    known_return,
    listed_name,
)
from trace_advisor.resolve.values import NOTHING, Value, Values

# How deeply questions nest before the resolver stops following (an answer cut there is provisional, ``memo.py``).
# The standard library's deepest question nests 142 levels: under this limit nothing is cut there, so no answer
# depends on the order questions are asked; at 48 some 15,000 questions were cut and dropped (more CPU, not less).
_MAX_DEPTH = 256
# About 10 Python frames a level (1,463 at depth 142). Python 3.11 calls Python from Python without growing the C
# stack (depth 142 ran in a 256 KB stack), so a higher recursion limit than the default 1,000 costs no stack.
_RECURSION_LIMIT = 20 * _MAX_DEPTH + 1000
# the methods a statement calls on its value (``CallSite.implicit``); iterating calls the iterator's method too
_ENTRY_EXIT = {ENTER_EXIT: ("__enter__", "__exit__"), ASYNC_ENTER_EXIT: ("__aenter__", "__aexit__")}
_ITERATION = {ITERATE: ("__iter__", "__next__"), ASYNC_ITERATE: ("__aiter__", "__anext__")}
# builtins that iterate, size or test their first argument: the special method each calls on it
_CONSUMERS = {
    **dict.fromkeys(
        ("builtins:list", "builtins:tuple", "builtins:set", "builtins:frozenset", "builtins:sorted"), "__iter__"
    ),
    "builtins:len": "__len__",
    "builtins:bool": "__bool__",
}
_OBJECT_INIT = "builtins:object.__init__"  # what a class without bases (or only ``Protocol``, ``ABC``...) runs: nothing
_NO_CLASS: Final = "?"  # not looked up yet (``Resolver._caller_class``)
_TYPING_CASTS = frozenset({"typing:cast", "typing_extensions:cast"})  # ``cast(T, v)`` is an instance of T
_MEANINGLESS_ANNOTATIONS = frozenset({"typing:Any", "typing_extensions:Any", "builtins:object"})


# a symbol of a package the factory table lists a command-queueing class of: ``redis:...``, ``redis.client:...``
_QUEUE_PREFIXES = tuple(f"{package}{separator}" for package in sorted(QUEUE_PACKAGES) for separator in ":.")


class Resolver:
    """Resolution state for one generation of the index; ``clear()`` after any module changed."""

    def __init__(self, modules: ModuleProvider, builtin_names: Iterable[str]) -> None:
        self._modules = modules
        self._builtins = frozenset(builtin_names)
        # memo tables per module (the module a key belongs to), so a change forgets only the modules it affects
        self._memo: dict[str, dict[tuple[object, ...], Values]] = {}
        # names (str keys) and chains (tuple keys) evaluated in one scope, per module and scope: most memo entries,
        # kept without a key tuple each
        self._scoped: dict[str, dict[str, dict[str | Chain, Values]]] = {}
        # one object per distinct answer: the memo tables hold ≈750k answers on the standard library, ≈47k distinct
        self._shared: dict[Values, Values] = {}
        # one string per distinct explanation of an unresolved call (≈58k on the standard library, ≈8k distinct)
        self._details: dict[str, str] = {}
        self._classes = Classes(modules, self)
        self._hierarchy = Hierarchy(self._workspace_infos, modules.module_info, self._classes.mro)
        self._depth = 0
        if sys.getrecursionlimit() < _RECURSION_LIMIT:
            sys.setrecursionlimit(_RECURSION_LIMIT)
        self.frames = Frames()  # the memo entries being computed (``resolve/memo.py``)
        self._decorations = Decorations(
            self, self._workspace_infos, self._classes.scope_of, self._is_workspace, modules.module_info
        )
        self._flow = ParameterFlow(
            self,
            self._workspace_infos,
            modules.module_info,
            self._classes.scope_of,
            self._hierarchy.subclasses,
            lambda cls: self._classes.attribute(cls, "__init__", True, False),
            self.implementations,
        )
        # (class, method name or None for the class itself, on instances) -> what the workspace subclasses run
        # instead: the class-hierarchy edges of every ``self.m()`` in the class's methods (see _subclass_targets)
        self._overrides: dict[tuple[SymbolId, str | None, bool], list[tuple[SymbolId, bool]]] = {}
        # module -> the modules whose resolution read it without importing it (tests read their conftest files)
        self._readers: dict[str, set[str]] = {}
        self._decorator_readers: set[str] = set()  # modules that read what workspace decorators receive (any module)
        # ``implementations``: a method -> its class and the workspace subclasses of it (() for no method), what
        # those subclasses run instead; a caller -> its class (``_class_of``). Dropped on any change
        self._implementing: dict[SymbolId, tuple[SymbolId, ...]] = {}
        self._implemented: dict[SymbolId, tuple[SymbolId, ...]] = {}
        self._callers_class: dict[SymbolId, SymbolId | None] = {}

    def _forget_implementations(self) -> None:
        self._implementing.clear()
        self._implemented.clear()
        self._callers_class.clear()

    def clear(self) -> None:
        self._forget_implementations()
        self._overrides.clear()
        self._shared.clear()
        self._details.clear()
        self._readers.clear()
        self._decorator_readers.clear()
        self._memo.clear()
        self._scoped.clear()
        self._classes.clear()
        self._hierarchy.clear()
        self._decorations.clear()
        self._flow.clear()

    def forget(self, modules: Iterable[str]) -> None:
        """Drop what was computed for these modules (the ones a change can have affected)."""
        modules = tuple(modules)
        self._overrides.clear()  # any module can add or change a subclass
        self._forget_implementations()
        for module in modules:
            self._memo.pop(module, None)
            self._scoped.pop(module, None)
        self._classes.forget(modules)
        self._hierarchy.forget(modules)
        self._decorations.forget(modules)
        self._flow.forget(modules)

    def forget_functions(self, module: str, functions: Iterable[str]) -> None:
        """Drop what was evaluated in these functions of ``module`` (and the definitions nested in them): their own
        bindings changed, and nothing else reads those (``dependencies.local_change``)."""
        self._overrides.clear()
        self._forget_implementations()
        self._flow.forget(())  # which calls reach a function is scanned again
        tables = self._scoped.get(module)
        if tables is not None:
            for scope in [scope for scope in tables if runs_in(scope, functions)]:
                del tables[scope]

    def readers_of(self, module: str) -> set[str]:
        """The modules whose resolution read ``module`` (or looked for it) without importing it: re-resolve them
        when it changes, appears or goes (any module can decorate a function with a workspace decorator)."""
        return self.fixture_readers_of(module) | self._decorator_readers

    def fixture_readers_of(self, module: str) -> set[str]:
        """The test modules whose resolution read ``module`` as their conftest (or looked for it)."""
        return set(self._readers.get(module, ()))

    def decorator_readers(self) -> set[str]:
        """The modules that read what a workspace decorator receives (which any module's decorations change)."""
        return set(self._decorator_readers)

    def flow_readers(
        self, module: str, old: ModuleFacts | None, new: ModuleFacts | None, keys: Iterable[str] = ()
    ) -> set[str]:
        """The modules whose parameter values read calls that changed between two versions of ``module``'s facts
        (``resolve/flow.py``), or calls under ``keys`` (that may pass other values now); the module's calls are read
        again on the next question."""
        self._flow.drop(module)
        return self._flow.readers(changed_keys(old, new) | set(keys))

    def passes_nothing(self, info: ModuleInfo, sites: Mapping[str, Iterable[CallSite]]) -> bool:
        """Whether these call sites of ``info`` (by key) pass no parameter anything it would hold, and are too few to
        change which calls a parameter reads: what every parameter receives is as it was without them."""
        for key, found in sites.items():
            found = list(found)
            if self._flow.crowded(key, len(found)):
                return False
            for site in found:
                for _, chain in site.args:
                    if chain[0] == "<str>":  # a literal (``facts.chains.key_chain``): no value a parameter holds
                        continue
                    try:
                        values = self.eval_chain(info, site.scope, chain)
                    except RecursionError:
                        self._depth = 0
                        self.frames.reset()
                        return False
                    if any(flows(value) for value in values):
                        return False
        return True

    def flow_functions(
        self, module: str, old: ModuleFacts | None, new: ModuleFacts | None, keys: Iterable[str]
    ) -> set[str]:
        """The functions of ``module`` whose parameter values read calls under ``keys`` or calls that changed between
        two versions of its facts."""
        return self._flow.functions_reading(module, changed_keys(old, new) | set(keys))

    def flow_readers_of_keys(self, keys: Iterable[str]) -> set[str]:
        """The modules whose parameter values read calls of these keys."""
        return self._flow.readers(keys)

    def flow_readers_of(self, modules: Iterable[str]) -> set[str]:
        """The modules whose parameter values read any call of these modules (re-resolved: what their calls pass
        may evaluate differently now)."""
        keys: set[str] = set()
        for module in modules:
            keys.update(self._flow.keys_of(self._modules.module_info(module)))
        return self._flow.readers(keys)

    def modules_above(self, module: str) -> set[str]:
        """The workspace modules whose classes ``module``'s classes derive from (their ``self.m()`` calls can reach
        overrides in ``module``): re-resolve them when ``module``'s classes change, before and after the change."""
        info = self._modules.module_info(module)
        return self._hierarchy.modules_above(info) if info is not None else set()

    def _workspace_infos(self) -> Iterable[ModuleInfo]:
        for name in self._modules.workspace_modules():
            info = self._modules.module_info(name)
            if info is not None:
                yield info

    def mro(self, cls: SymbolId) -> tuple[Value, ...]:
        return self._classes.mro(cls)

    def implementations(self, method: SymbolId, caller: SymbolId | None = None) -> tuple[SymbolId, ...]:
        """The workspace methods that stand for ``method`` (``module:Class.name``) on instances of the workspace
        subclasses of its class: each subclass's own ``name`` found through its MRO, when that is not ``method``
        (an abstract ``LLMClient.complete`` -> ``OpenAIClient.complete``), sorted. () for anything but a method, for
        constructors (a class call names its class), and for a call from ``caller`` inside the class or a subclass
        (``self.m()`` reaches the overrides through class-hierarchy edges, ``super().m()`` runs ``method`` itself)."""
        # memoised per generation in the order the questions were asked before (the caller's class is looked at
        # before the subclasses' attributes are evaluated), each part only once it stands
        classes = self._implementing.get(method)
        if classes is None:
            owner, _, name = method.rpartition(".")
            located = self._classes.scope_of(owner) if owner and ":" in owner else None
            if located is None or located[1].kind != "class" or name in ("__init__", "__new__"):
                classes = self._implementing[method] = ()
            else:
                saved = self.frames.watch()
                classes = (owner, *self._hierarchy.subclasses(owner))
                if self.frames.settled(saved):
                    self._implementing[method] = classes
        if not classes or caller is not None and self._caller_class(caller) in classes:
            return ()
        found = self._implemented.get(method)
        if found is None:
            name = method.rpartition(".")[2]
            methods: set[SymbolId] = set()
            saved = self.frames.watch()
            for sub in classes[1:]:
                for kind, ident in self._classes.attribute(sub, name, False, False):
                    if kind == v.FUNCTION and ident != method and self._is_workspace(ident):
                        methods.add(ident)
            found = tuple(sorted(methods))
            if self.frames.settled(saved):  # read no value still being computed
                self._implemented[method] = found
        return found

    def _caller_class(self, caller: SymbolId) -> SymbolId | None:
        """:meth:`_class_of`, memoised per generation (it reads only the modules' scopes)."""
        found = self._callers_class.get(caller, _NO_CLASS)
        if found is _NO_CLASS:
            found = self._callers_class[caller] = self._class_of(caller)
        return found

    def _class_of(self, symbol: SymbolId) -> SymbolId | None:
        """The class whose method (or a function nested in one) ``symbol`` is, else None."""
        module, _, qualname = symbol.partition(":")
        parts = qualname.split(".<locals>.")[0].split(".")
        for end in range(len(parts) - 1, 0, -1):
            cls = f"{module}:{'.'.join(parts[:end])}"
            located = self._classes.scope_of(cls)
            if located is not None and located[1].kind == "class":
                return cls
        return None

    def share(self, values: Values) -> Values:
        """The one kept object equal to ``values`` (memo tables store answers through it)."""
        return self._shared.setdefault(values, values)

    def _scope_table(self, module: str, scope: str) -> dict[str | Chain, Values]:
        tables = self._scoped.get(module)
        if tables is None:
            tables = self._scoped[module] = {}
        table = tables.get(scope)
        if table is None:
            table = tables[scope] = {}
        return table

    def table(self, module: str) -> dict[tuple[object, ...], Values]:
        """The memo table of one module (what is computed for its names, chains and classes)."""
        table = self._memo.get(module)
        if table is None:
            table = self._memo[module] = {}
        return table

    # ---- call sites ------------------------------------------------------------------------------------------
    def resolve_module(
        self, info: ModuleInfo, known: Mapping[int, ResolvedCall | None] | None = None
    ) -> list[ResolvedCall]:
        """Every call site of one module, in source order, with its edges (one per possible callee) or the reason
        it has none. A site in a class body belongs to the function (or module) around the class. ``known``: the
        answers for call sites and property reads (by ``id`` of the facts' ``CallSite``) that an edit left as they
        were (None for a read that runs no getter)."""
        callers: dict[str, str] = {}
        for scope in info.facts.scopes:
            current: Scope | None = scope
            while current is not None and current.kind == "class":
                current = info.scopes.get(current.parent) if current.parent else None
            callers[scope.qualname] = f"{info.name}:{current.qualname if current is not None else scope.qualname}"
        sites: list[ResolvedCall] = []
        receivers: dict[tuple[str, str], tuple[SymbolId, bool] | None] = {}  # see _subclass_targets
        for call in info.facts.calls:
            if known is not None and (kept := known.get(id(call))) is not None:
                sites.append(kept)
                continue
            caller = callers.get(call.scope) or f"{info.name}:{call.scope}"
            where = Range.packed(call.loc)
            try:
                if call.chain is None:
                    targets = []
                elif call.implicit == APPLY:
                    targets = self._applied(info, call.scope, call.chain)
                elif call.implicit:
                    targets = self._statement_calls(info, call.scope, call.chain, call.implicit)
                else:
                    targets = self.callees_of(info, call.scope, call.chain)
                    if targets and self._classes.hooked and len(call.chain) > 1:  # (a few classes at most)
                        targets = self._through_getattr(info, call.scope, call.chain, targets)
            except RecursionError:  # absurdly long re-export or alias chains in generated code: unresolved
                self._depth = 0
                self.frames.reset()
                targets = []
            direct = call.chain is not None and not call.implicit
            if not targets and call.chain is not None and not call.implicit and call.args:
                targets = self._imported_registration(info, call.scope, call.chain)  # Django's ``path``: a partial
            overrides = (
                self._subclass_targets(info, call.scope, call.chain, targets, receivers)
                if call.chain and direct
                else []
            )
            handed = (
                [*self._called_arguments(info, call, targets), *self._consumed(info, call, targets)]
                if call.args
                else []
            )
            if call.implicit and not targets:  # an unknown or external decorator, a list's ``__iter__``: transparent
                sites.append(ResolvedCall(caller, where, call.text))
            elif targets or overrides:
                queued = call.chain is not None and direct and self._queued(info, call.scope, call.chain, targets)
                dispatch: Dispatch = "queued" if queued else "direct"
                # a list comprehension, extended only when there is more: most sites have only direct targets
                edges = [CallEdge(caller, target, where, external, dispatch) for target, external in targets]
                if overrides:
                    edges.extend(
                        [CallEdge(caller, target, where, external, "subclass") for target, external in overrides]
                    )
                if handed:
                    edges.extend(
                        [CallEdge(caller, target, where, external, via=via) for target, external, via in handed]
                    )
                sites.append(ResolvedCall(caller, where, call.text, tuple(edges)))
            else:
                reason, detail = self._why_unresolved(info, call.scope, call.chain, call.text)
                missing = UnresolvedCall(caller, call.text, where, reason, self._details.setdefault(detail, detail))
                sites.append(ResolvedCall(caller, where, call.text, (), missing))
        # a read of no workspace property's name runs no getter (``_getters``): most reads, skipped here
        properties = self._hierarchy.property_names() if self._modules.workspace_read() else None
        reads = info.facts.reads  # after the calls (``ModuleCalls.ordered`` follows the facts' calls first)
        if known is None and isinstance(reads, EncodedReads):  # as encoded: no CallSite made for the reads skipped
            for reader, chain, text, loc, _ in reads.rows():
                if properties is None or chain[-1] in properties:
                    self._read_site(info, callers, reader, chain, text, loc, sites)
        else:
            for read in reads:
                assert read.chain is not None
                if known is not None and id(read) in known:
                    if (kept := known[id(read)]) is not None:
                        sites.append(kept)
                    continue
                if properties is None or read.chain[-1] in properties:
                    self._read_site(info, callers, read.scope, read.chain, read.text, read.loc, sites)
        self._release_locals(info)
        return sites

    def _through_getattr(
        self, info: ModuleInfo, scope: str, chain: Chain, targets: list[tuple[SymbolId, bool]]
    ) -> list[tuple[SymbolId, bool]]:
        """``targets`` after the ``__getattr__`` methods that looking up the callee's attribute runs first (on an
        instance whose class does not define it: ``self.do_enqueue(...)`` calls ``__getattr__``, then what it
        returned)."""
        name = chain[-1]
        if not name.isidentifier():
            return targets
        hooks: dict[SymbolId, bool] = {}
        for kind, ident in sorted(self.eval_chain(info, scope, chain[:-1])):
            if kind == v.INSTANCE and ident in self._classes.hooked:
                hooks.update((hook, not self._is_workspace(hook)) for hook in self._classes.getattr_hooks(ident, name))
        if not hooks:
            return targets
        return [*hooks.items(), *((target, external) for target, external in targets if target not in hooks)]

    def _read_site(
        self,
        info: ModuleInfo,
        callers: Mapping[str, str],
        scope: str,
        chain: Chain,
        text: str,
        loc: int,
        sites: list[ResolvedCall],
    ) -> None:
        """The site of an attribute read that runs a property's getter, added to ``sites`` (a read running none
        adds nothing)."""
        if getters := self._getters(info, scope, chain):
            caller = callers.get(scope) or f"{info.name}:{scope}"
            where = Range.packed(loc)
            edges = tuple(CallEdge(caller, getter, where, external) for getter, external in getters)
            sites.append(ResolvedCall(caller, where, text, edges))

    def _queued(self, info: ModuleInfo, scope: str, chain: Chain, targets: list[tuple[SymbolId, bool]]) -> bool:
        """Whether a call only queues a command for a later one to send (``pipe.set(k, v)`` on a redis pipeline, until
        ``pipe.execute()``): every value of its receiver is an instance of a class the factory table says queues
        commands, and the method is not one of those that do not."""
        if len(chain) < 2 or not any(t.startswith(_QUEUE_PREFIXES) for t, _ in targets):
            return False
        receivers = self.eval_chain(info, scope, chain[:-1])
        for kind, ident in receivers:
            if kind == v.INSTANCE:  # a workspace subclass of a library class the table lists (``MyPipeline(Pipeline)``)
                ident = next((i for k, i in self._classes.mro(ident) if k != v.INSTANCE and known_class(i)), ident)
            listed = known_class(ident) if kind in (v.INSTANCE, v.EXTERNAL_INSTANCE) else None
            if listed is None or listed.queues_except is None or chain[-1] in listed.queues_except:
                return False
        return bool(receivers)

    def _release_locals(self, info: ModuleInfo) -> None:
        """Forget what was memoised for names and chains in the module's function bodies, once its sites are
        resolved: those tables are most of the memo (on the standard library ≈540k of ≈580k entries) and are read
        again only for what other modules ask of a function later (its returns and parameters are memoised apart)."""
        tables = self._scoped.get(info.name)
        if tables:
            for scope in [name for name in tables if (found := info.scopes.get(name)) and found.kind in FUNCTION_KINDS]:
                del tables[scope]

    def _getters(self, info: ModuleInfo, scope: str, chain: Chain) -> list[tuple[SymbolId, bool]]:
        """The property getters reading ``chain``'s last attribute runs (on instances, or ``super()``)."""
        if self._modules.workspace_read() and chain[-1] not in self._hierarchy.property_names():
            return []  # no workspace property of that name (before the files are read: the receiver is looked at)
        found: dict[SymbolId, bool] = {}
        for kind, ident in sorted(self.eval_chain(info, scope, chain[:-1])):
            if kind not in (v.INSTANCE, v.SUPER):
                continue
            for attribute_kind, function in sorted(self._classes.attribute(ident, chain[-1], False, kind == v.SUPER)):
                located = self._classes.scope_of(function) if attribute_kind == v.FUNCTION else None
                if located is not None and located[0].workspace and located[1].method_kind == "property":
                    found[function] = False
        return list(found.items())

    def _why_unresolved(
        self, info: ModuleInfo, scope: str, chain: Chain | None, text: str
    ) -> tuple[UnresolvedReason, str]:
        """Why a call has no callee: the first part of the callee that has no known value, and what it is."""
        if chain is None:
            if text.endswith("]"):
                return "subscript-unknown-key", f"`{text}` is an element looked up by a key that is not known"
            return "not-followable", f"`{text}` is not a name or an attribute chain"
        try:
            end = next((n for n in range(1, len(chain) + 1) if not self.eval_chain(info, scope, chain[:n])), None)
        except RecursionError:
            self._depth = 0
            self.frames.reset()
            return "too-deep", "the value is nested too deeply to follow"
        if end is None:
            return "not-followable", f"`{chain_text(chain)}` names nothing callable"
        if chain[-1] == ITEM or chain[end - 1] == ITEM:
            held = self._external_items(info, scope, chain[:end]) if chain[end - 1] == ITEM else None
            if held is not None:
                return held[0], f"`{text}` is an item of {held[1]}"
            return "subscript-unknown-key", f"`{text}` is an item of something whose items are not known"
        part = chain_text(chain[:end])
        if end == 1:
            return self._why_no_value(info, scope, chain[0], part)
        before = self.eval_chain(info, scope, chain[: end - 1])
        last = chain[end - 1]
        if last == CALL:
            if before == _GETATTR:  # ``getattr(obj, name)()``: a name only known at run time
                return "dynamic-attribute", f"`{text}` looks up an attribute by a name only known at run time"
            if all(kind in (v.EXTERNAL, v.EXTERNAL_INSTANCE) for kind, _ in before):
                return "result-of-external-call", f"`{part}` is what code without source returns"
            return "unknown-return", f"`{part}`: nothing says what `{chain_text(chain[: end - 1])}` returns"
        if last == ELEMENT:
            return "unknown-element", f"`{chain_text(chain[: end - 1])}` holds nothing known"
        shown = chain_text(chain[: end - 1])
        if all(kind in (v.EXTERNAL, v.EXTERNAL_INSTANCE) for kind, _ in before):
            if all(ident in KEYED for _, ident in before):  # ``boto3.client(service)``: which class, the key says
                return "external-attribute-unknown", (
                    f"`{part}`: `{shown}` comes from a factory given a value that is not a literal it can read "
                    "(which service's client it is, is not known)"
                )
            return "external-attribute-unknown", f"`{part}`: code without source does not say what `{shown}` has"
        descriptor = self._descriptor_of(before, last)
        if descriptor is not None:
            return "external-attribute-unknown", f"`{part}` holds what `{descriptor}` loads at run time"
        if self._property_of(before, last):
            return "unknown-return", f"`{part}`: nothing says what the property `{last}` returns"
        owner = self._bound_on(before, last)
        if owner is not None:  # bound, to a value made where no source says what it is
            return "unknown-value", f"`{part}` is set in `{owner}` to something that cannot be followed"
        if all(kind == v.INSTANCE and self._external_base(ident) for kind, ident in before):
            return "external-attribute-unknown", f"`{part}`: neither `{shown}`'s class nor its library base has it"
        if any(kind == v.INSTANCE and self._classes.getattr_hooks(ident, last) for kind, ident in before):
            return "dynamic-attribute", (
                f"`{part}` is not defined on `{shown}`, and what its class's `__getattr__` returns is not known"
            )
        return "dynamic-attribute", f"`{part}` is not defined on `{shown}` (set at run time?)"

    def _bound_on(self, receivers: Values, name: str) -> str | None:
        """The workspace class (its qualname) of an instance or class receiver whose body or methods set ``name``
        (wger's ``objects = ApproximateCountManager()``, a manager class Django's ``Manager.from_queryset`` makes): the
        attribute is defined, its value is what is not known."""
        for kind, ident in sorted(receivers):
            if kind not in (v.INSTANCE, v.CLASS):
                continue
            for _, scope in self._classes.scopes_in(self._classes.mro(ident), []):
                if name in scope.bindings or name in scope.attributes:
                    return scope.qualname
        return None

    def _external_base(self, cls: SymbolId) -> bool:
        """Whether a workspace class derives from a library class without source (``MyPipeline(redis.Pipeline)``)."""
        return any(kind == v.EXTERNAL and ident not in v.OPAQUE_BASES for kind, ident in self._classes.mro(cls))

    def _property_of(self, receivers: Values, name: str) -> bool:
        """Whether ``name`` is a property of an instance's class (defined, only its value is not known)."""
        return any(
            kind == v.INSTANCE
            and any(
                held_kind == v.FUNCTION
                and (located := self._classes.scope_of(held)) is not None
                and located[1].method_kind == "property"
                for held_kind, held in self._classes.attribute(ident, name, False, False)
            )
            for kind, ident in receivers
        )

    def _descriptor_of(self, receivers: Values, name: str) -> str | None:
        """The descriptor class an instance's attribute ``name`` is set to in its class, when the factory table says
        its value is not known or names a model it could not follow (``models.ForeignKey("Customer")``)."""
        for kind, ident in sorted(receivers):
            if kind != v.INSTANCE or name.startswith("<"):
                continue
            for held_kind, held in sorted(self._classes.attribute(ident, name, False, False)):
                if held_kind in (v.INSTANCE, v.EXTERNAL_INSTANCE) and descriptor_holds(held) in ("", RELATED):
                    return held
        return None

    def _why_no_value(self, info: ModuleInfo, scope_name: str, name: str, shown: str) -> tuple[UnresolvedReason, str]:
        """Why a name evaluates to nothing, from the bindings Python's scoping would find."""
        name, _, reach = name.partition(REACHING)
        if "@" in name:  # a comprehension's variable (facts.chains.own_names)
            return "unknown-element", f"`{shown}` is a loop variable"
        current = info.scopes.get(scope_name)
        first = True
        while current is not None:
            bindings = current.bindings.get(name) if first or current.kind != "class" else None
            if bindings and first and reach:  # only the bindings that reach the use (``_lookup``)
                bindings = tuple(bindings[int(i)] for i in reach.split(",") if i and int(i) < len(bindings))
            if bindings:
                kinds = {b.kind for b in bindings}
                if ANNOTATION in kinds:
                    return "annotation-not-a-class", f"the annotation of `{shown}` names no class that can be read"
                if current.kind in FUNCTION_KINDS and name in current.params:
                    return "untyped-parameter", f"`{shown}` is a parameter without an annotation (annotate it)"
                if kinds <= {VALUE} and all(c[1:] == (CALL,) and c[0] == "getattr" for b in bindings for c in b.chains):
                    return "dynamic-attribute", f"`{shown}` is an attribute named by a name only known at run time"
                if kinds <= {VALUE} and any(c[-1] in (ELEMENT, ITEM) for b in bindings for c in b.chains):
                    only = bindings[0].chains[0] if len(bindings) == 1 and len(bindings[0].chains) == 1 else None
                    held = self._external_items(info, current.qualname, only) if only else None
                    if only and held:
                        return held[0], f"`{shown}` is {'an item' if only[-1] == ITEM else 'an element'} of {held[1]}"
                    return "unknown-element", f"`{shown}` is an element of something not known"
                if kinds <= {VALUE} and (held := self._held_externally(info, current.qualname, bindings)):
                    return held[0], f"`{shown}` is {held[1]}"
                return "unknown-value", f"`{shown}` is bound to something that cannot be followed (unpacked, subscript)"
            first = False
            current = info.scopes.get(current.parent) if current.parent else None
        return "undefined-name", f"`{shown}` is not defined anywhere resolution can see"

    def _external_items(self, info: ModuleInfo, scope: str, chain: Chain) -> tuple[UnresolvedReason, str] | None:
        """Why an item or element of a collection (``chain`` ends with ITEM or ELEMENT) is nothing when the collection
        is known and every value put into it where it is made is what code without source returns or has (``scripts
        = {n: client.register_script(s) for ...}``): the reason and the collection's description; else None."""
        container = chain[:-1]
        if container and container[-1][:3] == SELECT:
            container = container[:-1]
        if not container or not self.eval_chain(info, scope, container):
            return None
        last = plain_name(container[-1])
        made: list[tuple[ModuleInfo, str, tuple[Binding, ...]]] = []  # the bindings of the collection's name
        if len(container) == 1:
            found = self._bindings_of(info, scope, last)
            if found is not None:
                made.append((info, found[0], found[1]))
        else:  # an attribute of instances: the bindings of it in the first class of their MRO that sets it
            for kind, ident in sorted(self.eval_chain(info, scope, container[:-1])):
                owners = self._classes.mro(ident) if kind == v.INSTANCE else ()
                for located in (self._classes.scope_of(owner) for owner_kind, owner in owners if owner_kind == v.CLASS):
                    if located is not None and (
                        held := located[1].bindings.get(last) or located[1].attributes.get(last)
                    ):
                        made.append((located[0], located[1].qualname, held))
                        break
        elements = [  # what is put into it: the chains a comprehension's or a display's values are
            (where, binding.scope or owner, held[:-1])
            for where, owner, bindings in made
            for binding in bindings
            for held in binding.chains
            if held[-1][:3] == VALUES_OF and len(held) > 1
        ]
        if not elements or len(elements) > _MAX_EXPLAINED:
            return None
        said: tuple[UnresolvedReason, str] | None = None
        for where, name, element in elements:
            held_by = self._held_externally(where, name, (Binding(VALUE, chains=(element,)),))
            if held_by is None:
                return None
            said = said or held_by
        assert said is not None
        return said[0], f"`{chain_text(container)}`, whose values are {said[1]}"

    def _held_externally(
        self, info: ModuleInfo, scope: str, bindings: tuple[Binding, ...]
    ) -> tuple[UnresolvedReason, str] | None:
        """Why a name bound to attribute chains is nothing, when each chain reads an attribute that code without source
        does not define (``frame = error.__traceback__.tb_frame``) or what code without source returns (``health =
        channel.unary_unary(path)``); None otherwise."""
        said: tuple[UnresolvedReason, str] | None = None
        for binding in bindings:
            for chain in binding.chains:
                if CAST in chain:  # a prefix would cut ``cast(T, v)`` apart: what it is is not code without source
                    return None
                where = binding.scope or scope
                end = next((n for n in range(2, len(chain) + 1) if not self.eval_chain(info, where, chain[:n])), None)
                if end is None or chain[end - 1] in (ELEMENT, ITEM, VALUES_OF):
                    return None
                before = self.eval_chain(info, where, chain[: end - 1])
                if not before or any(kind not in (v.EXTERNAL, v.EXTERNAL_INSTANCE) for kind, _ in before):
                    return None
                owner = chain_text(chain[: end - 1])
                if chain[end - 1] == CALL:
                    said = said or ("result-of-external-call", f"what code without source returns (`{owner}`)")
                else:
                    said = said or (
                        "external-attribute-unknown",
                        f"`{chain_text(chain)}`: code without source does not say what `{owner}` has",
                    )
        return said

    def callees_of(self, info: ModuleInfo, scope: str, chain: Chain) -> list[tuple[SymbolId, bool]]:
        """The symbols a call of ``chain`` (evaluated in ``scope``) reaches, each with its ``external`` flag."""
        return self._called(self.eval_chain(info, scope, chain))

    def _applied(self, info: ModuleInfo, scope: str, chain: Chain) -> list[tuple[SymbolId, bool]]:
        """What applying ``@factory(...)`` runs: the functions the factory returns when it returns any (a factory
        annotated ``-> Command | Callable[...]`` gives the instance only when used bare, ``@factory``)."""
        values = self.eval_chain(info, scope, chain)
        functions = frozenset(value for value in values if value[0] == v.FUNCTION)
        return self._called(functions or values)

    def _statement_calls(self, info: ModuleInfo, scope: str, chain: Chain, kind: str) -> list[tuple[SymbolId, bool]]:
        """The methods a ``with``, ``for``, ``yield from`` or ``raise`` statement calls on the value of ``chain``,
        when their source is read (a made-up name of code without source is no edge: the site is then transparent).
        ``raise Cls`` constructs ``Cls`` (a class without source: the edge ``Cls()`` gives, so ``raise NotFound`` and
        ``raise NotFound()`` reach the same symbol); ``raise error`` (an instance) calls nothing. Iterating an
        instance of a library class the factory table lists with ``__iter__`` (``__aiter__``) calls that method
        (``for doc in Doc.objects.filter(...)``: ``django.db.models:QuerySet.__iter__`` runs the query)."""
        values = self.eval_chain(info, scope, chain)
        if kind == RAISE:
            return self._called(frozenset(value for value in values if value[0] in (v.CLASS, v.EXTERNAL)))
        out: dict[SymbolId, bool] = {}
        for value in sorted(values):
            if value[0] == v.EXTERNAL_INSTANCE and kind in _ITERATION:
                if (method := _listed_method(value, _ITERATION[kind][0])) is not None:
                    out[method] = True
                continue
            if value[0] != v.INSTANCE:
                continue
            if kind in _ENTRY_EXIT:
                for name in _ENTRY_EXIT[kind]:
                    out.update(self._methods(value, name))
                continue
            first, then = _ITERATION[kind]
            methods = self._methods(value, first)
            out.update(methods)
            # sorted: the iterators' ``__next__`` are callees in this order (a set's order changes with the hash seed)
            for iterator in sorted(_union(self.function_returns(method) for method in methods)):
                if iterator[0] == v.INSTANCE:
                    out.update(self._methods(iterator, then))
        return list(out.items())

    def _elements(self, value: Value) -> Values:
        """What iterating ``value`` gives: a collection's elements; for an instance of a class with ``__iter__``
        (``__aiter__``), what a generator ``__iter__`` yields, or what its iterator's ``__next__`` returns."""
        if value[0] in _COLLECTIONS:
            return frozenset({_element_of(value)})
        if value[0] != v.INSTANCE:
            return NOTHING
        out: set[Value] = set()
        for first, then in _ITERATION.values():  # a class defines one of them (``for`` or ``async for``)
            for method in self._methods(value, first):
                located = self._classes.scope_of(method)
                if located is not None:
                    info, scope = located
                    out.update(_union(self.eval_chain(info, scope.qualname, chain) for chain in scope.yield_values))
                for iterator in self.function_returns(method):
                    if iterator[0] in _COLLECTIONS:
                        out.add(_element_of(iterator))
                    elif iterator[0] == v.INSTANCE:
                        out.update(_union(self.function_returns(step) for step in self._methods(iterator, then)))
        return frozenset(out)

    def _items(self, value: Value) -> Values:
        """What ``value[key]`` gives: any element of a collection (a literal key selected the slots before:
        ``SELECT``), or what the class's ``__getitem__`` returns."""
        if value[0] in _COLLECTIONS:
            return frozenset({_element_of(value)})
        if value[0] != v.INSTANCE:
            return NOTHING
        return _union(self.function_returns(method) for method in self._methods(value, "__getitem__"))

    def _methods(self, instance: Value, name: str) -> dict[SymbolId, bool]:
        """The functions with source that ``instance.name`` is, each with its ``external`` flag."""
        found = self._classes.attribute(instance[1], name, True, False)
        return {ident: not self._is_workspace(ident) for kind, ident in sorted(found) if kind == v.FUNCTION}

    def _subclass_targets(
        self,
        info: ModuleInfo,
        scope: str,
        chain: Chain,
        direct: list[tuple[SymbolId, bool]],
        receivers: dict[tuple[str, str], tuple[SymbolId, bool] | None],
    ) -> list[tuple[SymbolId, bool]]:
        """Class-hierarchy edges: ``self.m()`` / ``cls.m()`` / ``cls()`` in a method of class C also runs what a
        workspace subclass of C defines instead (``self`` may be an instance of any of them), beyond ``direct``; so
        does ``self.attr.m()`` when C's MRO has no ``attr`` (a mixin's ``self.client.fetch()``, its ``client`` set in
        the classes that mix it in): ``m`` of what each subclass's instances hold there. ``receivers``:
        :meth:`_receiver_class` by scope and chain head, for the module's sites (its facts alone give it)."""
        if len(chain) > 3 or CALL in chain or self._depth:
            return []
        head = (scope, chain[0])
        if head in receivers:
            receiver = receivers[head]
        else:
            receiver = receivers[head] = self._receiver_class(info, scope, chain[0])
        if receiver is None:
            return []
        owner, instance = receiver
        held = len(chain) == 3
        if held and (not instance or direct or self._classes.attribute(owner, chain[1], True, False)):
            return []  # ``self.attr`` has a value on C itself: only what is missing is looked for below
        key = (owner, ".".join(chain[1:]) if len(chain) > 1 else None, instance)
        overrides = self._overrides.get(key)
        if overrides is None:  # the same for every such call in the class's methods (at depth 0 nothing is pending)
            out: dict[SymbolId, bool] = {}
            for sub in self._hierarchy.subclasses(owner):
                if len(chain) == 1:  # ``cls()`` builds the subclass, ``self()`` calls its __call__
                    values: Values = frozenset({(v.INSTANCE if instance else v.CLASS, sub)})
                elif held:
                    holders = self._classes.attribute(sub, chain[1], True, False)
                    values = _union(self._attribute(value, chain[2]) for value in sorted(holders))
                else:
                    values = self._inherited_method(sub, chain[1], instance)
                for target, external in self._called(values):
                    if target != sub and not external:  # a class without __init__ runs nothing
                        out.setdefault(target, external)
            overrides = self._overrides[key] = list(out.items())
        if not overrides:
            return []
        seen = {target for target, _ in direct}
        return [(target, external) for target, external in overrides if target not in seen]

    def _receiver_class(self, info: ModuleInfo, scope: str, head: str) -> tuple[SymbolId, bool] | None:
        """The class whose method ``scope`` is, and whether ``head`` is its instance (``self``) rather than the class
        (``cls``), when ``head`` is bound only as that method's first parameter; else None."""
        found = self._bindings_of(info, scope, plain_name(head))
        if found is None or len(found[1]) != 1 or found[1][0].kind not in (SELF, CLS):
            return None
        owner = self._enclosing_class(info, found[0])
        return None if owner is None else (owner, found[1][0].kind == SELF)

    def _inherited_method(self, cls: SymbolId, name: str, instance: bool) -> Values:
        """``Classes.attribute(cls, name, instance, False)``, without a memo entry (or any evaluation) when the first
        class of ``cls``'s MRO binding ``name`` binds it only to plain ``def``s (no decorator): what most subclasses
        of a base class reach for a method the base defines (``unittest.TestCase`` has thousands of subclasses, and
        every ``self.m()`` in its methods is looked up on each of them for the class-hierarchy edges)."""
        classes = self._classes
        for kind, ident in classes.mro(cls):
            if kind != v.CLASS:
                continue
            located = classes.scope_of(ident)
            if located is None:
                continue
            info, scope = located
            bindings = scope.bindings.get(name)
            if not bindings:
                if instance and scope.attributes.get(name):
                    break  # set on its instances (``self.x = ...``): looked up as usual
                continue
            found: set[Value] = set()
            for binding in bindings:
                defined = info.scopes.get(binding.target) if binding.kind == DEF else None
                if defined is None or defined.decorators:
                    return classes.attribute(cls, name, instance, False)
                found.add((v.FUNCTION, f"{info.name}:{binding.target}"))
            return frozenset(found)
        return classes.attribute(cls, name, instance, False)

    def _called_arguments(
        self, info: ModuleInfo, call: CallSite, targets: list[tuple[SymbolId, bool]]
    ) -> list[tuple[SymbolId, bool, SymbolId]]:
        """What a library function called here calls of its arguments (``sorted(key=f)``: f), with that function."""
        out: dict[SymbolId, tuple[bool, SymbolId]] = {}
        for target, _ in targets:
            spec = called_argument(target)
            if spec is None or (target in THREAD_INITS and not self._runs_target(info, call, targets, target)):
                continue
            position, keyword = spec
            for key, chain in call.args:
                if key == keyword or (position is not None and key == str(position)):
                    if handles_requests(target) and chain[-1] == CALL:  # ``partial(api.logs, follow=True)``
                        chain = self._partial_of(info, call, chain) or chain
                    views = self._view_methods(info, call.scope, chain) if handles_requests(target) else []
                    functions = views or self.callees_of(info, call.scope, chain)
                    if handles_requests(target) and not _named(functions, chain):
                        functions = self._defined(info, call.scope, chain) or functions
                    for function, external in functions:
                        out.setdefault(function, (external, target))
        return [(function, external, via) for function, (external, via) in out.items()]

    def _consumed(
        self, info: ModuleInfo, call: CallSite, targets: list[tuple[SymbolId, bool]]
    ) -> list[tuple[SymbolId, bool, SymbolId]]:
        """What a builtin that iterates, sizes or tests its first argument (``list(qs)``, ``len(qs)``) runs of it, with
        that builtin, when it is an instance of a library class the factory table lists with that method
        (``django.db.models:QuerySet.__iter__``: the query)."""
        out: list[tuple[SymbolId, bool, SymbolId]] = []
        for target, _ in targets:
            method = _CONSUMERS.get(target)
            if method is None:
                continue
            for key, chain in call.args:
                if key != "0":
                    continue
                for value in sorted(self.eval_chain(info, call.scope, chain)):
                    if (runs := _listed_method(value, method)) is not None:
                        out.append((runs, True, target))
        return out

    def _runs_target(
        self, info: ModuleInfo, call: CallSite, targets: list[tuple[SymbolId, bool]], init: SymbolId
    ) -> bool:
        """Whether the thread a ``Thread`` subclass's construction (``Worker(target=f)``, or ``super().__init__(
        target=f)`` in its ``__init__``) makes runs its target: the subclass's ``run`` is the library's, or calls
        ``super().run()``."""
        classes = [t for t, external in targets if not external and _is_class(self._classes.scope_of(t))]
        if not classes and (owner := self._enclosing_class(info, call.scope)) is not None:
            classes = [owner]
        if not classes:
            return True
        method = THREAD_INITS[init]
        for cls in classes:
            runs = [i for k, i in self._classes.attribute(cls, method, True, False) if k == v.FUNCTION]
            if not runs:
                return True
            for run in runs:
                located = self._classes.scope_of(run)
                if located is None:
                    return True
                owner_info, scope = located
                if any(
                    site.scope == scope.qualname and site.chain == ("super", CALL, method)
                    for site in owner_info.facts.calls
                ):
                    return True
        return False

    def _view_methods(self, info: ModuleInfo, scope: str, chain: Chain) -> list[tuple[SymbolId, bool]]:
        """The request methods of a class-based view a route registration is given (``web.view("/items",
        ItemsView)``, ``path("x/", OrderView.as_view())``, ``Route("/x", UserEndpoint)``): the workspace methods of the
        class named after HTTP methods, its own or inherited from the project's bases. Empty when ``chain`` names no
        workspace class."""
        if len(chain) > 2 and chain[-1] == CALL and chain[-2].partition(REACHING)[0] == "as_view":
            chain = chain[:-2]  # Django's and Flask's ``View.as_view(...)``: a function serving the class's methods
        if chain[-1] == CALL:
            return []
        found: dict[SymbolId, bool] = {}
        for kind, ident in sorted(self.eval_chain(info, scope, chain)):
            if kind != v.CLASS or not self._is_workspace(ident):
                continue
            owners = [cls for k, cls in self._classes.mro(ident) if k == v.CLASS and self._is_workspace(cls)]
            for name in sorted(HTTP_METHODS):
                defined = next(
                    (f"{o}.{name}" for o in owners if _is_function(self._classes.scope_of(f"{o}.{name}"))), None
                )
                if defined is not None:
                    found[defined] = False
        return list(found.items())

    def _imported_registration(self, info: ModuleInfo, scope: str, chain: Chain) -> list[tuple[SymbolId, bool]]:
        """A web framework's route registration that resolution cannot call, named by its import path
        (``from django.urls import path``: ``django.urls:path``, which Django defines as ``partial(_path, ...)``), as
        a call into code without source is named; nothing for other names."""
        found = self._bindings_of(info, scope, plain_name(chain[0])) if len(chain) == 1 else None
        for binding in found[1] if found is not None else ():
            base = absolute_module(info.name, info.is_package, binding.target, binding.level)
            if binding.kind == FROM and base and handles_requests(symbol := f"{base}:{binding.name}"):
                return [(symbol, True)]
        return []

    def _partial_of(self, info: ModuleInfo, call: CallSite, chain: Chain) -> Chain | None:
        """The function ``chain`` wraps when it is a ``functools.partial(f, ...)`` call among ``call``'s arguments:
        ``f``'s chain (the handler a registration serves with bound arguments)."""
        first_line, first_col, last_line, last_col = loc_parts(call.loc)
        for site in info.facts.calls:
            if site.scope != call.scope or site.chain != chain[:-1] or site is call:
                continue
            line, col, end_line, end_col = loc_parts(site.loc)
            if (line, col) < (first_line, first_col) or (end_line, end_col) > (last_line, last_col):
                continue
            if any(
                t.partition(".")[0] == "functools:partial" for t, _ in self.callees_of(info, site.scope, site.chain)
            ):
                return next((arg for key, arg in site.args if key == "0"), None)
        return None

    def _defined(self, info: ModuleInfo, scope: str, chain: Chain) -> list[tuple[SymbolId, bool]]:
        """The workspace functions ``chain`` names where they are defined, under what the project's decorators make of
        them (``api.info`` decorated ``@api_process`` is ``APIInfo.info``, not the decorator's ``wrap_api``): the
        method of that name on the receiver's classes, or the module's function of that name. Empty when it names
        none (a local value, a call's result, an outside function)."""
        name = chain[-1].partition(REACHING)[0]
        if not name.isidentifier():
            return []
        if len(chain) == 1:
            receivers: Values = frozenset({(v.MODULE, info.name)})
        else:
            receivers = self.eval_chain(info, scope, chain[:-1])
        found: dict[SymbolId, bool] = {}
        for kind, ident in sorted(receivers):
            if kind == v.MODULE:
                owners = [f"{ident}:"]
            elif kind in (v.CLASS, v.INSTANCE):
                owners = [f"{cls}." for k, cls in self._classes.mro(ident) if k == v.CLASS]
            else:
                continue
            for owner in owners:
                located = self._classes.scope_of(f"{owner}{name}")
                if located is not None and located[1].kind == "function":
                    found[f"{owner}{name}"] = False
                    break
        return list(found.items())

    def _called(self, values: Values) -> list[tuple[SymbolId, bool]]:
        """What calling each of ``values`` runs (a class: its ``__init__``; an instance: its ``__call__``)."""
        found: dict[SymbolId, bool] = {}
        for kind, ident in sorted(values):
            if kind == v.FUNCTION:
                found[ident] = not self._is_workspace(ident)
            elif kind == v.CLASS:
                for init in self._initializers(ident):
                    found[init] = not self._is_workspace(init)
            elif kind == v.INSTANCE:
                for k, i in self._classes.attribute(ident, "__call__", True, False):
                    if k == v.FUNCTION:
                        found[i] = not self._is_workspace(i)
            elif kind == v.EXTERNAL:
                found[ident] = True
            elif kind == v.NEWTYPE:  # what runs: ``typing.NewType.__call__``, which returns its argument
                found[_NEWTYPE_CALL] = True
        return list(found.items())

    def _initializers(self, cls: SymbolId) -> list[SymbolId]:
        """What constructing ``cls`` runs: the ``__init__`` its MRO finds with source; else the class itself (a
        construct edge, which PyCG's format leaves out) and the ``__init__`` of its one external base when it has one
        (``class NotFound(Exception)`` runs ``builtins:Exception.__init__``)."""
        inits = self._classes.attribute(cls, "__init__", True, False)
        found = [i for k, i in inits if k == v.FUNCTION]
        return found or [cls, *(i for k, i in inits if k == v.EXTERNAL and i != _OBJECT_INIT)]

    # ---- names and chains ------------------------------------------------------------------------------------
    def eval_chain(self, info: ModuleInfo, scope: str, chain: Chain) -> Values:
        tables = self._scoped.get(info.name)  # ``_scope_table``, looked up in place: asked a million times
        table = tables.get(scope) if tables is not None else None
        if table is None:
            table = self._scope_table(info.name, scope)
        found = table.get(chain)
        if found is not None:
            return self.frames.seen(found) if type(found) in UNSETTLED else found
        if self._depth > _MAX_DEPTH:  # nested too deeply to follow: nothing, and nothing below the question is kept
            self.frames.cut()
            return NOTHING
        marker = self.frames.enter(table, chain)
        self._depth += 1
        try:
            while True:
                values = self.share(self._compute_chain(info, scope, chain))
                if self.frames.leave(marker, values):
                    return values
        finally:
            self._depth -= 1

    def _compute_chain(self, info: ModuleInfo, scope: str, chain: Chain) -> Values:
        if OR in chain:  # ``getattr(obj, "name", default)``: the attribute (not made up), or the default
            cut = chain.index(OR)
            found = frozenset(x for x in self.eval_chain(info, scope, chain[:cut]) if not _unchecked(x))
            return found | self.eval_chain(info, scope, chain[cut + 1 :]) if cut + 1 < len(chain) else found
        if CAST in chain:  # ``cast(Client, v)``: an instance of Client when the callee is ``typing.cast``
            return self._cast(info, scope, chain)
        if chain[0] == LAMBDA:  # a lambda: a function of this module (its own scope)
            values: Values = frozenset({(v.FUNCTION, f"{info.name}:{chain[1]}")})
            start = 2
        elif chain[0] == MODULE_PATH:  # a module by its import path (a docstring's ``hvac.adapters.Adapter``)
            values = frozenset({(v.MODULE, chain[1])}) if self._modules.module_exists(chain[1]) else NOTHING
            start = 2
        elif len(chain) > 1 and chain[0] == "super" and chain[1] == CALL:
            owner = self._enclosing_class(info, scope)
            values = frozenset({(v.SUPER, owner)}) if owner else NOTHING
            start = 2
        else:
            values = self.lookup_name(info, scope, chain[0])
            start = 1
        return self._follow(info, scope, chain, values, start)

    def _cast(self, info: ModuleInfo, scope: str, chain: Chain) -> Values:
        """A chain through ``callee(T, value)`` (``records.CAST``): instances of T (as an annotation reads it) when
        the callee is ``typing.cast``, what the call returns when it is anything else; then the rest of the chain."""
        cut = chain.index(CAST)
        if cut + 1 >= len(chain) or not chain[cut + 1].isdigit() or cut + 2 + int(chain[cut + 1]) > len(chain):
            return NOTHING  # a prefix cut inside the cast: no value of its own
        end = cut + 2 + int(chain[cut + 1])
        called = (*chain[:cut], CALL, *chain[end:])
        callees = self.eval_chain(info, scope, chain[:cut])
        casts = {value for value in callees if value[1] in _TYPING_CASTS and value[0] in (v.EXTERNAL, v.FUNCTION)}
        if not casts:
            return self.eval_chain(info, scope, called)
        found = self._follow(info, scope, chain, self._instances_of(info, scope, chain[cut + 2 : end], scope), end)
        return found if len(casts) == len(callees) else found | self.eval_chain(info, scope, called)

    def _follow(self, info: ModuleInfo, scope: str, chain: Chain, values: Values, start: int) -> Values:
        """What the parts of ``chain`` from ``start`` on make of ``values`` (what the parts before it evaluate to)."""
        receivers: dict[Value, set[Value]] = {}  # method -> the values it was looked up on (last attribute)
        for position in range(start, len(chain)):
            part = chain[position]
            if not values:
                break
            if part == CALL:
                passed = self._defaults_passed(info, scope, chain[:position], values)
                values = _union(self._call_result(value, receivers.get(value)) for value in values) | passed
                receivers = {}
            elif part == ELEMENT:
                values = _union(self._elements(value) for value in values)
            elif part == ITEM:
                values = _union(self._items(value) for value in values)
            elif part[:1] == "[" and part[:3] in _SLOTS:
                values = _slots(values, part[:3], part[3:])
            elif part[:1] == KEY:  # ``boto3.client("s3")``: the factory's class for that key, else unchanged
                if part[1:2] == KEY_NAME:  # ``boto3.client(SERVICE)``: for each literal the name holds
                    keys = sorted(self._key_literals(info, scope, part[2:]) or ())
                    values = frozenset(_keyed(value, key) for value in values for key in keys) if keys else values
                else:
                    values = frozenset(_keyed(value, part[1:]) for value in values)
            else:
                receivers = {}
                attributes: set[Value] = set()
                for value in values:
                    for attribute in self._attribute(value, part):
                        attributes.add(attribute)
                        if attribute[0] == v.FUNCTION or (attribute[0] == v.EXTERNAL and part in RECEIVER_METHODS):
                            receivers.setdefault(attribute, set()).add(value)
                values = frozenset(attributes)
        return values

    def _key_literals(self, info: ModuleInfo, scope: str, name: str, depth: int = 0) -> set[str] | None:
        """The literal strings ``name`` holds where a keyed factory is given it (``SERVICE = "s3"`` in the function,
        the module, or imported from another; through names bound to it; a parameter's default and what the calls
        reaching it pass): None when one of its bindings, or one argument, holds anything else (a call's result)."""
        found = self._bindings_of(info, scope, name) if depth < 8 else None
        if found is None:
            return None
        owner, bindings = found
        out: set[str] = set()
        for binding in bindings:
            more: set[str] | None = None
            if binding.kind in (PARAMETER, ANNOTATION) and (passed := self._flow.passed(info, owner, name)):
                more = self._chains_literals(passed, depth)
            elif binding.kind == VALUE:
                where = binding.scope or owner
                more = self._chains_literals(((info, where, chain) for chain in binding.chains), depth)
            elif binding.kind == FROM:
                base = absolute_module(info.name, info.is_package, binding.target, binding.level)
                source = self._modules.module_info(base) if base else None
                if source is not None:
                    more = self._key_literals(source, "<module>", binding.name, depth + 1)
            if not more:
                return None
            out |= more
        return out

    def _chains_literals(self, chains: Iterable[tuple[ModuleInfo, str, Chain]], depth: int) -> set[str] | None:
        """The literal strings value chains hold (each evaluated in its module and scope): a literal's own, a name's
        by :meth:`_key_literals`; None when one holds anything else."""
        out: set[str] = set()
        for info, scope, chain in chains:
            if len(chain) == 2 and chain[0] == "<str>" and chain[1][:1] == KEY:
                out.add(chain[1][1:])
            elif (
                len(chain) == 1
                and (held := self._key_literals(info, scope, plain_name(chain[0]), depth + 1)) is not None
            ):
                out |= held
            else:
                return None
        return out

    def _defaults_passed(self, info: ModuleInfo, scope: str, callee: Chain, values: Values) -> Values:
        """What the calls of ``callee`` in ``scope`` pass as the default when it is a collection's ``get``, ``pop`` or
        ``setdefault`` (``HANDLERS.get(kind, fallback)`` gives an element or ``fallback``); nothing otherwise."""
        if callee[-1] not in v.ELEMENT_METHODS or not any(kind == v.HELD_METHOD for kind, _ in values):
            return NOTHING
        passed = {
            chain
            for site in info.facts.calls
            if site.chain == callee and site.scope == scope and not site.implicit
            for key, chain in site.args
            if key == "1"
        }
        return _union(self.eval_chain(info, scope, chain) for chain in sorted(passed))

    def lookup_name(self, info: ModuleInfo, scope_name: str, name: str) -> Values:
        """Python's scoping: the scope itself, enclosing functions (not classes), the module, star imports, builtins."""
        tables = self._scoped.get(info.name)  # ``_scope_table``, looked up in place
        table = tables.get(scope_name) if tables is not None else None
        if table is None:
            table = self._scope_table(info.name, scope_name)
        found = table.get(name)
        if found is not None:
            return self.frames.seen(found) if type(found) in UNSETTLED else found
        if name[0] == "<":  # a literal receiver: "<str>" for ``"...".join``
            table[name] = result = self.share(frozenset({(v.EXTERNAL_INSTANCE, f"builtins:{name[1:-1]}")}))
            return result
        marker = self.frames.enter(table, name)
        while True:
            result = self.share(self._lookup(info, scope_name, name))
            if self.frames.leave(marker, result):
                return result

    def _lookup(self, info: ModuleInfo, scope_name: str, name: str) -> Values:
        if REACHING in name:  # ``h#1``: the bindings of the scope's ``h`` that reach this use (``facts/reaching.py``)
            plain, _, reach = name.partition(REACHING)
            found = self._bindings_of(info, scope_name, plain)
            if found is None:
                return NOTHING
            owner, every = found
            reaching = tuple(every[int(i)] for i in reach.split(",") if i and int(i) < len(every))
            return self.eval_bindings(info, owner, reaching) if reaching else NOTHING
        bound = False
        bindings = self._bindings_of(info, scope_name, name)
        if bindings is not None:
            bound = True
            result = self.eval_bindings(info, bindings[0], bindings[1])
        else:
            module = info.scopes.get("<module>")
            result = self._star_lookup(info, module, name) if module is not None else NOTHING
        if not bound and not result and name in self._builtins:
            result = frozenset({(v.EXTERNAL, f"builtins:{name}")})
        return result

    def _bindings_of(self, info: ModuleInfo, scope_name: str, name: str) -> tuple[str, tuple[Binding, ...]] | None:
        """The scope whose bindings of ``name`` Python's scoping finds from ``scope_name``, and those bindings."""
        current = info.scopes.get(scope_name)
        first = True
        while current is not None:
            if first or current.kind != "class":
                bindings = current.bindings.get(name)
                if bindings:
                    return current.qualname, bindings
            first = False
            current = info.scopes.get(current.parent) if current.parent else None
        return None

    def eval_bindings(self, info: ModuleInfo, scope: str, bindings: tuple[Binding, ...]) -> Values:
        if len(bindings) == 1:
            return self._eval_binding(info, scope, bindings[0])
        return _union(self._eval_binding(info, scope, binding) for binding in bindings)

    def _eval_binding(self, info: ModuleInfo, scope: str, binding: Binding) -> Values:
        kind = binding.kind
        if kind in (DEF, CLASS):
            value = (v.FUNCTION if kind == DEF else v.CLASS, f"{info.name}:{binding.target}")
            defined = info.scopes.get(binding.target)
            if defined is not None and defined.decorators:
                return self._decorations.decorated(info, defined, value)
            return frozenset({value})
        if kind == IMPORT:
            return frozenset({(v.MODULE, binding.target)})
        if kind == FROM:
            base = absolute_module(info.name, info.is_package, binding.target, binding.level)
            return self._module_attr(base, binding.name) if base else NOTHING
        if kind == VALUE:
            where = binding.scope or scope
            if len(binding.chains) == 1:
                return self.eval_chain(info, where, binding.chains[0])
            return _union(self.eval_chain(info, where, chain) for chain in binding.chains)
        if kind == ANNOTATION:
            where = binding.scope or scope
            found = _union(self._instances_of(info, where, chain, scope) for chain in binding.chains)
            # ``fn: Callable[P, R]`` (or an annotation naming no class: ``Any``): which function, the calls say
            if binding.target and (not found or found & _CALLABLES or any(c[-1] == "Callable" for c in binding.chains)):
                found |= self._decorated_value(info, scope, binding.target)
                found |= self._flow.received(info, scope, binding.target)
            return found
        if kind == NARROWED:  # ``if isinstance(x, T):``: what ``x`` was that may be a ``T``, else a ``T``
            where = binding.scope or scope
            classes = _union(self._instances_of(info, where, chain, scope) for chain in binding.chains[1:])
            kept = frozenset(
                value for value in self.eval_chain(info, where, binding.chains[0]) if self._is_a(value, classes)
            )
            return kept or classes
        if kind == ALIAS:  # the classes the type expression names (``Annotated[Session, ...]`` is Session)
            where = binding.scope or scope
            return _union(self._classes_named(info, where, chain, scope) for chain in binding.chains)
        if kind == TYPEVAR:
            return frozenset({(v.TYPEVAR, f"{info.name}:{scope}:{binding.target}")})
        if kind == NEWTYPE:
            return frozenset({(v.NEWTYPE, f"{info.name}:{scope}:{binding.target}")})
        if kind == PARAMETER:
            if binding.chains and (documented := self._documented(info, scope, binding)):
                return documented
            return (
                self._fixture_value(info, scope, binding.target)
                | self._decorated_value(info, scope, binding.target)
                | self._flow.received(info, scope, binding.target)
            )
        if kind in (SELF, CLS):
            owner = self._enclosing_class(info, scope)
            found = frozenset({(v.INSTANCE if kind == SELF else v.CLASS, owner)}) if owner is not None else NOTHING
            if binding.chains:  # ``self: Client`` on a mixin's method: also an instance of the workspace class named
                where = binding.scope or scope
                named = _union(self._instances_of(info, where, chain, scope) for chain in binding.chains)
                found |= frozenset(value for value in named if value[0] == v.INSTANCE)
            return found
        return NOTHING

    def _is_a(self, value: Value, instances: Values) -> bool:
        """Whether ``value`` may be one of ``instances``: it is one, an instance of a subclass of one of their
        classes, or an instance of a class whose bases are not all known (a C type such as ``_io.StringIO`` is an
        ``io.TextIOBase`` by ``register``; a workspace class with a base from a package): kept, not replaced."""
        if value in instances:
            return True
        kind, ident = value
        if kind == v.EXTERNAL_INSTANCE:
            return not ident.startswith("builtins:")  # the builtin types' bases are known: ``str`` is no ``dict``
        if kind != v.INSTANCE:
            return False
        mro = self.mro(ident)
        if any(
            (v.CLASS if kind == v.INSTANCE else v.EXTERNAL, ident) in mro
            for kind, ident in instances
            if kind in (v.INSTANCE, v.EXTERNAL_INSTANCE)
        ):
            return True
        return any(kind == v.EXTERNAL and not ident.startswith("builtins:") for kind, ident in mro)

    def _documented(self, info: ModuleInfo, function: str, binding: Binding) -> Values:
        """What a parameter's docstring type says (``:type client: hvac.adapters.Adapter``): instances of the classes
        it names, and the parameter's default, which the function chose itself (``adapter=JSONAdapter``, documented as
        an ``Adapter``). Nothing when the type names no class (the callers' arguments are read instead)."""
        where = binding.scope or function
        found = frozenset(
            value
            for chain in binding.chains
            for value in self._instances_of(info, where, chain, function)
            if value[0] == v.INSTANCE or self._modules.is_external_class(value[1]) is not False
        )
        if not found:
            return NOTHING
        scope = info.scopes.get(function)
        if scope is None:
            return found
        defaults = [chain for name, chain in scope.defaults if name == binding.target and chain[0][:1] != "<"]
        return found | _union(self.eval_chain(info, scope.parent or "<module>", chain) for chain in defaults)

    def _decorated_value(self, info: ModuleInfo, function: str, name: str) -> Values:
        """The parameter of a workspace decorator that receives the decorated function (applying a decorator is a
        call with the function as argument): every function (or what inner decorators made of it) the decorator is
        applied to (``resolve/decorators.py``)."""
        scope = info.scopes.get(function)
        if scope is None or decorated_parameter(info.scopes, scope) != name:
            return NOTHING
        self._decorator_readers.add(info.name)
        return self._decorations.received(f"{info.name}:{function}")

    def _fixture_value(self, info: ModuleInfo, function: str, name: str) -> Values:
        """What pytest passes parameter ``name`` of ``function``: the value of the nearest fixture of that name
        (``resolve/fixtures.py``); nothing when ``function`` is not a test or a fixture."""
        scope = info.scopes.get(function)
        if scope is None or not fixtures.in_test_module(info.name):
            return NOTHING
        owner = info.scopes.get(scope.parent) if scope.parent else None
        if not fixtures.takes_fixtures(scope, owner, name):
            return NOTHING
        places: list[Values] = []
        if owner is not None and owner.kind == "class" and (bindings := owner.bindings.get(name)):
            places.append(self.eval_bindings(info, owner.qualname, bindings))
        places.append(self._module_attr(info.name, name))
        for conftest in fixtures.conftest_modules(info.name):
            self._readers.setdefault(conftest, set()).add(info.name)
            if conftest != info.name and self._modules.module_info(conftest) is not None:
                places.append(self._module_attr(conftest, name))
        own = f"{info.name}:{function}"
        for found in places:
            for kind, ident in sorted(found):
                located = self._classes.scope_of(ident) if kind == v.FUNCTION and ident != own else None
                if located is not None and fixtures.is_fixture(located[1]):
                    fixture_info, fixture = located
                    if fixture.yield_values:  # a generator fixture: the test gets what it yields
                        return _union(self.eval_chain(fixture_info, fixture.qualname, c) for c in fixture.yield_values)
                    return self.function_returns(ident)
        return NOTHING

    def _instances_of(self, info: ModuleInfo, where: str, chain: Chain, function_scope: str) -> Values:
        """What an annotation means: instances of the classes it names (``Self``: the enclosing class; a TypeVar:
        its bound or constraints; ``type[A]``: the class A itself)."""
        if chain[-1] == "Self":
            owner = self._enclosing_class(info, function_scope)
            return frozenset({(v.INSTANCE, owner)}) if owner else NOTHING
        if chain[-1] == ELEMENTS_OF:  # ``list[Order]``: a collection of Order instances
            return frozenset(
                _collection_of(value)
                for value in self._instances_of(info, where, chain[:-1], function_scope)
                if value[0] in _INSTANCES
            )
        if chain[-1] == CLASS_OF:
            return self._classes_named(info, where, chain[:-1], function_scope)
        out: set[Value] = set()
        for kind, ident in self.eval_chain(info, where, chain):
            if kind == v.CLASS:
                out.add((v.INSTANCE, ident))
            elif kind == v.EXTERNAL and ident not in _MEANINGLESS_ANNOTATIONS:
                out.add((v.EXTERNAL_INSTANCE, v.TYPING_ALIASES.get(ident, ident)))
            elif kind == v.TYPEVAR:
                out.update(self._declared_instances(ident))
            elif kind == v.NEWTYPE:
                out.update(self._declared_instances(ident, NEWTYPE))
        return frozenset(out)

    def _classes_named(self, info: ModuleInfo, where: str, chain: Chain, function_scope: str) -> Values:
        """The classes an annotation chain names (``type[A]``, a type alias): its instances' classes."""
        if chain[-1] in (ELEMENTS_OF, CLASS_OF):
            return NOTHING  # an alias of ``list[A]`` or ``type[A]`` names no class to construct
        return frozenset(
            (v.CLASS if kind == v.INSTANCE else v.EXTERNAL, ident)
            for kind, ident in self._instances_of(info, where, chain, function_scope)
            if kind in _INSTANCES
        )

    def _declared_instances(self, typevar: str, kind: str = TYPEVAR) -> Values:
        """Instances of what a type declaration names: a TypeVar's bound or any of its constraints (nothing when it
        has neither); with ``kind`` NEWTYPE, a NewType's base."""
        table = self.table(typevar.partition(":")[0])
        key = (kind, typevar)
        found = table.get(key)
        if found is not None:
            return self.frames.seen(found) if type(found) in UNSETTLED else found
        marker = self.frames.enter(table, key)  # ``T = TypeVar("T", bound="T")`` reads itself
        module, scope, name = typevar.split(":")
        info = self._modules.module_info(module)
        while True:
            result = NOTHING
            if info is not None and scope in info.scopes:
                bindings = info.scopes[scope].bindings.get(name, ())
                limits = [chain for b in bindings if b.kind == kind for chain in b.chains]
                result = _union(self._instances_of(info, scope, chain, scope) for chain in limits)
            result = self.share(result)
            if self.frames.leave(marker, result):
                return result

    def _enclosing_class(self, info: ModuleInfo, scope_name: str) -> SymbolId | None:
        """The class a method belongs to (for ``self``, ``cls`` and ``super()``)."""
        current = info.scopes.get(scope_name)
        while current is not None and current.parent is not None:
            parent = info.scopes.get(current.parent)
            if parent is not None and parent.kind == "class" and current.kind == "function":
                return f"{info.name}:{parent.qualname}"
            current = parent
        return None

    # ---- modules ---------------------------------------------------------------------------------------------
    def _module_attr(self, module: str, name: str) -> Values:
        """``module.name`` / ``from module import name``: a binding, a star import, a submodule, or external."""
        table = self.table(module)
        key = ("attr", name)
        found = table.get(key)
        if found is not None:
            return self.frames.seen(found) if type(found) in UNSETTLED else found
        marker = self.frames.enter(table, key)
        while True:
            result = self.share(self._module_binding(module, name))
            if self.frames.leave(marker, result):
                return result

    def _module_binding(self, module: str, name: str) -> Values:
        info = self._modules.module_info(module)
        result = NOTHING
        if info is not None:
            scope = info.scopes["<module>"]
            bindings = scope.bindings.get(name)
            if bindings:
                result = self.eval_bindings(info, "<module>", bindings)
            else:
                result = self._star_lookup(info, scope, name)
        if not result:
            submodule = f"{module}.{name}"
            if (
                submodule in v.STDLIB_MODULE_ATTRIBUTES
                or submodule in KNOWN_MODULES
                or self._modules.module_exists(submodule)
            ):
                result = frozenset({(v.MODULE, submodule)})
            elif info is None and (literal := self._modules.stdlib_literal(f"{module}:{name}")) is not None:
                # a stdlib table (``http.client.responses``): ``responses.get`` is a dict's, not a remote ``get``
                result = frozenset({(v.EXTERNAL_INSTANCE, f"builtins:{literal}")})
            elif info is None or not info.workspace:
                # source not available (stdlib, compiled or dynamic): name it by its import path
                result = frozenset({(v.EXTERNAL, f"{module}:{name}")})
        return result

    def _star_lookup(self, info: ModuleInfo, scope: Scope, name: str) -> Values:
        if name.startswith("_"):
            return NOTHING
        for target, level in reversed(scope.star_imports):
            base = absolute_module(info.name, info.is_package, target, level)
            source = self._modules.module_info(base) if base else None
            if base is None:
                continue
            if source is None:  # the stdlib: its source says what it exports; other modules' names are unknown
                if name in self._modules.stdlib_exports(base):
                    return frozenset({(v.EXTERNAL, f"{base}:{name}")})
                continue
            exported = source.facts.all_names
            if exported is not None and name not in exported:
                continue
            module_scope = source.scopes["<module>"]
            if exported is None and name not in module_scope.bindings and not module_scope.star_imports:
                continue
            found = self._module_attr(base, name)
            if found and not all(kind == v.EXTERNAL for kind, _ in found):
                return found
            if found and exported is not None:
                return found
        return NOTHING

    def _is_workspace(self, symbol: SymbolId) -> bool:
        info = self._modules.module_info(symbol.partition(":")[0])
        return info is not None and info.workspace

    # ---- attributes and calls --------------------------------------------------------------------------------
    def _attribute(self, value: Value, name: str) -> Values:
        kind, ident = value
        if kind in (v.INSTANCE, v.EXTERNAL_INSTANCE) and (held := known_attribute(ident, name)) is not None:
            return frozenset({(v.EXTERNAL_INSTANCE, held)})  # the table wins over a library's run-time descriptor
        if kind == v.MODULE:
            return self._module_attr(ident, name)
        if kind == v.CLASS:
            return self._classes.attribute(ident, name, False, False)
        if kind == v.INSTANCE:
            return self._classes.attribute(ident, name, True, False)
        if kind == v.SUPER:
            return self._classes.attribute(ident, name, True, True)
        if kind in (v.EXTERNAL, v.EXTERNAL_INSTANCE):
            if not names_attribute(ident, name, self._modules):
                return NOTHING  # a made-up name: no such builtin, or a value a stdlib class holds
            return frozenset({(v.EXTERNAL, listed_name(ident, name))})
        if kind == v.CONTEXT and name in ("__enter__", "__aenter__"):
            return frozenset({(v.ENTER, ident)})
        if kind in _COLLECTIONS and (name in v.ELEMENT_METHODS or name in v.COLLECTION_METHODS):
            return frozenset({(v.HELD_METHOD, f"{name} {kind} {ident}")})
        if kind == v.FUNCTION and (made := self._decorated_into(ident)) is not None:
            return self._attribute((v.EXTERNAL_INSTANCE, made), name)
        return NOTHING

    def _decorated_into(self, function: SymbolId) -> SymbolId | None:
        """The library class a function's decorator turns it into, by the factory table (``@click.group()`` makes a
        ``click.core:Group``): its name still calls the function (the decorator is transparent), and its attributes
        are the object's (``@main.command()`` in another module is ``Group.command``)."""
        located = self._classes.scope_of(function)
        if located is None or not located[1].decorators:
            return None
        info, scope = located
        for decorator in scope.decorators:
            chain = decorator.chain
            if not chain:
                continue
            callee = chain[:-1] if chain[-1] == CALL and len(chain) > 1 else chain
            for kind, ident in sorted(self.eval_chain(info, scope.parent or "<module>", callee)):
                made = known_decorated(ident) if kind in (v.EXTERNAL, v.FUNCTION) else None
                if made is not None:
                    return made
        return None

    def _call_result(self, value: Value, receivers: set[Value] | None = None) -> Values:
        """What calling ``value`` returns; ``receivers``: what a method was looked up on (``def m(self: T) -> T``
        returns the receiver at this call, not the class that defines ``m``)."""
        kind, ident = value
        if receivers and kind == v.FUNCTION:
            if self._returns_receiver(ident):
                return frozenset(_instance_of(r) for r in receivers if r[0] in _RECEIVERS)
            relative = self._receiver_returns(ident, receivers)
            if relative is not None:
                return relative
        if kind in (v.FUNCTION, v.EXTERNAL):
            # the table wins over a library's source unless it annotates what it returns (boto3 builds clients at
            # run time; redis annotates ``pipeline() -> "Pipeline"``)
            returned = known_return(ident)
            if returned == RECEIVER:  # ``ProjectQuerySet.as_manager()``: what it is called on has its methods
                return frozenset(_instance_of(r) for r in receivers or () if r[0] in _RECEIVERS)
            if returned is not None:
                annotated = self.function_returns(ident) if kind == v.FUNCTION and self._annotated(ident) else NOTHING
                return annotated or frozenset({(v.EXTERNAL_INSTANCE, returned)})
        if kind == v.FUNCTION:
            located = self._classes.scope_of(ident)
            if located is not None and any(
                d.chain and d.chain[-1] in v.CONTEXT_MANAGER_DECORATORS for d in located[1].decorators
            ):
                return frozenset({(v.CONTEXT, ident)})
            return self.function_returns(ident)
        if kind == v.ENTER:
            located = self._classes.scope_of(ident)
            if located is None:
                return NOTHING
            info, scope = located
            return _union(self.eval_chain(info, scope.qualname, chain) for chain in scope.yield_values)
        if kind == v.CLASS:
            return frozenset({(v.INSTANCE, ident)})
        if kind == v.NEWTYPE:  # ``WriteSession(raw)`` returns ``raw``, read as the NewType's base
            return self._declared_instances(ident, NEWTYPE)
        if kind == v.HELD_METHOD:  # ``HANDLERS.get(kind)``: an element (the defaults passed: ``_defaults_passed``)
            method, held, element = ident.split(" ", 2)
            return frozenset({_element_of((held, element)) if method in v.ELEMENT_METHODS else (held, element)})
        if kind == v.INSTANCE:
            calls = self._classes.attribute(ident, "__call__", True, False)
            return _union(self.function_returns(i) for k, i in calls if k == v.FUNCTION)
        if kind == v.EXTERNAL_INSTANCE:
            returned = known_return(f"{ident}.__call__")
            return frozenset({(v.EXTERNAL_INSTANCE, returned)}) if returned is not None else NOTHING
        if kind == v.EXTERNAL:
            owner, _, method = ident.rpartition(".")
            if method in ("__enter__", "__aenter__") and ":" in owner:
                return frozenset({(v.EXTERNAL_INSTANCE, owner)})  # a context manager without an entry: itself
            is_class = self._modules.is_external_class(ident)
            if is_class is None:  # no source anywhere: a CapWords name is a class by convention (PEP 8)
                name = ident.rpartition(":")[2].rpartition(".")[2]
                is_class = name[:1].isupper() and not name.isupper()
            if is_class:
                return frozenset({(v.EXTERNAL_INSTANCE, ident)})
        return NOTHING

    def _annotated(self, function: SymbolId) -> bool:
        """Whether a function with source annotates what it returns."""
        located = self._classes.scope_of(function)
        return located is not None and bool(located[1].returns)

    def _returns_receiver(self, method: SymbolId) -> bool:
        """A method annotated ``(self: T) -> T``, ``(cls: type[T]) -> T`` (T a TypeVar) or ``-> Self``."""
        located = self._classes.scope_of(method)
        if located is None or not located[1].returns_receiver:
            return False
        info, scope = located
        returned = scope.returns[0] if len(scope.returns) == 1 else None
        if returned is None:
            return False
        if returned[-1] == "Self":
            return True
        values = self.eval_chain(info, scope.parent or "<module>", returned)
        return bool(values) and all(kind == v.TYPEVAR for kind, _ in values)

    def _receiver_returns(self, method: SymbolId, receivers: set[Value]) -> Values | None:
        """What an unannotated method returns at this call site when it returns ``self``, ``cls`` or ``cls(...)``:
        built from the receiver, not from the class defining the method (``User.connect()`` with ``connect`` a
        classmethod of ``Model`` returning ``cls(...)`` gives a User). None when that does not apply."""
        located = self._classes.scope_of(method)
        if located is None:
            return None
        info, scope = located
        if scope.returns or not scope.return_values or not scope.params:
            return None
        first = scope.params[0]
        bindings = scope.bindings.get(first, ())
        if len(bindings) != 1 or bindings[0].kind not in (SELF, CLS):
            return None
        is_cls = bindings[0].kind == CLS
        relative = [c for c in scope.return_values if c[0] == first and (len(c) == 1 or (is_cls and c[1:] == (CALL,)))]
        if not relative or any(kind not in (v.INSTANCE, v.CLASS, v.SUPER) for kind, _ in receivers):
            return None
        classes = {ident for _, ident in receivers}
        out = {(v.CLASS if is_cls and len(chain) == 1 else v.INSTANCE, cls) for chain in relative for cls in classes}
        for chain in scope.return_values:
            if chain not in relative:
                out.update(self.eval_chain(info, scope.qualname, chain))
        return frozenset(out)

    def function_returns(self, function: SymbolId) -> Values:
        """Instances of the return annotation; without one, what its ``return <expr>`` statements evaluate to."""
        table = self.table(function.partition(":")[0])
        key = ("returns", function)
        found = table.get(key)
        if found is not None:
            return self.frames.seen(found) if type(found) in UNSETTLED else found
        marker = self.frames.enter(table, key)
        while True:
            result = self.share(self._returns(function))
            if self.frames.leave(marker, result):
                return result

    def _returns(self, function: SymbolId) -> Values:
        located = self._classes.scope_of(function)
        result = NOTHING
        if located is not None:
            info, scope = located
            if scope.returns:
                where = scope.parent or "<module>"
                result = _union(self._instances_of(info, where, chain, scope.qualname) for chain in scope.returns)
                if any(chain[-1] == "Callable" for chain in scope.returns):  # a function, but which: the returns say
                    result |= _union(self.eval_chain(info, scope.qualname, c) for c in scope.return_values)
            elif scope.return_values:
                result = _union(self.eval_chain(info, scope.qualname, chain) for chain in scope.return_values)
        return result


# a collection's value kind -> its elements' kind
_ELEMENT_KINDS = {
    v.ELEMENTS: v.INSTANCE,
    v.EXTERNAL_ELEMENTS: v.EXTERNAL_INSTANCE,
    v.FUNCTIONS: v.FUNCTION,
    v.CLASSES: v.CLASS,
}
_COLLECTION_KINDS = {element: collection for collection, element in _ELEMENT_KINDS.items()}
_COLLECTIONS = frozenset(_ELEMENT_KINDS)
_HELD = frozenset(_COLLECTION_KINDS)  # what a collection display or comprehension keeps track of
# what ``Callable`` annotations (also through an alias) evaluate to
_CALLABLES = frozenset(
    (v.EXTERNAL_INSTANCE, f"{module}:Callable") for module in ("typing", "typing_extensions", "collections.abc")
)
_INSTANCES = frozenset({v.INSTANCE, v.EXTERNAL_INSTANCE})
_NEWTYPE_CALL = "typing:NewType.__call__"
_RECEIVERS = frozenset({v.INSTANCE, v.EXTERNAL_INSTANCE, v.CLASS, v.EXTERNAL, v.SUPER})


_GETATTR = frozenset({(v.EXTERNAL, "builtins:getattr")})
# the most values put into a collection that an unresolved item's explanation looks at (each evaluated part by part)
_MAX_EXPLAINED = 8
# a collection value's ident may end with the literal key of its slot: "<symbol id>\x1f<key>" (``{"a": on_a}``)
_KEY: Final = "\x1f"
_SEQUENCES = frozenset(f"builtins:{name}" for name in ("str", "bytes", "bytearray", "list", "tuple"))
_SLOTS = frozenset({VALUES_OF, SELECT, CLEARED, SLOTS, UNKEYED, SLICE})


def _slots(values: Values, marker: str, key: str) -> Values:
    """What a container-slot marker of a chain (``records.SELECT`` and the others) makes of ``values``."""
    if marker == VALUES_OF:  # a collection holding each value, under ``key`` ("": any key)
        return frozenset((_COLLECTION_KINDS[k], f"{i}{_KEY}{key}" if key else i) for k, i in values if k in _HELD)
    if marker == SELECT:  # ``d["a"]``: the slots of "a" and those of any key; every slot when none is
        kept = frozenset(x for x in values if x[0] not in _COLLECTIONS or _key_of(x) in ("", key))
        return kept if any(x[0] in _COLLECTIONS for x in kept) else values
    if marker == CLEARED:  # ``d["a"] = f2``: the slots of "a" are replaced
        return frozenset(x for x in values if x[0] not in _COLLECTIONS or _key_of(x) != key)
    if marker == SLOTS:  # ``dict(x)``: the slots of ``x``, not what else ``x`` is
        return frozenset(x for x in values if x[0] in _COLLECTIONS)
    out = {(x[0], x[1].partition(_KEY)[0]) for x in values if x[0] in _COLLECTIONS}
    if marker == SLICE:  # ``text[1:]`` is a str, ``steps[1:]`` a list of the same elements
        out.update(x for x in values if x[0] == v.EXTERNAL_INSTANCE and x[1] in _SEQUENCES)
    return frozenset(out)


def _unchecked(value: Value) -> bool:
    """An attribute of a class without source that nothing checked exists (``abc:ABCMeta.data_source``): a builtin's
    is checked (``external.names_attribute``), a stdlib class's is not."""
    kind, ident = value
    return kind == v.EXTERNAL and not ident.startswith("builtins:") and "." in ident.partition(":")[2]


def _key_of(value: Value) -> str:
    return value[1].partition(_KEY)[2]


def _instance_of(receiver: Value) -> Value:
    """The instance a receiver-returning method gives: the instance itself, or one of the class it was called on."""
    kind, ident = receiver
    return (v.EXTERNAL_INSTANCE, ident) if kind in (v.EXTERNAL_INSTANCE, v.EXTERNAL) else (v.INSTANCE, ident)


def _element_of(value: Value) -> Value:
    return (_ELEMENT_KINDS[value[0]], value[1].partition(_KEY)[0])


def _collection_of(value: Value) -> Value:
    return (_COLLECTION_KINDS[value[0]], value[1])


def _keyed(value: Value, key: str) -> Value:
    kind, ident = value
    found = keyed_class(ident, key) if kind == v.EXTERNAL_INSTANCE else None
    return (kind, found) if found is not None else value


def _listed_method(value: Value, method: str) -> SymbolId | None:
    """``method`` of an instance of a library class the factory table lists with it (what iterating, sizing or
    testing a ``django.db.models:QuerySet`` runs: ``QuerySet.__iter__``), else None."""
    listed = known_class(value[1]) if value[0] == v.EXTERNAL_INSTANCE else None
    return f"{value[1]}.{method}" if listed is not None and method in listed.methods else None


def _union(parts: Iterable[Values]) -> Values:
    out: set[Value] = set()
    for part in parts:
        out.update(part)
    return frozenset(out)


def _named(functions: Iterable[tuple[SymbolId, bool]], chain: Chain) -> bool:
    """Whether one of ``functions`` is the definition ``chain`` names (``api.info`` is ``APIInfo.info``), not what a
    decorator made of it."""
    name = chain[-1].partition(REACHING)[0]
    return any(function.rpartition(":")[2].rpartition(".")[2] == name for function, _ in functions)


def _is_class(located: tuple[ModuleInfo, Scope] | None) -> bool:
    return located is not None and located[1].kind == "class"


def _is_function(located: tuple[ModuleInfo, Scope] | None) -> bool:
    return located is not None and located[1].kind == "function"
