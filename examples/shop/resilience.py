"""Retry with exponential backoff, as a decorator."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)


def retry(
    *, attempts: int = 3, delay: float = 0.2, retry_on: tuple[type[BaseException], ...] = (Exception,)
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Call the function again (up to ``attempts`` times in all) when it raises one of ``retry_on``."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for attempt in range(1, attempts + 1):
                try:
                    return func(*args, **kwargs)
                except retry_on as exc:
                    if attempt == attempts:
                        raise
                    pause = delay * 2 ** (attempt - 1)
                    log.warning(
                        "%s failed (%s), attempt %d/%d, retrying in %.2fs",
                        func.__qualname__,
                        exc,
                        attempt,
                        attempts,
                        pause,
                    )
                    time.sleep(pause)
            raise AssertionError("unreachable")

        return wrapper

    return decorate
