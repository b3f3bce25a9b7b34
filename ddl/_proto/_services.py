"""A ``ddl.Service`` declaration as a .proto ``service`` block, for ``ddl proto``.

Example::

    lines = render_service(service_plan(Greeter), lambda cls: cls.__name__)
"""

from __future__ import annotations

from collections.abc import Callable

from .._service import ServicePlan


def render_service(plan: ServicePlan, name: Callable[[type], str]) -> list[str]:
    """The block's lines: one ``rpc`` a method, docstrings as comments; ``name`` gives the
    .proto name of a message class as the file refers to it."""
    lines = [f"// {line}".rstrip() for line in plan.doc.splitlines()]
    lines.append(f"service {plan.name} {{")
    for m in plan.methods:
        lines += [f"  // {line}".rstrip() for line in m.doc.splitlines()]
        request = f"{'stream ' if m.client_streaming else ''}{name(m.request)}"
        response = f"{'stream ' if m.server_streaming else ''}{name(m.response)}"
        lines.append(f"  rpc {m.name}({request}) returns ({response});")
    return [*lines, "}"]
