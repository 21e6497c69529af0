import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve in production with the demo keys.
from motcua.accounts.checks import refuse_insecure_start  # noqa: E402

refuse_insecure_start()
