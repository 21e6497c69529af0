"""Whatever is recorded, the chain verifies; whatever single row is altered — before or after the chainer
reached it — or removed from the chain, it is found."""

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.audit import chainer, services
from tests.audit.test_audit import empty_trail, raw

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
entries = st.lists(st.tuples(st.sampled_from(["dossier.receive", "personal_data.read", "account.login"]),
                             st.text(min_size=1, max_size=12), st.dictionaries(st.text(max_size=8), json_values,
                                                                               max_size=3)),
                   min_size=2, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=entries, victim=st.integers(min_value=0),
       mode=st.sampled_from(["alter before chaining", "alter after chaining", "delete after chaining"]))
def test_any_single_tamper_is_found(rows, victim, mode):
    empty_trail()
    with override_settings(MOTCUA_AUDIT_CHAIN_INLINE=False):  # the chainer's path on SQLite too
        written = [services.record(None, action, "obj", oid, data) for action, oid, data in rows]
    assert services.verify_chain().ok and services.verify_chain().pending == len(written)
    if mode != "alter before chaining":
        assert chainer.chain_pending() == len(written)
    index = victim % (len(written) - 1)  # not the newest row: that needs a saved head (tested elsewhere)
    target = written[index]
    if mode.startswith("alter"):
        raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", [target.object_id + "x", target.pk])
        expected = target.pk
    else:
        raw("DELETE FROM audit_auditentry WHERE id = %s", [target.pk])
        expected = written[index + 1].pk
    report = services.verify_chain()
    assert not report.ok and report.broken_id == expected, report
    if mode == "alter before chaining":  # the chainer links the altered entry: it is still found
        assert "chưa nối chuỗi" in report.reason
        assert chainer.chain_pending() == len(written)
        report = services.verify_chain()
        assert not report.ok and report.broken_id == expected and "nội dung" in report.reason, report
