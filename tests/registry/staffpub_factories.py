"""Filings in a given status, built directly on the model (the filing workflow is another branch)."""

from __future__ import annotations

import factory
from django.utils import timezone

from registry.models import Filing, FilingClass, FilingStatus
from tests.factories import ApprovedRegistrationFactory, InstitutionFactory
from tuoyu_portal import crypto

PERSON_IN_CHARGE_ID = "110101199003070011"  # checksum-valid, fictional


class DraftFilingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Filing
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    # Each approved registration needs its own credit code (one approved per code).
    registration = factory.LazyAttributeSequence(
        lambda o, n: ApprovedRegistrationFactory(
            institution=o.institution, credit_code=f"91371103MA{n:07d}X"
        )
    )
    region_id = factory.LazyAttribute(lambda o: o.institution.region_id)
    status = FilingStatus.DRAFT
    person_in_charge_name = "刘芳"
    person_in_charge_id_encrypted = factory.LazyFunction(
        lambda: crypto.encrypt(PERSON_IN_CHARGE_ID)
    )
    person_in_charge_id_hash = factory.LazyFunction(lambda: crypto.keyed_hash(PERSON_IN_CHARGE_ID))
    person_in_charge_id_masked = factory.LazyFunction(lambda: crypto.mask_id(PERSON_IN_CHARGE_ID))
    care_modes = factory.LazyFunction(lambda: ["full_day"])
    places = 20
    inclusive = True
    monthly_fee = "1200.00"

    @factory.post_generation
    def with_classes(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            FilingClass.objects.create(
                filing=self, class_type="older_toddler", children=20, carers=3
            )


class FiledFilingFactory(DraftFilingFactory):
    status = FilingStatus.FILED
    filing_number = factory.Sequence(lambda n: f"RZ371103-2026-{n:05d}")
    received_at = factory.LazyFunction(timezone.now)
    filed_on = factory.LazyFunction(timezone.localdate)


class NonconformingFilingFactory(FiledFilingFactory):
    status = FilingStatus.NONCONFORMING
    nonconformity_reasons = factory.LazyFunction(lambda: ["室外活动场地面积不足"])


class ClosingFilingFactory(FiledFilingFactory):
    status = FilingStatus.CLOSING


class DeregisteredFilingFactory(FiledFilingFactory):
    status = FilingStatus.DEREGISTERED
