"""Advisors turn detector evidence into recommendations: the local scorer and optional model providers."""
