import factory
from django.contrib.auth import get_user_model

from trygg.core.models import (
    Membership,
    Municipality,
    Notice,
    Organisation,
    OrganisationKind,
    Role,
    Sensitivity,
)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Kommun {n}")
    code = factory.Sequence(lambda n: f"{9000 + n:04d}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.MUNICIPAL_DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("a-long-test-password")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice
        skip_postgeneration_save = True

    owner_organisation = factory.SubFactory(OrganisationFactory)
    municipality = factory.SelfAttribute("owner_organisation.municipality")
    sensitivity = Sensitivity.PARTNERS
    title = factory.Sequence(lambda n: f"Meddelande {n}")
    body = "Ökad oro vid busstorget kvällstid."

    @factory.post_generation
    def restricted_to(self, create, extracted, **kwargs):
        if create and extracted:
            self.restricted_to.set(extracted)


class AreaFactory(factory.django.DjangoModelFactory):
    """A small square district (WGS84) in the municipality."""

    class Meta:
        model = "core.Area"

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Område {n}")
    kind = "district"
    geometry = {
        "type": "Polygon",
        "coordinates": [
            [[17.60, 59.49], [17.66, 59.49], [17.66, 59.53], [17.60, 59.53], [17.60, 59.49]]
        ],
    }
    min_lon, min_lat, max_lon, max_lat = 17.60, 59.49, 17.66, 59.53
