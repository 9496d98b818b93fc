"""trace-advisor for coding agents: an MCP server (``trace-advisor mcp``) whose tools and resources answer from the same
core code paths as the CLI. Only :mod:`trace_advisor.mcp.server` imports the MCP SDK (the ``mcp`` extra)."""
