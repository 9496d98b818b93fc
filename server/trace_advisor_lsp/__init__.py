"""trace-advisor-lsp: the pygls language server; protocol glue only, all analysis lives in trace_advisor."""
