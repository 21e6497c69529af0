"""Shared factory_boy factories for the core aggregates."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from motcua.accounts.models import Role, RoleAssignment, User
from motcua.catalog.models import ComponentRequirement, Field, OnlineLevel, Procedure, ProcessStep
from motcua.units.models import AdministrativeUnit, Agency, Counter, Department


class AdministrativeUnitFactory(DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{23000 + n}")
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    level = AdministrativeUnit.COMMUNE


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"H55.{n:02d}")
    name = factory.Sequence(lambda n: f"UBND xã Thử Nghiệm {n}")
    kind = Agency.COMMUNE_COMMITTEE
    admin_unit = factory.SubFactory(AdministrativeUnitFactory)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Phòng {n}")


class CounterFactory(DjangoModelFactory):
    class Meta:
        model = Counter

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"Q{n}")
    name = factory.Sequence(lambda n: f"Quầy {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    id_number = factory.Sequence(lambda n: f"0510{90 + n % 10:02d}{n:06d}"[:12])
    # An account of the tests is its person's, as after a sign-in with the national e-ID (accounts.User); a test of
    # a number only typed at sign-up passes verified_id_number="".
    verified_id_number = factory.SelfAttribute("id_number")
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    password = factory.PostGenerationMethodCall("set_password", "matkhau-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def officer(role: str, agency: Agency | None, **kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=role, agency=agency)
    return user


def citizen(**kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
    return user


def enrol_2fa(user) -> str:
    """Give `user` a confirmed TOTP device (first code accepted 90 s ago, so the current one is fresh)."""
    import datetime as dt

    import pyotp
    from django.utils import timezone

    from motcua.accounts import twofactor

    enrolment = twofactor.start_enrolment(user)
    then = timezone.now() - dt.timedelta(seconds=90)
    twofactor.confirm_enrolment(user, pyotp.TOTP(enrolment.secret).at(then), at=then)
    return enrolment.secret


POPULATION_WAYS = ("post", "get")  # the look-up with the number in the body, and the deprecated one in the path


def population_look_up(client, id_number: str, way: str = "post"):
    """Look `id_number` up in the National Population Database over the API: ``post`` sends it in the JSON body,
    ``get`` (deprecated, kept for existing integrators) in the path."""
    if way == "get":
        return client.get(f"/api/v1/integrations/population/{id_number}")
    return client.post("/api/v1/integrations/population/lookup", {"id_number": id_number},
                       content_type="application/json")


def sign_in(client, user) -> None:
    """Sign `user` in as after both steps: the password and, for officers and admins, a confirmed TOTP code."""
    from motcua.accounts import twofactor

    client.force_login(user)
    if twofactor.is_required(user):
        if not twofactor.is_enabled(user):
            enrol_2fa(user)
        session = client.session
        session[twofactor.SESSION_KEY] = user.pk
        session.save()


class FieldFactory(DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LV{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureFactory(DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"1.{n:06d}")
    name = factory.Sequence(lambda n: f"Đăng ký khai sinh thử nghiệm {n}")
    field = factory.SubFactory(FieldFactory)
    level = "commune"
    agency_kind = Agency.COMMUNE_COMMITTEE
    processing_days = Decimal("3")
    fee_vnd = 0
    online_level = OnlineLevel.FULL


def procedure_with_steps(steps=(("Thụ lý, thẩm định", "specialist", "2"), ("Phê duyệt", "leader", "1")),
                         components=("Tờ khai", "Giấy chứng sinh"), **kwargs) -> Procedure:
    proc = ProcedureFactory(**kwargs)
    for i, (name, role, days) in enumerate(steps, start=1):
        ProcessStep.objects.create(procedure=proc, order=i, name=name, role=role, duration_days=Decimal(days))
    for i, name in enumerate(components, start=1):
        ComponentRequirement.objects.create(procedure=proc, order=i, name=name)
    return proc
