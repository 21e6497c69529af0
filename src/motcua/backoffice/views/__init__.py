"""Back-office pages, one module per page family (see urls.py)."""
