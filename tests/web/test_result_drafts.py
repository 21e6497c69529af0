"""Results drafted from the procedure's Word template (Django test client): bad templates refused with a Vietnamese
reason and nothing kept; the specialist's draft PDF; the leader's PAdES signature; the citizen's signed result."""

import io
import shutil
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.demo.result_templates import DEMO_TEMPLATES, template_docx
from motcua.documents.models import Attachment, ResultTemplate
from motcua.documents.result_drafts import FIELDS
from motcua.dossiers import lifecycle
from motcua.dossiers.models import Status
from tests.factories import officer

pytestmark = pytest.mark.django_db
needs_soffice = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                   reason="LibreOffice (soffice) not installed: scripts/system-packages.sh")
BODY = ["Họ, chữ đệm, tên: {{ applicant_name }}", "Số định danh cá nhân: {{ applicant_id_number }}",
        "Người được khai sinh: {{ form.child_name }}, sinh ngày {{ form.birth_date }}"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")  # the demo CA issues the agency's certificate


def _upload_template(client, proc, content, name="mau.docx"):
    data = {} if content is None else {"template": SimpleUploadedFile(name, content)}
    return client.post(reverse("backoffice:result_template", args=[proc.code]), data)


def _with_macro(docx: bytes) -> bytes:
    """The same Word file with a VBA project linked from the document (what a .docm smuggled as .docx carries)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft'
                                    b'.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            dst.writestr(item, data)
        dst.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return out.getvalue()


@pytest.mark.parametrize(("content", "status", "message"), [
    (None, 400, "Chưa chọn tệp mẫu."),
    (b"", 400, "Tệp rỗng"),
    ("pdf", 415, "Mẫu kết quả phải là tệp Word (.docx)."),
    ("syntax", 422, "Mẫu có trường trộn sai cú pháp"),
    ("macro", 422, "macro"),
    # the merge fields ran unsandboxed: this one read the server's process id, os.popen(…) would run a command
    ("internals", 422, "Mẫu có trường trộn truy cập thành phần nội bộ của hệ thống"),
    # a merge field building a gigabyte text held the worker's memory on upload and on every draft
    ("huge", 422, "Mẫu có trường trộn tạo giá trị quá lớn (quá 100.000 ký tự)"),
    ("power", 422, "Mẫu có trường trộn tạo giá trị quá lớn (quá 100.000 ký tự)"),
])
def test_bad_templates_are_refused_and_nothing_is_kept(client, world, content, status, message):
    from tests.web.conftest import pdf_bytes

    content = {"pdf": pdf_bytes, "syntax": lambda: template_docx("GIẤY", ["{{ applicant_name "]),
               "macro": lambda: _with_macro(template_docx("GIẤY", BODY)),
               "internals": lambda: template_docx("GIẤY", ["{{ cycler.__init__.__globals__.os.getpid() }}"]),
               "huge": lambda: template_docx("GIẤY", ["{{ applicant_name * 100000000 }}"]),
               "power": lambda: template_docx("GIẤY", ["{{ 10 ** 100000000 }}"]),
               }.get(content, lambda: content)()
    client.force_login(world["leader"])
    resp = _upload_template(client, world["proc"], content)
    assert resp.status_code == status
    assert message in resp.content.decode()
    assert not ResultTemplate.objects.exists()
    assert not Attachment.objects.filter(kind="template").exists()


TOO_LARGE = "Mẫu có trường trộn tạo giá trị quá lớn (quá 100.000 ký tự)"
N = "applicant_name"  # «…» in the context a template is tried with on upload
# Which bound stopped a render is told by its message (size, total or deadline); the time only shows it was not
# left to run to a much later limit (the child process's CPU limit, hours without any). Generous: a loaded 2-core
# machine took 4,5 s for what takes under a second when it is quiet.
STOPPED_WITHIN = 15


# Each built a text of a gigabyte or more (or, «round», computed a number of ten million digits) on upload and on
# every draft; now each is measured before it is built, or right after a step that cannot pass the limit by much.
@pytest.mark.parametrize("field", [
    f"{{{{ '{{:>999999999}}'.format({N}) }}}}", f"{{{{ '{{:>{{w}}}}'.format({N}, w=10**9) }}}}",
    "{{ '{:.999999999f}'.format(1.5) }}", f"{{{{ '{{a:>999999999}}'.format_map({{'a': {N}}}) }}}}",
    f"{{{{ ('{{0:>99999}}' * 9000).format({N}) }}}}",
    f"{{{{ '%999999999s' % {N} }}}}", f"{{{{ '%*s' % (999999999, {N}) }}}}", "{{ '%.999999999f' % 1.5 }}",
    f"{{{{ ('%(a)s' * 20000) % {{'a': {N} * 99999}} }}}}", f"{{{{ '%999999999s'|format({N}) }}}}",
    f"{{{{ {N}|center(999999999) }}}}", f"{{{{ {N}|indent(999999999, true) }}}}",
    f"{{% set words = ({N} ~ ' ') * 50000 %}}{{{{ words|wordwrap(1, wrapstring={N} * 99999) }}}}",
    f"{{{{ ({N} * 99999)|replace({N}, {N} * 99999) }}}}", f"{{{{ range(99999)|join({N} * 99999) }}}}",
    f"{{{{ ([{N} * 3000] * 3000)|join }}}}", f"{{{{ [{N}]|batch(999999999, {N})|list|length }}}}",
    f"{{{{ [{N}]|slice(999999999)|list|length }}}}", "{{ 5|round(-10000000) }}",
    f"{{{{ {N}.center(999999999) }}}}", f"{{{{ {N}.ljust(999999999) }}}}", f"{{{{ {N}.rjust(999999999) }}}}",
    f"{{{{ {N}.zfill(999999999) }}}}", "{{ ('\\t' * 99999).expandtabs(99999) }}",
    f"{{{{ ({N} * 99999).replace({N}, {N} * 99999) }}}}", f"{{{{ ({N} * 99999).join([{N} * 9999] * 99) }}}}",
    f"{{{{ ({N} * 99999).translate({{8230: {N} * 99999}}) }}}}", "{{ ((10**64)**64)**64 }}",
    "{% set a = ((10**64)**64)**16 %}{{ a * a }}", "{{ lipsum(999999999) }}", "{{ range(999999999)|length }}",
    f"{{{{ ([[{N}] * 99999] * 99999)|sum(start=[])|length }}}}",
    # doubled at each turn of a loop or of a macro calling itself
    f"{{% set ns = namespace(s={N}) %}}{{% for i in range(40) %}}{{% set ns.s = ns.s ~ ns.s %}}{{% endfor %}}",
    f"{{% set ns = namespace(s={N}) %}}{{% for i in range(40) %}}{{% set ns.s = ns.s + ns.s %}}{{% endfor %}}",
    f"{{% macro twice(s, k) %}}{{{{ twice(s ~ s, k - 1) if k else s|length }}}}{{% endmacro %}}{{{{ twice({N}, 40) }}}}",
])
def test_merge_fields_building_past_the_limit_are_refused_quickly(client, world, field):
    client.force_login(world["leader"])
    started = time.monotonic()
    resp = _upload_template(client, world["proc"], template_docx("GIẤY", [field]))
    assert resp.status_code == 422 and TOO_LARGE in resp.content.decode()
    assert time.monotonic() - started < STOPPED_WITHIN
    assert not ResultTemplate.objects.exists() and not Attachment.objects.filter(kind="template").exists()


TOO_MUCH = "Mẫu kết quả tạo quá nhiều dữ liệu khi điền (tổng cộng quá 10.000.000 ký tự)"


# Many values each under 100.000 characters added up: the first ones built 99.999 texts of 99.999 characters
# (10 GB) inside Jinja's own filters, where neither the clock nor the output count looks; the others rebuilt values
# at each turn of a loop until the deadline. Now refused once the render has built 10.000.000 characters in all.
@pytest.mark.parametrize("field", [
    "{{ range(99999)|map('center', 99999)|list|length }}",
    "{{ range(99999)|map('string')|map('center', 99999)|join|length }}",
    "{{ range(99999)|map('center', 99999)|map('list')|sum(start=[])|length }}",
    "{% for f in range(99999)|map('center', 99999)|map(attribute='upper') %}{{ f()|length }}{% endfor %}",
    f"{{{{ ([{N} * 99999] * 99999)|join }}}}",  # 99.999 times one text: its join or «|string» is 10 GB
    f"{{% set ns = namespace(l=[]) %}}{{% for i in range(99999) %}}{{% set ns.l = ns.l + [{N} * 99999] %}}"
    "{% endfor %}{{ ns.l|length }}",
    f"{{% for i in range(99999) %}}{{{{ (({N} ~ ' ') * 49999).split()|length }}}}{{% endfor %}}",
    f"{{% for i in range(99999) %}}{{% set t = ({N} * 99990) ~ i %}}{{% endfor %}}",
])
def test_values_adding_up_past_the_render_total_are_refused_quickly(client, world, field):
    _refused_quickly(client, world, field, TOO_MUCH)


def test_many_small_fields_still_render(world):
    from motcua.documents.result_drafts import _render

    fields = ["{% for i in range(300) %}{{ (applicant_name ~ ' ' ~ i)|upper|center(40) }}{% endfor %}",
              "{{ range(2000)|map('string')|map('center', 9)|join(',')|length }}",
              *[f"{{{{ '%s-%d'|format(dossier_code, {i}) }}}} {{{{ agency_name.replace('xã', 'phường') }}}}"
                for i in range(200)]]
    out = _render(template_docx("GIẤY", fields), {"applicant_name": "Trần Mai", "dossier_code": "H-1",
                                                  "agency_name": "UBND xã A"})
    text = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode()
    assert "TRẦN MAI 299" in text and "19999" in text and "H-1-199 UBND phường A" in text


def test_a_list_is_not_changed_in_place_by_a_merge_field(client, world):
    # «l.extend(l)» in a loop doubled the list at each turn
    field = f"{{% set l = [{N}] %}}{{% for i in range(40) %}}{{{{ l.extend(l) }}}}{{% endfor %}}"
    client.force_login(world["leader"])
    resp = _upload_template(client, world["proc"], template_docx("GIẤY", [field]))
    assert resp.status_code == 422 and "truy cập thành phần nội bộ" in resp.content.decode()
    assert not ResultTemplate.objects.exists()


def test_small_padding_and_formatting_still_render(world):
    from motcua.documents.result_drafts import _render

    fields = ["[{{ '{:>8}'.format(dossier_code) }}][{{ '%-6s' % today }}][{{ applicant_name|center(16) }}]",
              "[{{ applicant_id_number.zfill(14) }}][{{ '%s, %s'|format(applicant_name, agency_name) }}]"
              "[{{ [received_date, due_date]|join(' → ') }}][{{ agency_name.replace('xã', 'phường') }}][{{ 2 ** 10 }}]"]
    out = _render(template_docx("GIẤY", fields), {"dossier_code": "H-1", "today": "02/11", "applicant_name": "Trần Mai",
                                                  "applicant_id_number": "1234", "agency_name": "UBND xã A",
                                                  "received_date": "01/11", "due_date": "05/11"})
    text = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode()
    assert "[     H-1][02/11 ][    Trần Mai    ]" in text
    assert "[00000000001234][Trần Mai, UBND xã A][01/11 → 05/11][UBND phường A][1024]" in text


def test_a_draft_building_past_the_limit_is_refused_and_not_kept(client, world, submitted):
    # «…» on upload, the applicant's name when drafting: the upload check alone cannot see it
    field = "{% if applicant_name != '…' %}{{ applicant_name|center(999999999) }}{% endif %}"
    client.force_login(world["leader"])
    assert _upload_template(client, world["proc"], template_docx("GIẤY", [field])).status_code == 302
    d = _processing(world, submitted)
    client.force_login(world["specialist"])
    started = time.monotonic()
    resp = client.post(reverse("backoffice:result_draft", args=[d.pk]))
    assert resp.status_code == 422 and TOO_LARGE in resp.content.decode()
    assert time.monotonic() - started < STOPPED_WITHIN
    assert not Attachment.objects.filter(dossier=d, kind="result_draft").exists()


def test_only_a_leader_of_the_agency_sets_the_template(client, world):
    client.force_login(world["specialist"])
    resp = _upload_template(client, world["proc"], template_docx("GIẤY KHAI SINH", BODY))
    assert resp.status_code == 403 and "Chỉ lãnh đạo" in resp.content.decode()
    assert not ResultTemplate.objects.exists()


def _processing(world, submitted):
    d = lifecycle.receive(submitted, officer=world["counter"])
    return lifecycle.start_processing(d, officer=world["counter"])


def test_no_template_no_draft(client, world, submitted):
    d = _processing(world, submitted)
    client.force_login(world["specialist"])
    resp = client.post(reverse("backoffice:result_draft", args=[d.pk]))
    assert resp.status_code == 404 and "Thủ tục chưa có mẫu kết quả" in resp.content.decode()
    assert not Attachment.objects.filter(dossier=d, kind="result_draft").exists()


@needs_soffice
def test_template_draft_sign_download(client, world, submitted):
    from pypdf import PdfReader

    from motcua.documents.signing import verify_pdf

    client.force_login(world["leader"])
    assert _upload_template(client, world["proc"], template_docx("GIẤY KHAI SINH", BODY)).status_code == 302
    d = _processing(world, submitted)
    # The counter officer may not draft; the specialist may.
    client.force_login(world["counter"])
    assert client.post(reverse("backoffice:result_draft", args=[d.pk])).status_code == 403
    client.force_login(world["specialist"])
    assert client.post(reverse("backoffice:result_draft", args=[d.pk])).status_code == 302
    draft = Attachment.objects.get(dossier=d, kind="result_draft")
    text = PdfReader(io.BytesIO(draft.read())).pages[0].extract_text()
    assert "Trần Thị Mai" in text and "Trần Minh An" in text and "01/11/2026" in text
    # The citizen does not see an unsigned draft.
    client.force_login(world["citizen"])
    assert client.get(reverse("portal:attachment", args=[d.pk, draft.pk])).status_code == 404
    # The leader approves, reviews the draft on the dossier page and signs it.
    d = lifecycle.complete_step(d, officer=world["specialist"])
    d = lifecycle.approve(d, officer=world["leader"], summary="Cấp Giấy khai sinh.")
    client.force_login(world["leader"])
    page = client.get(reverse("backoffice:dossier", args=[d.pk])).content.decode()
    assert draft.original_name in page and "Ký số" in page
    # The signing form says what signing without a file does here: the draft is signed, not a paper result.
    assert "Không có tệp: dự thảo kết quả lập từ mẫu được ký số làm kết quả điện tử" in page
    assert "Không có tệp: kết quả giấy" not in page
    signed = client.post(reverse("backoffice:action", args=[d.pk, "sign_result"]), {"electronic": "on"}, follow=True)
    assert "Đã ký số, ban hành kết quả điện tử" in signed.content.decode()
    d.refresh_from_db()
    assert d.status == Status.READY_FOR_RETURN and d.result_electronic and d.result_digitized
    result = Attachment.objects.get(dossier=d, kind="result")
    check = verify_pdf(result.read())
    assert result.is_signed and check.valid and check.intact
    assert "Trần Thị Mai" in PdfReader(io.BytesIO(result.read())).pages[0].extract_text()


def test_another_communes_leader_cannot_set_the_template(client, world):
    outsider = officer("leader", world["other"], username="lanhdao-khac")
    world["proc"].agencies.remove(world["other"])
    client.force_login(outsider)
    resp = _upload_template(client, world["proc"], template_docx("GIẤY KHAI SINH", BODY))
    assert resp.status_code == 403
    assert not ResultTemplate.objects.exists()


# Loops inside loops build no large value and ran for hours of a worker's CPU (10^10 turns), on upload and on every
# draft; now the render stops at its deadline (lowered here to half a second).
SLOW = [
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}",  # a character a turn
    f"{{% set s = {N} * 99999 %}}{{% for a in s %}}{{% for b in s %}}{{% for c in s %}}{{% endfor %}}{{% endfor %}}"
    "{% endfor %}",
    "{% set x %}{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}{% endset %}",
    # a macro calling itself twice: 2^60 calls, no loop
    "{% macro r(n) %}{% if n %}{{ r(n - 1) }}{{ r(n - 1) }}{% endif %}{% endmacro %}{{ r(60) }}",
]


def _refused_quickly(client, world, field, message):
    content = template_docx("GIẤY", [field])
    client.force_login(world["leader"])
    client.get(reverse("backoffice:result_template", args=[world["proc"].code]))  # the first request's set-up
    started = time.monotonic()
    resp = _upload_template(client, world["proc"], content)
    assert resp.status_code == 422 and message in resp.content.decode()
    assert time.monotonic() - started < STOPPED_WITHIN
    assert not ResultTemplate.objects.exists() and not Attachment.objects.filter(kind="template").exists()


@pytest.mark.parametrize("field", SLOW)
def test_loops_inside_loops_stop_at_the_deadline(client, world, field, monkeypatch):
    from motcua.documents import render_budget

    monkeypatch.setattr(render_budget, "RENDER_SECONDS", 0.5)
    _refused_quickly(client, world, field, "Mẫu kết quả mất quá 0,5 giây để điền dữ liệu")


# The same loops writing a little at each turn wrote gigabytes into the worker's memory: refused as soon as the
# render has written 2.000.000 characters beyond the template's own text, long before the deadline.
@pytest.mark.parametrize("field", [
    f"{{% for i in range(99999) %}}{{% for j in range(99999) %}}{{{{ {N} * 999 }}}}{{% endfor %}}{{% endfor %}}",
    # written into a macro's buffer, then measured once whole
    f"{{% macro m() %}}{{% for i in range(99999) %}}{{{{ {N} * 99999 }}}}{{% endfor %}}{{% endmacro %}}{{{{ m()|length }}}}",
    f"{{% filter upper %}}{{% for i in range(99999) %}}{{{{ {N} * 99999 }}}}{{% endfor %}}{{% endfilter %}}",
])
def test_loops_writing_past_the_output_bound_are_refused_quickly(client, world, field):
    _refused_quickly(client, world, field, "Mẫu kết quả điền ra văn bản quá dài (quá 2.000.000 ký tự")


def test_a_draft_looping_past_the_deadline_is_refused_and_not_kept(client, world, submitted, monkeypatch):
    from motcua.documents import render_budget

    field = ("{% if applicant_name != '…' %}{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
             "{% endfor %}{% endif %}")
    client.force_login(world["leader"])
    assert _upload_template(client, world["proc"], template_docx("GIẤY", [field])).status_code == 302
    d = _processing(world, submitted)
    monkeypatch.setattr(render_budget, "RENDER_SECONDS", 0.5)
    client.force_login(world["specialist"])
    started = time.monotonic()
    resp = client.post(reverse("backoffice:result_draft", args=[d.pk]))
    assert resp.status_code == 422 and "Mẫu kết quả mất quá 0,5 giây" in resp.content.decode()
    assert time.monotonic() - started < STOPPED_WITHIN
    assert not Attachment.objects.filter(dossier=d, kind="result_draft").exists()


@pytest.mark.parametrize("code", list(DEMO_TEMPLATES))
def test_the_demo_templates_render_as_before(world, code):
    # the same Word file as the sandbox without the render's clock and output count gives
    from docxtpl import DocxTemplate

    from motcua.documents.result_drafts import _render
    from motcua.documents.template_bounds import Bounded

    context = {key: f"«{key}»" for key in FIELDS} | {"form": {"child_name": "Trần Gia Bảo", "birth_date": "01/10/2025"}}
    docx = template_docx(*DEMO_TEMPLATES[code])
    before = DocxTemplate(io.BytesIO(docx))
    before.render(context, jinja_env=Bounded(autoescape=True))
    expected = io.BytesIO()
    before.save(expected)
    parts = [zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml") for out in (expected.getvalue(),
                                                                                     _render(docx, context))]
    assert parts[0] == parts[1] and "«applicant_name»".encode() in parts[1]


# Lists of lists sharing their items: ten references at each level, small in memory, ten times longer at each level
# once written out; each of these turned one into 10^9 characters in one call of C code, where no check looked (a
# level more, 10^10). Now its text is measured before, without building it.
NESTED = (f"{{% set a = {N} * 99999 %}}{{% set b = [a, a, a, a, a, a, a, a, a, a] %}}"
          "{% set c = [b, b, b, b, b, b, b, b, b, b] %}{% set e = [c, c, c, c, c, c, c, c, c, c] %}"
          "{% set d = [e, e, e, e, e, e, e, e, e, e] %}")


@pytest.mark.parametrize("field", [
    "{{ d }}", "{{ d|string }}", "{{ d|upper }}", "{{ d|join }}", "{{ d|tojson }}", "{{ d|pprint }}",
    "{{ '%s' % d }}", "{{ '%r' % (d,) }}", "{{ '%s'|format(d) }}", "{{ '{}'.format(d) }}", "{{ '{!r}'.format(d) }}",
    "{{ '{x}'.format_map({'x': d}) }}", "{{ d ~ '' }}", "{{ 'x'.join([d]) }}", "{{ ({}[d]).x }}",
    "{% set ns = namespace(d=d) %}{{ ns }}", "{{ {'d': d}.items()|list }}",
    # constants: jinja ran the filters and joined «~» while compiling the template, where no check looked
    "{{ ((['a']|batch(99999, fill_with=('x'|center(9999)|list))|list) ~ '')|length }}",
])
def test_lists_of_lists_written_out_past_the_limit_are_refused_quickly(client, world, field):
    _refused_quickly(client, world, NESTED + field, TOO_LARGE)


# Written out whole, each is under the limit; the line breaks and indents tojson and pprint add came to 4 × 10^8 and
# 3,6 × 10^8 characters, built in full before they were measured. Now refused as they are written.
@pytest.mark.parametrize("field", [
    "{% set x = [[[['…'] * 10] * 10] * 10] * 10 %}{{ x|tojson(indent=9999) }}",
    "{% set s = 'a ' * 1500 %}{% set k = '…' * 10000 %}{% set l1 = {k: [s, s]} %}{% set l2 = {k: [l1, l1]} %}"
    "{{ {k: [l2, l2]}|pprint }}",
])
def test_indents_past_the_limit_are_refused_before_they_are_built(field):
    import tracemalloc

    from motcua.documents.render_budget import BoundedRender
    from motcua.documents.template_bounds import TooLarge

    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            BoundedRender(autoescape=True).from_string(field).render()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 10**6


def test_small_lists_written_out_still_render(world):
    from motcua.documents.result_drafts import _render

    fields = ["[{{ l }}][{{ l|string }}][{{ '%s' % (l,) }}][{{ '{}'.format(l) }}][{{ l ~ '!' }}][{{ l|join('/') }}]",
              "[{{ l|tojson }}][{{ {'k': l}|pprint }}][{{ {}[l] }}][{{ '%s'|format(l) }}]"]
    out = _render(template_docx("GIẤY", fields), {"l": ["Trần Mai", 1, {"k": [1.5, None]}]})
    text = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode()
    shown = "['Trần Mai', 1, {'k': [1.5, None]}]"
    assert f"[{shown}][{shown}][{shown}][{shown}][{shown}!][Trần Mai/1/{{'k': [1.5, None]}}]" in text
    assert f'[["Tr\\u1ea7n Mai", 1, {{"k": [1.5, null]}}]][{{\'k\': {shown}}}][][{shown}]' in text


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")  # fork from a thread: render_process
def test_the_deadline_holds_in_a_worker_thread(monkeypatch):
    # runserver and threaded WSGI servers render outside the main thread, where a signal or alarm never comes
    import threading

    from motcua.core.errors import ValidationFailed
    from motcua.documents import render_budget
    from motcua.documents.result_drafts import _render

    monkeypatch.setattr(render_budget, "RENDER_SECONDS", 0.5)
    refused = []

    def render():
        try:
            _render(template_docx("GIẤY", [SLOW[0]]), {})
        except ValidationFailed as exc:
            refused.append(exc.code)

    worker = threading.Thread(target=render, daemon=True)
    worker.start()
    worker.join(timeout=3)
    assert not worker.is_alive() and refused == ["template_unsafe"]
