"""The DishBrain replication protocol (``clgym replicate``): the culture plays Pong alone, per condition.

- :mod:`clgym.replication.conditions`: the conditions and the paper's groups they stand for;
- :mod:`clgym.replication.session`: one seeded session (:class:`SessionSpec` -> :func:`run_session`);
- :mod:`clgym.replication.campaign`: sessions on local worker processes or Ray tasks, and the command;
- :mod:`clgym.replication.report`: the analysis, CSVs, figures and ``summary.md``.
"""
