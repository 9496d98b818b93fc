"""The batch runner every model provider shares: cache, batching, bounded concurrency, retries, cancellation, usage.

A concrete provider only implements :meth:`ModelProvider._send` (one request, one answer, or a ``ProviderError``).
Everything else happens here, so redaction, caching and error handling cannot differ between providers.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypedDict, TypeVar, Unpack

from trace_advisor.advise.answer_cache import AnswerCache, cache_key
from trace_advisor.advise.answers import (
    AnswerError,
    AnswerItem,
    Expected,
    parameters_of,
    parse_answer,
    to_recommendation,
)
from trace_advisor.advise.pricing import PriceTable
from trace_advisor.advise.prompt import (
    PROMPT_VERSION,
    RenderedCandidate,
    enabled_priorities,
    priorities_fingerprint,
    render_candidate,
    system_prompt,
    user_prompt,
)
from trace_advisor.advise.provider import Candidate, ProviderResult
from trace_advisor.cancel import CancelToken
from trace_advisor.config_model import PriorityConfig
from trace_advisor.datatypes import Problem, Recommendation, Usage

log = logging.getLogger(__name__)

MAX_RETRY_AFTER = 120.0  # never sleep longer than this on a server's say-so (the wait is cancellable anyway)


class ProviderError(Exception):
    """One request failed. ``fatal``: no other request can succeed either (credentials, unknown model, config)."""

    def __init__(
        self, message: str, *, kind: str, retryable: bool = False, fatal: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # throttled | server | network | timeout | auth | model | request | malformed | internal
        self.retryable = retryable
        self.fatal = fatal
        self.retry_after = retry_after


def retry_after_seconds(value: object) -> float | None:
    """A ``Retry-After`` header in seconds (None when absent, negative or an HTTP date)."""
    try:
        seconds = float(str(value))
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


@dataclass(frozen=True, slots=True)
class CallResult:
    text: str
    input_tokens: int
    output_tokens: int
    truncated: bool = False  # the model stopped at max tokens
    note: str | None = None  # e.g. "content filtered", told to the user


class _StopError(Exception):
    """Internal: the run was cancelled, or an earlier fatal error makes further requests pointless."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "cancelled")
        self.cancelled = reason is None


@dataclass(slots=True)
class _Outcome:
    """What one batch produced; merged into the run's result by the calling thread."""

    recommendations: list[Recommendation] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    usage_by_file: dict[str, Usage] = field(default_factory=dict)
    failure: str | None = None  # why (some of) the batch got no model answer
    unanswered: int = 0  # functions of the batch left with local advice only
    dropped: int = 0
    invalid: int = 0
    cancelled: bool = False


class RunOptions(TypedDict, total=False):
    """How a provider runs its requests, the same for every provider (defaults in :class:`ModelProvider`)."""

    batch_size: int
    concurrency: int
    cache: AnswerCache | None
    prices: PriceTable | None
    backoff_base: float
    backoff_max: float
    seed: int | None


class ModelSettings(Protocol):
    """What the runner reads from a provider's settings (``BedrockConfig``, ``OpenAIConfig``)."""

    @property
    def max_attempts(self) -> int: ...


SettingsT = TypeVar("SettingsT", bound=ModelSettings)


class ModelProvider(ABC, Generic[SettingsT]):
    """Implements :class:`~trace_advisor.advise.provider.Provider` on top of a single-request ``_send``."""

    name: str = "model"

    def __init__(
        self,
        settings: SettingsT,
        *,
        model: str,
        priorities: Mapping[str, PriorityConfig],
        **options: Unpack[RunOptions],
    ) -> None:
        self.settings = settings
        self.model = model
        self.priorities = dict(priorities)
        self.batch_size = max(1, options.get("batch_size", 8))
        self.concurrency = max(1, options.get("concurrency", 4))
        self.max_attempts = max(1, settings.max_attempts)
        self.cache = options.get("cache")
        prices = options.get("prices")
        self.prices = prices if prices is not None else PriceTable.load()
        self.backoff_base = options.get("backoff_base", 1.0)
        self.backoff_max = options.get("backoff_max", 30.0)
        self._random = random.Random(options.get("seed"))
        self._lock = threading.Lock()
        self._fatal: ProviderError | None = None
        self._paused_until = 0.0  # monotonic time before which no request is sent (a server's Retry-After)

    @abstractmethod
    def _send(self, system: str, user: str) -> CallResult:
        """Send one request; raise ProviderError (never anything else on purpose) when it fails."""

    @property
    def label(self) -> str:
        return f"{self.name} model {self.model!r}"

    # ---- the Provider interface -----------------------------------------------------------------------------

    def advise(self, candidates: tuple[Candidate, ...], cancel: CancelToken) -> ProviderResult:
        with self._lock:
            self._fatal = None  # a new run may follow fixed credentials
        unique = list({c.symbol: c for c in candidates}.values())
        if not unique:
            return ProviderResult(())
        names = tuple(enabled_priorities(self.priorities))
        fingerprint = priorities_fingerprint(self.priorities)
        recommendations: list[Recommendation] = []
        pending: list[tuple[RenderedCandidate, str]] = []
        cached = 0
        for candidate in unique:
            rendered = render_candidate(candidate)
            key = cache_key(self.model, PROMPT_VERSION, fingerprint, rendered.text)
            verdict = self.cache.get(key, names) if self.cache else None
            if verdict is None:
                pending.append((rendered, key))
                continue
            cached += 1
            if verdict.item is not None:
                recommendations.append(to_recommendation(verdict.item, candidate, self.model, Usage()))
        pending.sort(key=lambda pair: (pair[0].candidate.file, pair[0].candidate.range.start.line))
        batches = [pending[i : i + self.batch_size] for i in range(0, len(pending), self.batch_size)]
        log.info(
            "%s: %d functions, %d answered from cache, %d to send in %d requests",
            self.label,
            len(unique),
            cached,
            len(pending),
            len(batches),
        )
        outcomes, cancelled_batches = self._run_batches(batches, system_prompt(self.priorities), names, cancel)
        return self._result(recommendations, outcomes, cancelled_batches, cached, len(unique))

    # ---- running batches --------------------------------------------------------------------------------------

    def _run_batches(
        self,
        batches: list[list[tuple[RenderedCandidate, str]]],
        system: str,
        names: tuple[str, ...],
        cancel: CancelToken,
    ) -> tuple[list[_Outcome], int]:
        if not batches:
            return [], 0
        pool = ThreadPoolExecutor(max_workers=min(self.concurrency, len(batches)), thread_name_prefix="advise")
        futures: set[Future[_Outcome]] = {
            pool.submit(self._run_batch, batch, system, names, cancel) for batch in batches
        }
        outcomes: list[_Outcome] = []
        try:
            while futures:
                done, futures = wait(futures, timeout=0.05, return_when=FIRST_COMPLETED)
                outcomes.extend(_outcome_of(future) for future in done)
                if cancel.cancelled:
                    # Stop waiting now: requests in flight finish in the background and still fill the cache.
                    break
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return outcomes, len(futures)

    def _run_batch(
        self, batch: list[tuple[RenderedCandidate, str]], system: str, names: tuple[str, ...], cancel: CancelToken
    ) -> _Outcome:
        sections = [rendered for rendered, _ in batch]
        user = user_prompt(sections)
        try:
            result = self._send_with_retries(system, user, cancel, len(sections))
        except _StopError as stop:
            if stop.cancelled:
                return _Outcome(unanswered=len(batch), cancelled=True)
            return _Outcome(failure=str(stop), unanswered=len(batch))
        except ProviderError as err:
            return _Outcome(failure=err.message, unanswered=len(batch))
        shares = self._split_usage(sections, result)
        cost = self.prices.cost(self.model, result.input_tokens, result.output_tokens)
        outcome = _Outcome(usage=Usage(1, result.input_tokens, result.output_tokens, cost))
        for section in sections:
            file, share = section.candidate.file, shares[section.candidate.symbol]
            before = outcome.usage_by_file.get(file, Usage())
            # a file takes part in this one call however many of its functions are in it
            outcome.usage_by_file[file] = Usage(
                1,
                before.input_tokens + share.input_tokens,
                before.output_tokens + share.output_tokens,
                before.cost_usd + share.cost_usd,
            )
        try:
            return self._read_answer(batch, result, shares, outcome, system, names, cancel)
        except Exception as exc:  # noqa: BLE001 - a bug reading one answer costs its batch, never the run's usage
            log.warning("%s: could not read an answer", self.label, exc_info=True)
            outcome.recommendations.clear()
            outcome.failure = f"internal error reading the answer ({type(exc).__name__}: {exc})"
            outcome.unanswered = len(batch)
            return outcome

    def _read_answer(
        self,
        batch: list[tuple[RenderedCandidate, str]],
        result: CallResult,
        shares: dict[str, Usage],
        outcome: _Outcome,
        system: str,
        names: tuple[str, ...],
        cancel: CancelToken,
    ) -> _Outcome:
        """Validate one paid answer into ``outcome`` (which already holds the call's usage) and cache it."""
        sections = [rendered for rendered, _ in batch]
        expected = [Expected(s.candidate.symbol, s.line_count, parameters_of(s.candidate.code)) for s in sections]
        try:
            parsed = parse_answer(result.text, expected, names, truncated=result.truncated)
        except AnswerError as err:
            log.debug("%s: unusable answer: %.2000s", self.label, result.text)
            outcome.failure = f"{err}{'; it was cut off at the max_tokens limit' if result.truncated else ''}"
            outcome.unanswered = len(batch)
            return outcome
        outcome.dropped, outcome.invalid = parsed.dropped, parsed.invalid
        for rendered, key in batch:
            item: AnswerItem | None = parsed.items.get(rendered.candidate.symbol)
            share = shares[rendered.candidate.symbol]
            if parsed.salvaged and item is None:
                outcome.unanswered += 1  # cut off before this function: not cached, asked again
                continue
            if self.cache is not None:
                self.cache.put(key, item)
            if item is not None:
                outcome.recommendations.append(to_recommendation(item, rendered.candidate, self.model, share))
        if parsed.salvaged:
            rest = [pair for pair in batch if pair[0].candidate.symbol not in parsed.items]
            if rest and len(rest) < len(batch):
                # A cut-off answer still made progress: ask for the rest now rather than on the next run.
                log.info("%s: answer cut off at max_tokens; asking again for %d functions", self.label, len(rest))
                return _merged(outcome, self._run_batch(rest, system, names, cancel))
            outcome.failure = "the answer was cut off at the max_tokens limit (raise max_tokens or lower batch_size)"
        elif result.note:
            outcome.failure = result.note
        return outcome

    def _send_with_retries(self, system: str, user: str, cancel: CancelToken, functions: int) -> CallResult:
        attempt = 0
        while True:
            self._check_go(cancel)
            attempt += 1
            log.debug("%s: request (attempt %d, %d functions), redacted:\n%s", self.label, attempt, functions, user)
            started = time.monotonic()
            try:
                result = self._send(system, user)
            except ProviderError as err:
                if err.fatal:
                    with self._lock:
                        self._fatal = self._fatal or err
                    raise
                if not err.retryable or attempt >= self.max_attempts:
                    if err.retryable:
                        err.message = f"{err.message} (gave up after {attempt} attempts)"
                    if err.kind == "network":  # the endpoint is unreachable: the other requests would fail too
                        with self._lock:
                            self._fatal = self._fatal or err
                    raise
                delay = self._backoff(attempt, err.retry_after)
                log.info(
                    "%s: %s; retrying in %.1fs (attempt %d of %d)",
                    self.label,
                    err.message,
                    delay,
                    attempt,
                    self.max_attempts,
                )
                if cancel.wait(delay):
                    raise _StopError() from None
                continue
            except Exception as exc:  # a bug or an unforeseen client error must not take the analysis down
                log.debug("%s: unexpected error", self.label, exc_info=True)
                raise ProviderError(f"unexpected error: {type(exc).__name__}: {exc}", kind="internal") from exc
            log.info(
                "%s: call took %.2fs, %d input + %d output tokens",
                self.label,
                time.monotonic() - started,
                result.input_tokens,
                result.output_tokens,
            )
            return result

    def _check_go(self, cancel: CancelToken) -> None:
        """Raise _StopError when cancelled or after a fatal error; honour a pause a server asked for (Retry-After)."""
        while True:
            if cancel.cancelled:
                raise _StopError()
            with self._lock:
                fatal = self._fatal
                pause = self._paused_until - time.monotonic()
            if fatal is not None:
                raise _StopError(fatal.message)
            if pause <= 0:
                return
            if cancel.wait(pause):
                raise _StopError()

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with jitter; a server's Retry-After wins when longer (and pauses every worker)."""
        with self._lock:
            exponential = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
            delay: float = exponential * (0.5 + self._random.random() / 2)
            if retry_after is not None and retry_after > 0:
                delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
                self._paused_until = max(self._paused_until, time.monotonic() + delay)
        return delay

    # ---- usage and the final result -------------------------------------------------------------------------

    def _split_usage(self, sections: Sequence[RenderedCandidate], result: CallResult) -> dict[str, Usage]:
        """One call's tokens split over its functions by their share of the prompt (exact totals, stable order)."""
        weights = [max(1, len(s.text)) for s in sections]
        inputs = _apportion(result.input_tokens, weights)
        outputs = _apportion(result.output_tokens, weights)
        return {
            s.candidate.symbol: Usage(1, i, o, self.prices.cost(self.model, i, o))
            for s, i, o in zip(sections, inputs, outputs, strict=True)
        }

    def _result(
        self, cached_recs: list[Recommendation], outcomes: list[_Outcome], cancelled: int, cached: int, total: int
    ) -> ProviderResult:
        recommendations = list(cached_recs)
        usage = Usage()
        by_file: dict[str, Usage] = {}
        failures: dict[str, int] = {}
        dropped = invalid = 0
        for outcome in outcomes:
            recommendations.extend(outcome.recommendations)
            usage += outcome.usage
            for file, file_usage in outcome.usage_by_file.items():
                by_file[file] = by_file.get(file, Usage()) + file_usage
            if outcome.failure:
                failures[outcome.failure] = failures.get(outcome.failure, 0) + outcome.unanswered
            dropped += outcome.dropped
            invalid += outcome.invalid
            cancelled += outcome.cancelled
        usage = Usage(
            usage.calls,
            usage.input_tokens,
            usage.output_tokens,
            self.prices.cost(self.model, usage.input_tokens, usage.output_tokens),
        )
        problems = [self._problem(reason, count) for reason, count in failures.items()]
        if cancelled:
            problems.append(
                Problem(
                    f"{self.label}: cancelled; {cancelled} request(s) got no answer (late answers are still cached)",
                    severity="info",
                )
            )
        if dropped:
            problems.append(
                Problem(
                    f"{self.label}: {dropped} answer(s) named a function or line that was not sent and were dropped",
                    severity="info",
                )
            )
        if invalid:
            problems.append(
                Problem(
                    f"{self.label}: {invalid} answer(s) did not match the expected JSON shape and were ignored",
                    severity="info",
                )
            )
        recommendations.sort(key=lambda r: (r.file, r.range.start.line, r.symbol))
        log.info("%s: %d of %d functions advised, %s", self.label, len(recommendations), total, usage.to_json())
        return ProviderResult(tuple(recommendations), usage, tuple(problems), dropped, by_file, cached)

    def _problem(self, reason: str, functions: int) -> Problem:
        keeps = f"; {functions} function(s) keep their local advice" if functions else ""
        return Problem(f"{self.label}: {reason}{keeps}", severity="warning")


def _outcome_of(future: Future[_Outcome]) -> _Outcome:
    """A batch's outcome; a bug before its request was sent costs that batch only (the others' answers stand)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001
        log.warning("a model batch failed", exc_info=True)
        return _Outcome(failure=f"internal error ({type(exc).__name__}: {exc})")


def _merged(first: _Outcome, rest: _Outcome) -> _Outcome:
    """A batch's outcome followed by the outcome of asking again for the functions its answer did not reach."""
    usage_by_file = dict(first.usage_by_file)
    for file, usage in rest.usage_by_file.items():
        usage_by_file[file] = usage_by_file.get(file, Usage()) + usage
    return _Outcome(
        recommendations=first.recommendations + rest.recommendations,
        usage=first.usage + rest.usage,
        usage_by_file=usage_by_file,
        failure=rest.failure,
        unanswered=rest.unanswered,
        dropped=first.dropped + rest.dropped,
        invalid=first.invalid + rest.invalid,
        cancelled=rest.cancelled,
    )


def _apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` proportionally to ``weights`` with the largest-remainder method (the parts sum to total)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts
