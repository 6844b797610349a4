"""Contracts room: small registries through which apps on one layer meet without importing each other.

entitlements.py lets content ask "which paid levels does this user hold?" while billing
answers (it registers the source in its AppConfig.ready()). It is a billing concept, yet it
cannot live in billing/: content and billing are independent in .importlinter (neither may
import the other), so the question has to sit on a layer both may import, the platform.
Only the interface (a Protocol and a registry) lives here; the answer stays in billing.
"""
