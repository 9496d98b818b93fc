"""Find the workspace's Python files and map files to dotted module names through ordered search paths."""

from __future__ import annotations

import fnmatch
import functools
import glob
import os
import re
import shutil
import sysconfig
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from trace_advisor.datatypes import Problem

# Test code, as ``ignore`` globs: analyses skip it unless asked (``--include-tests``); spans belong in the code under
# test, and a function's callers in tests say nothing about how production uses it.
TEST_GLOBS = (
    "tests",
    "test",
    "t",  # celery's and kombu's ``t/unit``, ``t/integration``
    "*_tests",  # ``load_tests/``
    "test_*.py",
    "*_test.py",
    "tests.py",
    "conftest.py",
    # behave's acceptance tests: its step definitions and hooks beside the ``.feature`` files (patroni's)
    "**/features/steps",
    "**/features/environment.py",
)
# Demonstration code, as ``ignore`` folder globs: examples, samples, docs, tutorials and benchmarks show how the project
# is used; spans there trace nobody's production, and their calls say nothing about how the product is called.
# Analyses skip them unless a PATH names them; the editor still indexes them.
DEMO_GLOBS = (
    "examples",
    "example",
    "samples",
    "sample",
    "demo",
    "demos",
    "docs",
    "doc",
    "doctests",  # documentation's examples, run as tests (redis-py's command examples for redis.io)
    "tutorial",
    "tutorials",
    "benchmarks",
    "benchmark",
    "bench",
    # hidden folders, as pyright leaves them out: CI workflows' scripts (``.github/workflows/install_deps.py``), tool
    # and editor settings; none of it is the product
    ".*",
)


def is_test_path(relative: PurePath) -> bool:
    """Whether a path relative to a workspace root is test code by :data:`TEST_GLOBS`."""
    *folders, name = relative.parts or ("",)
    if any(fnmatch.fnmatchcase(folder, glob) for folder in folders for glob in TEST_GLOBS):
        return True
    if any(fnmatch.fnmatchcase(name, glob) for glob in TEST_GLOBS):
        return True
    # ``**/features/steps``: the folder path wherever it is, and what is in it (as ``ignore`` reads the glob)
    path = f"/{relative.as_posix()}"
    return any(fnmatch.fnmatchcase(path, f"*/{glob}") or fnmatch.fnmatchcase(path, f"*/{glob}/*") for glob in _NESTED)


_NESTED = tuple(glob[3:] for glob in TEST_GLOBS if glob.startswith("**/"))


def is_demo_path(relative: PurePath) -> bool:
    """Whether a path relative to a workspace root is (in) a folder of :data:`DEMO_GLOBS`."""
    return any(fnmatch.fnmatchcase(part, glob) for part in relative.parts for glob in DEMO_GLOBS)


@functools.lru_cache(maxsize=8192)  # asked for every caller of every analysed function, on every edit
def is_test_module(module: str) -> bool:
    """Whether a dotted module name is test code by :data:`TEST_GLOBS` (``tests.test_api``, ``pkg.conftest``)."""
    *packages, last = module.split(".")
    return last in TEST_GLOBS or is_test_path(PurePath(*packages, f"{last}.py"))


def is_test_symbol(symbol: str) -> bool:
    """Whether a ``module:qualname`` symbol is defined in test code (:func:`is_test_module` of its module): calls
    from tests say nothing about how the code is used in production, and a test is no way into it."""
    return is_test_module(symbol.partition(":")[0])


# Folders never indexed: VCS data, caches, virtualenvs, installed packages, JS dependencies, build output.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "__pycache__",
        "node_modules",
        "site-packages",
        "dist-packages",
        "build",
        "dist",
        ".eggs",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
    }
)


@dataclass(frozen=True, slots=True)
class ModuleLocation:
    """Where a module's source is: a file (``path``), or a namespace package (``path`` is None)."""

    name: str
    path: Path | None
    workspace: bool  # one of the indexed workspace files (or a namespace package made of them)


def is_identifier_path(parts: Sequence[str]) -> bool:
    return all(part.isidentifier() for part in parts)


# File-system probes use os.path, which answers False for a path it may not look at (a folder without read or
# search permission); pathlib's is_file()/is_dir() raise PermissionError there, which would end the whole run.
_isfile, _isdir, _exists = os.path.isfile, os.path.isdir, os.path.exists


def _is_virtualenv(path: Path) -> bool:
    return _isfile(path / "pyvenv.cfg")


PROJECT_VENVS = (".venv", "venv")  # where uv, poetry (in-project), PDM, Hatch and `python -m venv` put it


def project_environment(project_root: Path, environ: Mapping[str, str]) -> Path | None:
    """The project's own virtualenv when no environment is active: ``.venv`` (else ``venv``) at the project root,
    as pyright and ty find it. With ``$VIRTUAL_ENV`` set the active one is meant (None), and without a project venv
    the interpreter running trace-advisor is all there is (None): its site-packages would be trace-advisor's own when
    installed with pipx or uv tool, not the project's."""
    if environ.get("VIRTUAL_ENV"):
        return None
    return next((project_root / name for name in PROJECT_VENVS if _is_virtualenv(project_root / name)), None)


def site_packages(python: str | None) -> tuple[list[Path], list[Problem]]:
    """The site-packages of ``python`` (an interpreter or a virtualenv folder), else of the active environment."""
    if python is None:
        venv = os.environ.get("VIRTUAL_ENV")
        if venv:
            found = _site_packages_under(Path(venv))
            if found:
                return found, []
        paths = sysconfig.get_paths()
        unique = dict.fromkeys(Path(paths[key]) for key in ("purelib", "platlib") if key in paths)
        return [p for p in unique if p.is_dir()], []
    if os.sep not in python and "/" not in python:  # a command name such as "python3.12": look it up on PATH
        python = shutil.which(python) or python
    given = Path(python).expanduser()
    # a venv's bin/python is a symlink to the base interpreter: use the path as given, not its target
    prefix = given if given.is_dir() else given.parent.parent
    found = _site_packages_under(prefix)
    if not found and given.is_symlink():  # /usr/bin/python3 -> python3.11 in the same prefix, or a shared build
        found = _site_packages_under(given.resolve().parent.parent)
    if not found:
        return [], [Problem(f"no site-packages found for interpreter {python}", None, None, "warning")]
    return found, []


def _site_packages_under(prefix: Path) -> list[Path]:
    found = sorted(glob.glob(str(prefix / "lib" / "python3*" / "site-packages")), reverse=True)
    found += sorted(glob.glob(str(prefix / "lib" / "python3*" / "dist-packages")), reverse=True)  # Debian
    found += glob.glob(str(prefix / "Lib" / "site-packages"))
    return [Path(p) for p in found if Path(p).is_dir()]


_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "manage.py")
_SUBPROJECT_DEPTH = 3
_SUBPROJECT_SCAN_LIMIT = 2000  # folders looked at; keeps opening a huge tree cheap


def _subprojects(root: Path) -> list[Path]:
    """Where the imports of projects nested below ``root`` start: a folder up to three levels down that is no package
    (no ``__init__.py``) and holds a project's metadata (``pyproject.toml``, ``setup.py``, ``setup.cfg``) or a Django
    ``manage.py``; its ``src/`` when it has one. Code runs from there, so a repository opened at its top still
    resolves ``from app.crud import ...`` in ``backend/app`` (full-stack-fastapi-template), netbox's Django apps in
    ``netbox/`` and a monorepo's ``packages/<name>/src``. So is a folder holding a package that imports itself by
    its name (a service deployed from its folder by a Dockerfile). Packages are not searched below: they hold code,
    not projects."""
    found: list[Path] = []
    level = [root]
    scanned = 0
    for _ in range(_SUBPROJECT_DEPTH):
        below: list[Path] = []
        for folder in level:
            try:
                names = sorted(entry.name for entry in os.scandir(folder) if entry.is_dir())
            except OSError:
                continue
            for name in names:
                path = folder / name
                scanned += 1
                if scanned > _SUBPROJECT_SCAN_LIMIT:
                    return found
                if name[:1] in "._" or name in SKIPPED_DIRS or name.endswith(".egg-info") or _is_virtualenv(path):
                    continue
                if _exists(path / "__init__.py"):
                    # a package below the root that its own modules import by its name (Mailu's ``core/admin/mailu``
                    # importing ``from mailu.ui import ui``: a service shipped by a Dockerfile, no metadata)
                    if folder != root and folder not in found and _imports_itself(path):
                        found.append(folder)
                    continue
                below.append(path)
                if any(_isfile(path / marker) for marker in _PROJECT_FILES):
                    src = path / "src"
                    found.append(src if _isdir(src) and not _exists(src / "__init__.py") else path)
        level = below
    return found


_SELF_IMPORT_FILES = 40  # modules of a package read for an import of itself
_SELF_IMPORT_BYTES = 16384  # of each: imports are at the top


def _imports_itself(package: Path) -> bool:
    """Whether one of the first modules of ``package`` imports it absolutely by its name (``from mailu import
    models``, ``import mailu.utils``): code that runs with the package's parent folder on its path."""
    pattern = re.compile(rf"^\s*(?:from|import)\s+{re.escape(package.name)}(?:[.\s]|$)", re.MULTILINE)
    read = 0
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and d[:1] != ".")
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    head = handle.read(_SELF_IMPORT_BYTES).decode("utf-8", "replace")
            except OSError:
                continue
            if pattern.search(head):
                return True
            read += 1
            if read >= _SELF_IMPORT_FILES:
                return False
    return False


def package_root(path: Path) -> Path:
    """The folder imports start from for ``path``: walk up while the folder is a regular package."""
    current = path if _isdir(path) else path.parent
    while _isfile(current / "__init__.py") and current.parent != current:
        current = current.parent
    return current


class Workspace:
    """The workspace's files and the ordered search paths; earlier search paths win when two define a module."""

    def __init__(
        self,
        roots: Sequence[Path],
        *,
        search_paths: Sequence[Path] = (),
        python: str | None = None,
        ignore: Sequence[str] = (),
        site: Sequence[Path] | None = None,
    ) -> None:
        self.roots = tuple(Path(os.path.abspath(r)) for r in roots)
        self.ignore = tuple(ignore)
        self._setup_problems: list[Problem] = []
        self._walk_problems: list[Problem] = []
        ordered: list[Path] = []
        for root in self.roots:
            if not _exists(root):
                self._setup_problems.append(Problem(f"workspace root does not exist: {root}", str(root), None, "error"))
                continue
            ordered.append(package_root(root))
            src = root / "src"
            if _isdir(root) and _isdir(src) and not _exists(src / "__init__.py"):
                ordered.append(src)
            ordered.extend(_subprojects(root))
        base = self.roots[0] if self.roots else Path.cwd()
        base = base if _isdir(base) else base.parent
        for extra in search_paths:
            path = Path(os.path.abspath(base / Path(extra).expanduser()))
            if not _isdir(path):
                self._setup_problems.append(Problem(f"search path does not exist: {path}", str(path), None, "warning"))
                continue
            ordered.append(path)
        if site is None:
            site_found, site_problems = site_packages(python)
            self._setup_problems.extend(site_problems)
        else:
            site_found = list(site)
        ordered.extend(site_found)
        self.search_paths: tuple[Path, ...] = tuple(dict.fromkeys(ordered))
        self.site_paths = frozenset(site_found)
        self._located: dict[str, ModuleLocation | None] = {}
        self._stdlib = Path(sysconfig.get_paths()["stdlib"])
        self._stdlib_found: dict[str, Path | None] = {}

    @property
    def problems(self) -> list[Problem]:
        """Missing roots and search paths, and what the last discovery could not read."""
        return [*self._setup_problems, *self._walk_problems]

    # ---- discovery -------------------------------------------------------------------------------------------
    def discover(self) -> list[Path]:
        """Every ``.py`` file under the roots, minus skipped folders and ignore globs, in a stable order."""
        self._walk_problems = []
        found: dict[Path, None] = {}
        for root in self.roots:
            if _isfile(root):
                if root.suffix == ".py":
                    found[root] = None
                continue
            if _isdir(root):
                for path in self._walk(root, root, set()):
                    found[path] = None
        return list(found)

    def _walk(self, folder: Path, root: Path, visiting: set[tuple[int, int]]) -> Iterator[Path]:
        try:
            info = folder.stat()
        except OSError as exc:
            self._walk_problems.append(Problem(f"cannot read folder: {exc.strerror}", str(folder), None, "warning"))
            return
        key = (info.st_dev, info.st_ino)
        if key in visiting:
            self._walk_problems.append(
                Problem("symlink loop: folder already being indexed", str(folder), None, "warning")
            )
            return
        visiting.add(key)
        try:
            with os.scandir(folder) as entries:
                listing = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            self._walk_problems.append(Problem(f"cannot read folder: {exc.strerror}", str(folder), None, "warning"))
            visiting.discard(key)
            return
        subfolders: list[Path] = []
        for entry in listing:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIPPED_DIRS or entry.name.endswith(".egg-info") or _is_virtualenv(path):
                    continue
                if not self._ignored(path, root, folder=True):
                    subfolders.append(path)
            elif is_file and entry.name.endswith(".py") and not self._ignored(path, root, folder=False):
                yield path
            elif not is_file and not is_dir and entry.is_symlink() and entry.name.endswith(".py"):
                self._walk_problems.append(Problem("broken symlink", str(path), None, "warning"))
        for sub in subfolders:
            yield from self._walk(sub, root, visiting)
        visiting.discard(key)

    def accepts(self, path: Path) -> bool:
        """Whether discovery would index this file (under a root, not in a skipped folder, not ignored)."""
        if path.suffix != ".py":
            return False
        for root in self.roots:
            if path == root:
                return True
            if not path.is_relative_to(root) or not _isdir(root):
                continue
            folder = path.parent
            while folder != root:
                name = folder.name
                if name in SKIPPED_DIRS or name.endswith(".egg-info") or _is_virtualenv(folder):
                    return False
                if self._ignored(folder, root, folder=True):
                    return False
                folder = folder.parent
            return not self._ignored(path, root, folder=False)
        return False

    def _ignored(self, path: Path, root: Path, *, folder: bool) -> bool:
        if not self.ignore:
            return False
        relative = path.relative_to(root).as_posix()
        name = path.name
        for pattern in self.ignore:
            cleaned = pattern.rstrip("/")
            anywhere = cleaned.startswith("**/")  # ``**/features/steps``: a path of folders at any depth
            if anywhere:
                cleaned = cleaned[3:]
            if fnmatch.fnmatchcase(relative, cleaned) or ("/" not in cleaned and fnmatch.fnmatchcase(name, cleaned)):
                return True
            if anywhere and "/" in cleaned and fnmatch.fnmatchcase(relative, f"*/{cleaned}"):
                return True
            if not folder and (
                fnmatch.fnmatchcase(relative, cleaned + "/*")
                or (anywhere and "/" in cleaned and fnmatch.fnmatchcase(relative, f"*/{cleaned}/*"))
            ):
                return True
        return False

    # ---- module names ----------------------------------------------------------------------------------------
    def module_name(self, path: Path) -> str | None:
        """Dotted module name of a file, from the deepest search path containing it (``src/`` layouts included).

        Files whose path is not importable (``my-scripts/run.py``) keep their relative path's parts so ids stay
        unique. Returns None for files outside every search path.
        """
        best: tuple[str, ...] | None = None
        for search_path in self.search_paths:
            try:
                relative = path.relative_to(search_path)
            except ValueError:
                continue
            parts = relative.with_suffix("").parts
            if best is None or len(parts) < len(best):
                best = parts
        if not best:
            return None
        if best[-1] == "__init__":
            best = best[:-1]
        return ".".join(best) if best else None

    def is_site(self, path: Path) -> bool:
        return any(path.is_relative_to(site) for site in self.site_paths)

    def locate(self, name: str) -> ModuleLocation | None:
        """Find a module outside the workspace table on the search paths (cached); regular modules beat namespaces."""
        if name in self._located:
            return self._located[name]
        parts = name.split(".")
        found: ModuleLocation | None = None
        if is_identifier_path(parts):
            namespace = False
            for search_path in self.search_paths:
                base = search_path.joinpath(*parts)
                module_file = base.with_name(parts[-1] + ".py")
                if _isfile(module_file):
                    found = ModuleLocation(name, module_file, False)
                    break
                init = base / "__init__.py"
                if _isfile(init):
                    found = ModuleLocation(name, init, False)
                    break
                if _isdir(base):
                    namespace = True
            if found is None and namespace:
                found = ModuleLocation(name, None, False)
        self._located[name] = found
        return found

    def located(self) -> dict[str, ModuleLocation | None]:
        """Every module looked for on the search paths since the last :meth:`forget_locations`, with what was found:
        what resolution read outside the workspace (a later run checks these answers still hold)."""
        return dict(self._located)

    def forget_locations(self) -> None:
        """Drop cached lookups (files were added or removed)."""
        self._located.clear()

    def is_inside_roots(self, path: Path) -> bool:
        """Whether a file lies under a workspace root (then it is indexed, or deliberately skipped)."""
        return any(path == root or path.is_relative_to(root) for root in self.roots) and not self.is_site(path)

    def stdlib_module_exists(self, name: str) -> bool:
        """Whether the running interpreter's standard library has this (pure Python) module or package."""
        return self.stdlib_path(name) is not None

    def stdlib_path(self, name: str) -> Path | None:
        """The source file of a pure-Python stdlib module or package (``__init__.py``), if there is one."""
        if name in self._stdlib_found:
            return self._stdlib_found[name]
        parts = name.split(".")
        found: Path | None = None
        if is_identifier_path(parts):
            base = self._stdlib.joinpath(*parts)
            for candidate in (base.with_name(parts[-1] + ".py"), base / "__init__.py"):
                if _isfile(candidate):
                    found = candidate
                    break
        self._stdlib_found[name] = found
        return found
