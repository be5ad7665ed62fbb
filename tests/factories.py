"""factory_boy factories with minimal valid defaults (style.md §10)."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from registry.models import Institution, LegalNature, Registration, RegistrationStatus
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.regions import rules

# Valid identifiers from domain.md §8.
VALID_ID_NUMBER = "11010519491231002X"
VALID_CREDIT_CODE = "91110000600037341L"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OPERATOR
    region_id = "371103"
    password = factory.django.Password("correct-horse-battery")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"岚山区第{n}全日制托育有限公司")
    region_id = "371103"
    address = "日照市岚山区安东卫街道"

    @factory.post_generation
    def owner(self, create: bool, extracted: User | None, **kwargs: Any) -> None:
        if create and extracted is not None:
            Membership.objects.create(institution=self, user=extracted, is_owner=True)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A draft registration that passes every rule (for_profit, routed as its region's rules say:
    岚山 xzsp, elsewhere scjg)."""

    class Meta:
        model = Registration

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.LazyAttribute(lambda o: o.institution.name)
    legal_nature = LegalNature.FOR_PROFIT
    care_modes = factory.LazyFunction(lambda: ["full_day"])
    business_scope = "托育服务；3岁以下婴幼儿照护服务"
    region_id = factory.LazyAttribute(lambda o: o.institution.region_id)
    address = factory.LazyAttribute(lambda o: o.institution.address)
    legal_representative_name = "王明"
    legal_representative_id_encrypted = factory.LazyFunction(
        lambda: crypto.encrypt(VALID_ID_NUMBER)
    )
    legal_representative_id_hash = factory.LazyFunction(lambda: crypto.keyed_hash(VALID_ID_NUMBER))
    legal_representative_id_masked = factory.LazyFunction(lambda: crypto.mask_id(VALID_ID_NUMBER))
    contact_phone = "13800000000"
    authority = factory.LazyAttribute(lambda o: rules.authority_for(o.legal_nature, o.region_id))
    status = RegistrationStatus.DRAFT


class SubmittedRegistrationFactory(RegistrationFactory):
    status = RegistrationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class ApprovedRegistrationFactory(SubmittedRegistrationFactory):
    status = RegistrationStatus.APPROVED
    credit_code = VALID_CREDIT_CODE
    decided_at = factory.LazyFunction(timezone.now)
    approved_on = factory.LazyFunction(timezone.localdate)
