"""ddl's benchmark suite: shared workloads, one adapter per library, and the runner (run.py).

Not part of the installed package; run it with ``ddl bench`` from a checkout.
"""
