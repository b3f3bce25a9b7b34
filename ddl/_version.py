"""The version of ddl and the name it is published under: the one place either is written.

pyproject.toml reads ``__version__`` from here when it builds (``[tool.setuptools.dynamic]``),
and ``ddl --version`` prints it. The package imports as ``ddl``, but the index name ``ddl``
belongs to another project, so ddl installs as ``ddl-proto``.

Example::

    print(f"{DISTRIBUTION} {__version__}")
"""

__version__ = "0.1.0"

# The name to give pip; messages that suggest an install use it.
DISTRIBUTION = "ddl-proto"
