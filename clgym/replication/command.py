"""``clgym replicate protocol|sessions``: choose the replication design, then run its command.

Concepts
--------
Two designs test whether the culture learns Pong (:mod:`clgym.replication`):

- ``protocol``: the frozen-probe protocol, the culture as the unit (the measure we trust, preregistered runs
  in ``results/``): :mod:`clgym.replication.protocol.command`;
- ``sessions``: the paper's own design, seeded sessions per condition and the session as the unit:
  :mod:`clgym.replication.sessions.command`.

A bare ``clgym replicate`` runs nothing: it names the two designs and exits with status 2, as argparse does
for a missing required argument. On purpose: the older default (the session campaign, hours of CPU) was easy to
start by accident and measures what we no longer trust, while making the protocol the default would silently
change what an old command line means. Old command lines keep working for a while, with a deprecation note on
stderr: ``clgym replicate --protocol ...`` runs ``clgym replicate protocol ...``, and options without a
design (``clgym replicate --quick``) run ``clgym replicate sessions ...`` as they did.

Example
-------
    clgym replicate protocol --quick
    clgym replicate sessions --quick
    clgym replicate protocol --help
"""

from __future__ import annotations

import importlib
import sys

DESIGNS = {
    "protocol": "clgym.replication.protocol.command",
    "sessions": "clgym.replication.sessions.command",
}
USAGE = ("usage: clgym replicate {protocol,sessions} [options]\n\n"
         "  protocol   the frozen-probe protocol: cultures as the unit, held-out probes (the measure we trust)\n"
         "  sessions   the paper's design: seeded sessions per condition, rally length early vs late\n\n"
         "clgym replicate <design> --help for its options; --quick for a one-minute smoke run")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DESIGNS:
        design, rest = argv[0], argv[1:]
    elif argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    elif "--protocol" in argv:
        design, rest = "protocol", [a for a in argv if a != "--protocol"]
        _deprecated("clgym replicate --protocol", "clgym replicate protocol")
    elif argv and argv[0].startswith("-"):
        design, rest = "sessions", argv
        _deprecated("clgym replicate [options]", "clgym replicate sessions [options]")
    else:
        given = f"{argv[0]!r}" if argv else "nothing"
        print(f"{USAGE}\nclgym replicate: error: design: {given} is not allowed; allowed: "
              f"{', '.join(DESIGNS)}", file=sys.stderr)
        return 2
    return importlib.import_module(DESIGNS[design]).main(rest)


def _deprecated(old: str, new: str) -> None:
    print(f"clgym replicate: `{old}` is deprecated and will be removed; use `{new}`", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
