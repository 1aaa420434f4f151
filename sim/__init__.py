"""empathy-sim: an agent-based simulation of job-search networking.

A job seeker asks contacts for help; each answers with sympathy, "I'll keep my ears open", or
productive empathy (a lead, an introduction). See ``docs/model.md`` for the model.
"""

__version__ = "0.3.0"  # the one place the version is written (pyproject.toml reads it)
