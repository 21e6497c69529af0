"""A plan to and from .xlsx laid out like the seeds' appendices (one row per task, group rows I, II, …)."""
