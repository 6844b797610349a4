"""Django's PostgreSQL backend, loading timestamps with psycopg's C loader (see base.py)."""
