import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve in production with the demo keys.
from motcua.accounts.checks import refuse_insecure_start  # noqa: E402

refuse_insecure_start()

# Load the URL configuration (every page and the API's schemas) now, while the worker starts, not on the first
# request each worker serves (about a second of CPU: a citizen's request would wait for it). With gunicorn's
# --preload it is done once, before the workers fork. No database connection is opened here.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
