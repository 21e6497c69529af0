"""A result template renders in a child process under the system's limits (documents/render_process.py): work no
in-process bound sees ends with the child, refused with a Vietnamese reason, nothing kept; the database connection of
the process that forked it goes on working; a normal template renders the same bytes as in the process itself."""

import io
import os
import signal
import threading
import zipfile

import pytest
from django.db import connection

from motcua.core.errors import ValidationFailed
from motcua.demo.result_templates import DEMO_TEMPLATES, template_docx
from motcua.documents import render_budget, render_process, result_drafts
from motcua.documents.models import Attachment, ResultTemplate
from motcua.documents.result_drafts import FIELDS, _render, _render_here
from tests.web.test_result_drafts import _refused_quickly, _upload_template

pytestmark = pytest.mark.django_db

# Two lists of lists built apart, equal: «==» compares them item by item at every level, 2^40 comparisons in one call
# of C code, where neither the render's clock (sys.monitoring sees only the template's own code) nor any count looks;
# it held the worker's CPU for hours.
DEEP_EQUAL = ("{% set ns = namespace(a=[applicant_name], b=[applicant_name]) %}{% for i in range(40) %}"
              "{% set ns.a = [ns.a, ns.a] %}{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}")
# 2.000 texts of 99.999 characters kept (400 MB): within the in-process bounds once MAX_BUILT is raised, which stands
# here for a hole no in-process bound sees.
MEMORY = ("{% set ns = namespace(l=[]) %}{% for i in range(2000) %}{% set ns.l = [ns.l, applicant_name * 99999] %}"
          "{% endfor %}{{ 1 }}")
SLOW = "Mẫu kết quả mất quá 0,5 giây để điền dữ liệu"
TOO_MUCH_MEMORY = "Mẫu kết quả cần quá nhiều bộ nhớ khi điền dữ liệu; chỉ dùng các trường trộn được liệt kê."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def half_a_second(monkeypatch):
    monkeypatch.setattr(render_budget, "RENDER_SECONDS", 0.5)  # read by the child at the fork


@pytest.fixture
def small_memory(monkeypatch):
    monkeypatch.setattr(render_budget, "MAX_BUILT", 10**10)
    monkeypatch.setattr(render_process, "RENDER_MEMORY", 64 * 2**20)


def _database_works():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.is_usable()


def test_deep_equality_of_lists_built_apart_is_refused_at_the_deadline(client, world, half_a_second):
    _refused_quickly(client, world, DEEP_EQUAL, SLOW)
    _database_works()  # the child was killed; the connection of the process that forked it is untouched
    assert ResultTemplate.objects.count() == 0


def test_a_render_past_its_memory_is_refused(client, world, small_memory):
    client.force_login(world["leader"])
    resp = _upload_template(client, world["proc"], template_docx("GIẤY", [MEMORY]))
    assert resp.status_code == 422 and TOO_MUCH_MEMORY in resp.content.decode()
    assert not ResultTemplate.objects.exists() and not Attachment.objects.filter(kind="template").exists()
    _database_works()


def _killed_by_the_kernel(docx, context):
    """What the kernel's OOM killer does to a render that took the machine's memory: SIGKILL, no answer, no trace."""
    hoard = [bytearray(2**20) for _ in range(32)]  # noqa: F841  what it took
    os.kill(os.getpid(), signal.SIGKILL)


def _past_its_cpu_limit(docx, context):
    """C code the render's clock does not see, running until the CPU limit ends it; SIGXCPU ignored, as C code may
    do, so that the hard limit's SIGKILL ends it."""
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)
    while True:
        sum(range(10**7))


def test_a_render_killed_by_the_kernel_for_its_memory_is_refused_for_its_memory_not_its_time(client, world,
                                                                                             monkeypatch):
    monkeypatch.setattr(result_drafts, "_render_here", _killed_by_the_kernel)
    client.force_login(world["leader"])
    resp = _upload_template(client, world["proc"], template_docx("GIẤY", ["{{ applicant_name }}"]))
    body = resp.content.decode()
    assert resp.status_code == 422 and TOO_MUCH_MEMORY in body and "giây" not in body
    assert not ResultTemplate.objects.exists() and not Attachment.objects.filter(kind="template").exists()
    _database_works()


def test_a_render_killed_at_its_cpu_limit_is_still_too_slow(monkeypatch, half_a_second):
    monkeypatch.setattr(render_process, "MARGIN_SECONDS", 30.0)  # the CPU limit, not the parent, ends it
    monkeypatch.setattr(result_drafts, "_render_here", _past_its_cpu_limit)
    with pytest.raises(ValidationFailed) as refused:
        _render(template_docx("GIẤY", ["{{ x }}"]), {})
    assert refused.value.code == "template_unsafe" and refused.value.message.startswith(SLOW)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_the_child_is_ended_from_a_worker_thread(half_a_second):
    # runserver and threaded WSGI servers render outside the main thread
    refused = []

    def render():
        try:
            _render(template_docx("GIẤY", [DEEP_EQUAL]), {"applicant_name": "…"})
        except ValidationFailed as exc:
            refused.append(exc.message)

    worker = threading.Thread(target=render, daemon=True)
    worker.start()
    worker.join(timeout=15)  # the child's deadline is half a second; a loaded machine is slower, hours are not
    assert not worker.is_alive() and len(refused) == 1 and refused[0].startswith(SLOW)
    _database_works()


def test_the_database_goes_on_after_children_rendered_and_were_killed(client, world, half_a_second):
    client.force_login(world["leader"])
    for field in ["{{ applicant_name }}", DEEP_EQUAL, "{{ applicant_name }}"]:
        _upload_template(client, world["proc"], template_docx("GIẤY", [field]))
        _database_works()
    tpl = ResultTemplate.objects.get(procedure=world["proc"])  # written by the parent after the children
    assert b"applicant_name" in zipfile.ZipFile(io.BytesIO(tpl.file.read())).read("word/document.xml")


@pytest.mark.parametrize("code", list(DEMO_TEMPLATES))
def test_a_child_renders_the_same_bytes_as_the_process_itself(code):
    context = {key: f"«{key}»" for key in FIELDS} | {"form": {"child_name": "Trần Gia Bảo", "birth_date": "01/10/2025"}}
    docx = template_docx(*DEMO_TEMPLATES[code])
    parts = [zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml") for out in (_render_here(docx, context),
                                                                                     _render(docx, context))]
    assert parts[0] == parts[1]


def test_without_fork_the_render_stays_in_the_process(monkeypatch):
    monkeypatch.setattr(render_process, "FORK", False)
    assert render_process.run(os.getpid) == os.getpid()
    assert render_process.run(_render_here, template_docx("GIẤY", ["{{ x }}"]), {"x": "Trần Mai"})


def test_a_refusal_in_the_child_keeps_its_code_message_and_status():
    with pytest.raises(ValidationFailed) as refused:
        _render(template_docx("GIẤY", ["{{ x "]), {})
    assert refused.value.code == "template_syntax" and refused.value.status == 422
    assert refused.value.message.startswith("Mẫu có trường trộn sai cú pháp")
