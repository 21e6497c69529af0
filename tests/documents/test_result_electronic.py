"""The one rule every signing asks (documents.digitization_flags.result_electronic_as_required): an electronic-only
procedure's result is signed only when it will be electronic — a file or draft the platform signs now, or a validly
signed result PDF already on the dossier."""

import pytest

from motcua.core.errors import ValidationFailed
from motcua.documents.attachments import store_upload
from motcua.documents.digitization_flags import RESULT_FILE_REQUIRED, result_electronic_as_required
from motcua.documents.signing import sign_pdf

from .conftest import make_dossier, make_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(people):
    people["procedure"].result_type = "electronic"
    people["procedure"].save(update_fields=["result_type"])
    return make_dossier(people, status="approved")


def test_a_result_signed_in_this_signing_needs_no_statement(approved, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert result_electronic_as_required(approved, born_electronic=True) is True


def test_without_a_file_it_is_refused_with_the_channels_hint(approved, people):
    with pytest.raises(ValidationFailed) as refused:
        result_electronic_as_required(approved, how="Tải lên qua API.")
    assert refused.value.code == "result_file_required" and refused.value.status == 422
    assert refused.value.message == f"{RESULT_FILE_REQUIRED} Tải lên qua API."
    store_upload(sign_pdf(make_pdf("Giay phep"), people["agency"]), owner=people["citizen"], dossier=approved,
                 kind="result", uploaded_by=people["leader"])
    assert result_electronic_as_required(approved) is True

