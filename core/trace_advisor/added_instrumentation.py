"""Instrumentation a project adds in its own code rather than as a package it installs: strawberry's
``OpenTelemetryExtension`` (``strawberry.extensions.tracing``), put in a GraphQL schema's extensions, gives each
resolver its span, as a web framework's instrumentation package gives each request its server span. Data only: the
detectors, the scorer and the editor's start-up all read it."""

from __future__ import annotations

from dataclasses import dataclass

STRAWBERRY = "strawberry-graphql"  # the distribution that ships the extension


@dataclass(frozen=True, slots=True)
class AddedInCode:
    action: str  # what to do, `backticked` names as code
    gives: str  # what it gives the functions it covers
    wanted: str  # the same as a rationale wants it ("for each GraphQL resolver's span")
    handler: str  # what it covers, singular


ADDED_IN_CODE = {
    STRAWBERRY: AddedInCode(
        "Add strawberry's `OpenTelemetryExtension` (`strawberry.extensions.tracing`) to the schema's extensions",
        "each GraphQL resolver its span",
        "each GraphQL resolver's span",
        "GraphQL resolver",
    ),
}
