"""`python -m bench [options]`: run the benchmark and print one table (see bench/README.md)."""

from bench.main import main

raise SystemExit(main())
