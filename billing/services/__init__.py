"""Writes of billing, one module per resource. Row locks are taken in one order everywhere:
community → member → level → subscription → donation → payment, each kind by primary key.
Provider calls never run inside a database transaction (see payments.py)."""
