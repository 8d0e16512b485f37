"""Imports every concern's CLI module so that its commands register in `hub.cli.COMMANDS` (one line each)."""
