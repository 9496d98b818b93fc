"""Per-module facts: what one module defines, imports, assigns and calls, computed from its text alone."""

from trace_advisor.facts.extract import extract_facts
from trace_advisor.facts.records import Binding, CallSite, Chain, Decorator, Loc, ModuleFacts, Scope

__all__ = ["Binding", "CallSite", "Chain", "Decorator", "Loc", "ModuleFacts", "Scope", "extract_facts"]
