"""The frozen-probe protocol (``clgym replicate protocol``): job, frozen probe, command, report."""
