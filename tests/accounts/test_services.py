import pytest

from motcua.accounts.models import Role, RoleAssignment
from motcua.accounts.services import assign_role, normalize_phone, register_citizen, revoke_role
from motcua.audit.models import AuditEntry
from motcua.core.errors import PermissionDenied, ValidationFailed
from tests.factories import AgencyFactory, officer, sign_in

pytestmark = pytest.mark.django_db

GOOD = dict(username="binh.tran", password="Hoa-Sen-2026!", full_name="  Trần   Thị Bình ", id_number="051190000123",
            phone="+84 912 345 678", email="Binh@Example.vn")


def test_register_citizen_creates_account_role_and_audit():
    user = register_citizen(**GOOD)
    assert user.full_name == "Trần Thị Bình"
    assert user.phone == "0912345678" and user.email == "binh@example.vn"
    assert user.check_password(GOOD["password"])
    assert RoleAssignment.objects.filter(user=user, role=Role.CITIZEN, agency=None).exists()
    assert AuditEntry.objects.filter(action="account.registered", object_id=str(user.pk)).exists()


@pytest.mark.parametrize("field,value,code_field,fragment", [
    ("id_number", "05119000012", "id_number", "12 chữ số"),
    ("phone", "12345", "phone", "Số điện thoại"),
    ("email", "khong-phai-thu", "email", "thư điện tử"),
    ("username", "a b", "username", "Tên đăng nhập"),
    ("full_name", " ", "full_name", "họ và tên"),
    ("password", "123", "password", ""),
])
def test_register_citizen_rejects_bad_input_with_vietnamese_messages(field, value, code_field, fragment):
    with pytest.raises(ValidationFailed) as err:
        register_citizen(**{**GOOD, field: value})
    assert err.value.code == "registration_invalid" and err.value.status == 422
    assert code_field in err.value.details
    assert fragment in err.value.details[code_field]
    assert not RoleAssignment.objects.exists(), "nothing half-written"


def test_weak_password_message_is_vietnamese():
    with pytest.raises(ValidationFailed) as err:
        register_citizen(**{**GOOD, "password": "abc"})
    assert "mật khẩu" in err.value.details["password"].lower()


def test_duplicate_username_and_id_number_are_refused():
    register_citizen(**GOOD)
    with pytest.raises(ValidationFailed) as err:
        register_citizen(**{**GOOD, "username": "BINH.TRAN", "id_number": "051190000999"})
    assert "đã được sử dụng" in err.value.details["username"]
    with pytest.raises(ValidationFailed) as err:
        register_citizen(**{**GOOD, "username": "khac"})
    assert "đã có tài khoản" in err.value.details["id_number"]


@pytest.mark.parametrize("raw,expected", [("0912 345 678", "0912345678"), ("+84912345678", "0912345678"),
                                          ("84 32 123 4567", "0321234567"), ("02553 822 123", "02553822123")])
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_role_management_is_scoped():
    a, b = AgencyFactory(), AgencyFactory()
    admin_a = officer("unit_admin", a)
    clerk = officer("citizen", None)
    ra = assign_role(admin_a, clerk, "counter_officer", a)
    assert ra.agency == a
    with pytest.raises(PermissionDenied):
        assign_role(admin_a, clerk, "counter_officer", b)
    with pytest.raises(PermissionDenied):
        assign_role(admin_a, clerk, "provincial_admin", None)
    province = officer("provincial_admin", None)
    assign_role(province, clerk, "auditor", None)
    revoke_role(admin_a, ra)
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
    assert AuditEntry.objects.filter(action="account.role_revoked").count() == 1


def test_admin_user_page_is_vietnamese_has_role_inline_and_logs_the_read(client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "Mat-khau-9!")
    person = register_citizen(**GOOD)
    sign_in(client, admin)
    page = client.get(f"/admin/accounts/user/{person.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Thông tin cá nhân" in html and "vai trò theo cơ quan" in html.lower() and "051190000123" in html
    read = AuditEntry.objects.get(action="personal_data.read", object_type="user")
    assert read.actor_id == admin.pk and read.object_id == str(person.pk) and "id_number" in read.data["fields"]
