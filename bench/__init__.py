"""The Familiehub benchmark harness (`make bench`, `python -m bench --help`; see bench/README.md).

It starts the mock departments and the hub as separate processes on 127.0.0.1, drives the hub over HTTP from
this process, and reports every figure next to a baseline (the floor: the same department calls made directly;
and a naive path), so results are ratios rather than bare numbers. It never reaches beyond 127.0.0.1, never
runs an unbounded loop, and never prints personal data (the world is fictitious, but the habit matters).
"""
