"""A Jinja2 sandbox with limits, for report templates nobody reviewed: bounded output, values, loops and time.

Jinja2's sandbox stops templates from reaching Python internals, but not from asking for 24 GB
(``{{ 'a' * 10**10 }}``) or looping forever. Here every operator, call and filter that can grow a value is checked
before it runs when its size can be known (``*``, ``**``, ``%`` widths, int arguments, ``replace``) and after it
runs otherwise (``~``, ``+``, results of calls and filters); every ``for`` loop draws on one budget of iterations
per render; the output is counted as it is produced; and a wall-clock deadline is checked at each of those points.
Templates are only read from their own folder, symlinks included.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT_CHARS = 32 << 20  # a report of thousands of recommendations is a few MB
MAX_VALUE_LEN = 4 << 20  # characters of one string, items of one list
MAX_LOOP_ITERATIONS = 1_000_000  # over the whole render
MAX_SECONDS = 30.0
MAX_INT_BITS = 100_000  # ~30,000 digits: enough for any count, far from a costly power
MAX_TEMPLATE_BYTES = 1 << 20
_LOOP_GUARD = "_loop_guard"
_WIDTH = re.compile(r"\d{8,}")  # a width or precision of 10 million or more in a format string


class TemplateLimitError(SecurityError):
    """The template went over one of the limits; the message says which."""


class _LimitedCodeGenerator(CodeGenerator):
    """Compiles every ``for`` loop through the loop budget and checks every ``~`` concatenation's size."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:  # noqa: N802 - Jinja2's
        for loop in node.find_all(nodes.For):
            if not (isinstance(loop.iter, nodes.Filter) and loop.iter.name == _LOOP_GUARD):
                loop.iter = nodes.Filter(loop.iter, _LOOP_GUARD, [], [], None, None, lineno=loop.iter.lineno)
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802
        self.write("environment.checked(")
        super().visit_Concat(node, frame)
        self.write(")")


class ConfinedLoader(jinja2.FileSystemLoader):
    """Loads templates from one folder only: a symlink leading out of it is not followed, big files are refused."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self._root = folder.resolve()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self._root):
            raise jinja2.TemplateNotFound(f"{template} (it leads outside the template folder {self._root})")
        if len(source) > MAX_TEMPLATE_BYTES:
            raise TemplateLimitError(f"template {template} is larger than {MAX_TEMPLATE_BYTES >> 10} KiB")
        return source, filename, uptodate


class LimitedSandbox(SandboxedEnvironment):
    """A sandboxed environment whose renders are bounded; call :meth:`render` (not ``Template.render``)."""

    code_generator_class = _LimitedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(optimized=False, **options)  # no compile-time evaluation of constant expressions
        self._deadline = math.inf
        self._iterations = 0
        self.filters[_LOOP_GUARD] = self._loop_guard

    def wrap_filters(self) -> None:
        """Put every filter (built-in and added) behind the argument and result checks; call once set up."""
        for name, function in list(self.filters.items()):
            if name != _LOOP_GUARD:
                self.filters[name] = self._checked_callable(function)

    def render(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        """Render ``template`` within the limits; raises TemplateLimitError (or the template's own error)."""
        self._deadline = time.monotonic() + MAX_SECONDS
        self._iterations = 0
        parts: list[str] = []
        size = 0
        output = cast(Generator[str, None, None], template.generate(context))
        for part in output:
            size += len(part)
            if size > MAX_OUTPUT_CHARS:
                # raised where the template produced the text, so the error names that line
                limit = f"the report would be longer than {MAX_OUTPUT_CHARS >> 20} Mi characters"
                output.throw(TemplateLimitError(limit))
            parts.append(part)
        return "".join(parts)

    # ---- hooks the sandbox calls ----------------------------------------------------------------------------

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        self._tick()
        if operator == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_format(left, right)
        return self.checked(super().call_binop(context, operator, left, right))

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        self._tick()
        _check_arguments(obj, args, kwargs)
        return self.checked(super().call(context, obj, *args, **kwargs))

    def checked(self, value: Any) -> Any:
        """``value`` if it is within the size limit (strings and sequences), else TemplateLimitError."""
        if isinstance(value, str | list | tuple | dict | set) and len(value) > MAX_VALUE_LEN:
            raise TemplateLimitError(f"a value would be longer than {MAX_VALUE_LEN} characters or items")
        return value

    # ---- internals ------------------------------------------------------------------------------------------

    def _loop_guard(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self._iterations += 1
            if self._iterations > MAX_LOOP_ITERATIONS:
                raise TemplateLimitError(f"more than {MAX_LOOP_ITERATIONS} loop iterations")
            self._tick()
            yield item

    def _tick(self) -> None:
        if time.monotonic() > self._deadline:
            raise TemplateLimitError(f"rendering took longer than {MAX_SECONDS:g} seconds")

    def _checked_callable(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            self._tick()
            _check_arguments(function, args, kwargs)
            return self.checked(function(*args, **kwargs))

        return checked


def _check_repeat(sequence: Any, times: Any) -> None:
    if isinstance(sequence, str | list | tuple) and isinstance(times, int) and len(sequence) * times > MAX_VALUE_LEN:
        raise TemplateLimitError(f"a value would be longer than {MAX_VALUE_LEN} characters or items")


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1 and exponent > 0:
        if exponent * math.log2(abs(base)) > MAX_INT_BITS:
            raise TemplateLimitError(f"a number would be larger than {MAX_INT_BITS} bits")


def _check_format(template: str, values: Any) -> None:
    numbers = values if isinstance(values, tuple) else (values,)
    starred = "*" in template and any(isinstance(n, int) and n > MAX_VALUE_LEN for n in numbers)
    if starred or _WIDTH.search(template):
        raise TemplateLimitError(f"a format width would make a value longer than {MAX_VALUE_LEN} characters")


def _check_arguments(function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse calls whose arguments ask for a huge result: a big int (``center(10**9)``, ``lipsum(n=...)``), a
    format string with a huge width, or a ``replace`` that would multiply a string."""
    values = (*args, *kwargs.values())
    if any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_VALUE_LEN for v in values):
        raise TemplateLimitError(f"an argument larger than {MAX_VALUE_LEN} would build a huge value")
    target = getattr(function, "__wrapped__", function)  # the sandbox wraps str.format; functools.wraps filters
    owner = getattr(target, "__self__", None)
    name = getattr(target, "__name__", "")
    if isinstance(owner, str) and name in ("format", "format_map") and _WIDTH.search(owner):
        raise TemplateLimitError(f"a format width would make a value longer than {MAX_VALUE_LEN} characters")
    if name in ("replace", "do_replace"):
        strings = [v for v in (owner, *args) if isinstance(v, str)]  # the text, then old and new
        if len(strings) >= 3:
            text, old, new = strings[:3]
            count = len(text) + 1 if not old else text.count(old)
            if len(text) + count * (len(new) - len(old)) > MAX_VALUE_LEN:
                raise TemplateLimitError(f"a replacement would make a value longer than {MAX_VALUE_LEN} characters")
