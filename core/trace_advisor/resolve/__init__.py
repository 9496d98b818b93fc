"""Resolution of call sites to symbol ids: scopes, imports, classes and their MRO, annotations, return values."""

from trace_advisor.resolve.modules import ModuleInfo, ModuleProvider, absolute_module
from trace_advisor.resolve.resolver import Resolver

__all__ = ["ModuleInfo", "ModuleProvider", "Resolver", "absolute_module"]
