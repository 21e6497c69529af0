"""The transformation app's services: other apps and the web/API layers call these, never the tables."""
