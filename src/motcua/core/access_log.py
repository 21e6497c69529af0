"""gunicorn's access log with the mask of core.logs: gunicorn writes each request line itself, outside Django's
LOGGING, so the deprecated population GET (/api/v1/integrations/population/{id_number}) would otherwise put the
citizen's ID number there in full. Started with ``--logger-class motcua.core.access_log.MaskedLogger``.
``manage.py runserver`` writes its request lines through Django's django.server logger instead: settings.LOGGING gives
that logger a handler with the same filter."""

from __future__ import annotations

from gunicorn.glogging import Logger

from .logs import MaskPersonalNumbers


class MaskedLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        self.access_log.addFilter(MaskPersonalNumbers())
