"""Registers every concern's demo-data seeder with `hub.seed.SEEDERS`, in the order they must run.

A concern adds one import line here; its module appends `(name, seeder)` to `hub.seed.SEEDERS` on import.
"""
