"""The LSP handlers, one module per area; each translates parameters, calls the server's services and converts
the answer. ``trace_advisor_lsp.app`` registers them."""
