"""Reads of billing, one module per resource."""
