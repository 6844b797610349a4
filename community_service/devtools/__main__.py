"""`python -m community_service.devtools run|preflight|fuzz` (see cli.py)."""

from community_service.devtools.cli import main

# Guarded: a test that imports every module must not start a command.
if __name__ == "__main__":
    main()
