"""Business operations: pricing and the order lifecycle."""
