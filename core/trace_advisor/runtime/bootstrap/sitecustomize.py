"""Put on ``PYTHONPATH`` by ``python -m trace_advisor.runtime``: installs the import hook from
``$TRACE_ADVISOR_RUNTIME_CONFIG`` in every Python process, then runs the ``sitecustomize`` this one hides (the
interpreter's, a virtualenv's, ``opentelemetry-instrument``'s), so both apply."""

import importlib.machinery
import importlib.util
import os
import sys


def _install() -> None:
    try:
        from trace_advisor.runtime import install_from_env
    except ImportError as exc:  # an interpreter without trace-advisor: run the app untraced
        sys.stderr.write(f"trace_advisor.runtime: not available in {sys.executable} ({exc}); nothing is traced\n")
        return
    install_from_env()


def _chain() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_install()
_chain()
