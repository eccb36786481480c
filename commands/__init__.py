"""The command line's commands, one module per job; importing this package registers them all (commands.base)."""
from commands import admin, catalogue, data, policy, portfolio, reports, supervision  # noqa: F401  (registers the commands)
from commands.base import COMMANDS

__all__ = ["COMMANDS"]
