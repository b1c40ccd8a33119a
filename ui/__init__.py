"""Shared UI pieces for the pages: session state, figure builders, small widgets."""
