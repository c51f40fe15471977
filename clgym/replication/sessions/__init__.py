"""The paper's session design (``clgym replicate sessions``): job, command, report."""
