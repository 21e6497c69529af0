"""What a page receives is precomposed Vietnamese (NFC, core.text.nfc) before its view reads it.

``NfcInputMiddleware`` gives the view request.GET and request.POST (form fields of an urlencoded or multipart form;
the files themselves are left alone, their names are made NFC by documents.attachments) with their text in NFC,
so «Nguyễn Văn Hải» typed with Unikey's «Unicode tổ hợp» is the same name as the one typed precomposed: in a search,
a comparison, a length limit, on a printed paper. Password and secret fields stay as typed (core.text.SECRET_KEYS).
Not under /api/: the API normalizes through its parser (api.main.NfcParser), and request.body is never rewritten
(the payment gateway's callback is signed over its raw body). A view whose parameters are signed by someone else
(the payment gateway's return) is marked ``@raw_input`` and gets them exactly as sent.
"""

from __future__ import annotations

from django.utils.deprecation import MiddlewareMixin

from .text import nfc_querydict

API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def raw_input(view):
    """Mark `view` as reading its query parameters and form fields exactly as sent (e.g. they are signed)."""
    view.motcua_raw_input = True
    return view


class NfcInputMiddleware(MiddlewareMixin):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(API_PREFIX) or getattr(view_func, "motcua_raw_input", False):
            return None
        request.GET = nfc_querydict(request.GET)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            request.POST = nfc_querydict(request.POST)
        return None
