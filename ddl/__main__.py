"""``python -m ddl``: the same command line as ``ddl`` (see ``ddl._cli``)."""

from ddl._cli import main

raise SystemExit(main())
