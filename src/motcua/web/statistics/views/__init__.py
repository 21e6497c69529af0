"""Statistics pages (/thong-ke/), in the site's frame (the portal's for the public, the back office's for officers):
public transparency per unit (public.py), the Decision 766 index with the dossiers and procedures that cost points
(index766.py), and for officers the dossiers behind a figure and report builds with progress (officers.py).
The figures come from motcua.reporting, the report files from motcua.papers."""
