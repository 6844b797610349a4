"""What the operator's commands share: a --help that keeps its line breaks and ends with examples."""

from argparse import RawDescriptionHelpFormatter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class DocumentedCommand(BaseCommand):
    """A command whose `help` is laid out by hand and whose --help ends with `examples`
    (each a line that works as written; docs/operations.md repeats them)."""

    examples: tuple[str, ...] = ()

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        if self.examples:
            parser.epilog = "examples:\n" + "\n".join(f"  {example}" for example in self.examples)
        return parser
