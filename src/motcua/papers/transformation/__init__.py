"""Papers of digital transformation: the seeds' appendices and the annual report, as .docx and .xlsx.

Layered above the transformation app (it reads plans, tasks, budget lines, targets and the annual figures
through its services; the figures stay there, as the statistics' stay in reporting) and below the web: the
back office and the API call ``tasks.start``. ``builder.py`` is the only module that knows the Decree 30/2020
builder (``motcua.papers.decree30``); ``render.py`` writes a stand-alone appendix, ``annual.py`` the report.
"""
