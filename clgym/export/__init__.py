"""Recordings into other formats: :mod:`clgym.export.nwb` writes Neurodata Without Borders (the optional extra
``nwb``)."""
