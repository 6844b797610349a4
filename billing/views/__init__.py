"""Thin views of billing, one module per resource; each lists its own routes."""
