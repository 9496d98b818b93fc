"""Test support: loopback HTTP servers that speak the model providers' real wire formats."""
