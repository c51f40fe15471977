"""Does the culture learn Pong? Two sibling designs of one shape over one shared layer (``clgym replicate``).

- :mod:`clgym.replication.protocol`: the frozen-probe protocol (the culture as the unit; held-out probes before
  and after each session; preregistered, the measure we trust): ``job`` (one culture through every
  condition), ``frozen_probe``, ``command`` (``clgym replicate protocol``), ``report``;
- :mod:`clgym.replication.sessions`: the paper's design (seeded sessions per condition; rally length early vs
  late): ``job`` (one session), ``command`` (``clgym replicate sessions``), ``report``.

What both share: :mod:`~clgym.replication.conditions` (one table of conditions and the paper's groups),
:mod:`~clgym.replication.runner` (jobs on local worker processes or Ray tasks),
:mod:`~clgym.replication.campaign_io` (the output folder, ``run.json`` with repository-relative paths, resume,
``failures.json``, ``--override``, one-line argument errors) and :mod:`~clgym.replication.command` (the
``clgym replicate`` dispatcher). Arrows point from the designs to the shared layer, never back.

Example
-------
    clgym replicate protocol --quick --out out/protocol_quick
    clgym replicate sessions --quick --out out/sessions_quick
"""
