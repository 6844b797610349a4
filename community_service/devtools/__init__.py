"""Development tools room: what `make run`, `make test`, `make fuzz` and `seed_demo` use, never the service.

Owns the developer entry points (cli.py: `python -m community_service.devtools
run|preflight|fuzz`, an embedded PostgreSQL for `make run`), the progress bars of the demo
data seeders (demo_progress.py, imported by the apps' demo.py) and the schemathesis
configuration and hooks (fuzz/). It lives inside the package only because the top level of
the repository is fixed; no runtime room imports it (an import-linter `forbidden` contract
in .importlinter): only the apps' demo.py seeders, run by `manage.py seed_demo`, reach
demo_progress, so web, workers and gRPC run the same without this directory.
"""
