"""Inställningar: a municipality made with create_municipality is set up in Trygg's own
pages — areas through the preview, populations, organisations, categories (merged, never
left dangling), routing tested, the public site's texts and a colour that keeps text
readable — by whoever may, and by nobody else."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.support.layers import square, write_layer
from trygg.cases.models import Case, CaseCategory, Land, Origin, PropertyArea, RoutingRule
from trygg.core.models import (
    Area,
    AreaLayer,
    Municipality,
    Organisation,
    OrganisationKind,
    Population,
    Role,
    SiteProfile,
)
from trygg.core.permissions import Principal
from trygg.core.services import people as people_services
from trygg.core.tests.factories import MembershipFactory
from trygg.est.models import Observation, ObservationCategory, Place, ScaleLevel
from trygg.est.services.scales import scale
from trygg.live.models import SeriousEventRule
from trygg.walks.models import ChecklistTemplate

PAGES = [
    "/installningar/",
    "/installningar/organisationer/",
    "/installningar/organisationer/ny/",
    "/installningar/omraden/",
    "/installningar/befolkning/",
    "/installningar/arendekategorier/",
    "/installningar/arendekategorier/ny/",
    "/installningar/ansvar/",
    "/installningar/veckobild/",
    "/installningar/offentlig-sida/",
    "/installningar/regioner/",
]


@pytest.fixture
def town(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = StringIO()
    call_command("create_municipality", "0580", "Linköping", stdout=out)
    municipality = Municipality.objects.get(code="0580")
    own = Organisation.objects.get(municipality=municipality)
    coordinator = MembershipFactory(organisation=own, role=Role.COORDINATOR)
    client = Client()
    client.force_login(coordinator.user)
    return municipality, own, coordinator, client


def test_create_municipality_installs_the_defaults_once(town):
    municipality, own, _c, _client = town
    assert own.name == "Linköping kommun"
    assert ObservationCategory.objects.filter(municipality=municipality).count() > 10
    assert ScaleLevel.objects.filter(municipality=municipality).count() == 6
    assert CaseCategory.objects.filter(municipality=municipality).count() >= 8
    assert ChecklistTemplate.objects.filter(municipality=municipality, is_default=True).exists()
    assert SeriousEventRule.objects.filter(municipality=municipality).exists()
    out = StringIO()
    call_command("create_municipality", "0580", "Linköping", stdout=out)
    assert "0 default categories" in out.getvalue()


@pytest.mark.parametrize("path", PAGES)
def test_every_settings_page_opens_for_the_coordinator_and_no_one_else(town, path):
    _m, own, _c, client = town
    assert client.get(path).status_code == 200
    member = MembershipFactory(organisation=own, role=Role.MEMBER)
    other = Client()
    other.force_login(member.user)
    assert other.get(path).status_code == 403


def test_areas_go_through_the_preview(town, tmp_path):
    municipality, _own, _c, client = town
    gpkg = write_layer(
        tmp_path / "stadsdelar.gpkg",
        [
            {"NAMN": "Ryd", "KOD": "R", "geometry": square(15.57, 58.40, 0.02)},
            {"NAMN": "Skäggetorp", "KOD": "S", "geometry": square(15.59, 58.42, 0.02)},
        ],
        crs="EPSG:3006",
    )
    with gpkg.open("rb") as fh:
        response = client.post("/installningar/omraden/", {"file": fh, "kind": "district"})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "2 objekt" in html or "2 features" in html
    assert "SWEREF99 TM" in html
    assert not Area.objects.filter(municipality=municipality).exists()  # nothing yet
    geojson = client.get(
        preview.context["preview_url"].replace("name_field=", "name_field=")
    ).json()
    assert {f["properties"]["name"] for f in geojson["features"]} == {"Ryd", "Skäggetorp"}
    query = preview.context["preview_url"].split("?", 1)[1]
    data = dict(pair.split("=", 1) for pair in query.split("&"))
    data["action"] = "import"
    done = client.post("/installningar/omraden/forhandsvisning/", data)
    assert done.status_code == 302
    assert set(Area.objects.filter(municipality=municipality).values_list("name", flat=True)) == {
        "Ryd",
        "Skäggetorp",
    }
    assert AreaLayer.objects.get(municipality=municipality).version == 1


def test_a_broken_file_is_explained_on_the_preview(town, tmp_path):
    _m, _own, _c, client = town
    path = tmp_path / "fel.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with path.open("rb") as fh:
        response = client.post("/installningar/omraden/", {"file": fh, "kind": "district"})
    preview = client.get(response["Location"])
    assert "the zip file is damaged" in preview.content.decode()  # GDAL's words stay English


def test_population_from_an_scb_table(town, tmp_path):
    municipality, _own, _c, client = town
    write_layer(
        tmp_path / "d.gpkg",
        [{"NAMN": "Ryd", "geometry": square(15.57, 58.40, 0.02)}],
        crs="EPSG:3006",
    )
    call_command(
        "import_areas", str(tmp_path / "d.gpkg"), "--municipality", "0580",
        "--name-field", "NAMN", stdout=StringIO(),
    )  # fmt: skip
    table = tmp_path / "folkmangd.csv"
    table.write_text('"region";"2024"\n"0580 Linköping";"167000"\n"Ryd";"9100"\n')
    with table.open("rb") as fh:
        response = client.post("/installningar/befolkning/", {"file": fh})
    assert response.status_code == 302
    assert Population.objects.get(municipality=municipality, area=None, year=2024).population == (
        167000
    )
    page = client.get("/installningar/befolkning/").content.decode()
    assert "167" in page and "9" in page


def test_a_category_in_use_is_merged_not_deleted(town):
    municipality, own, _c, client = town
    lights = CaseCategory.objects.get(municipality=municipality, code="belysning")
    bushes = CaseCategory.objects.get(municipality=municipality, code="vegetation")
    case = Case.objects.create(
        municipality=municipality, owner_organisation=own, category=lights,
        origin=Origin.STAFF, lat=58.41, lon=15.58, description="Mörkt",
        deadline="2027-01-01",
    )  # fmt: skip
    page = client.post(f"/installningar/arendekategorier/{lights.pk}/ta-bort/", {})
    assert page.status_code == 200
    assert "välj kategorin de ska slås ihop med" in page.content.decode()
    assert CaseCategory.objects.filter(pk=lights.pk).exists()
    client.post(f"/installningar/arendekategorier/{lights.pk}/ta-bort/", {"merge_into": bushes.pk})
    case.refresh_from_db()
    assert case.category == bushes
    assert not CaseCategory.objects.filter(pk=lights.pk).exists()


def test_a_category_with_an_extra_question(town):
    municipality, _own, _c, client = town
    response = client.post(
        "/installningar/arendekategorier/ny/",
        {
            "name": "Övergivna cyklar",
            "name_en": "Abandoned bikes",
            "description": "Cyklar som stått länge",
            "group": "Skräp",
            "deadline_months": 3,
            "is_public": "on",
            "order": 20,
            "q-TOTAL_FORMS": 2,
            "q-INITIAL_FORMS": 0,
            "q-0-question": "Hur många cyklar?",
            "q-0-datatype": "singlevaluelist",
            "q-0-choices": "En; Två till fem; Fler",
            "q-0-required": "on",
            "q-1-question": "",
            "q-1-datatype": "string",
        },
    )
    assert response.status_code == 302
    category = CaseCategory.objects.get(municipality=municipality, name="Övergivna cyklar")
    assert category.deadline_months == 3
    [question] = category.attributes
    assert question["required"] and [v["name"] for v in question["values"]] == [
        "En",
        "Två till fem",
        "Fler",
    ]


def test_a_routing_rule_is_added_and_tested(town):
    municipality, own, _c, client = town
    housing = Organisation.objects.create(
        municipality=municipality, name="Stångåstaden", kind=OrganisationKind.HOUSING
    )
    lights = CaseCategory.objects.get(municipality=municipality, code="belysning")
    client.post(
        "/installningar/ansvar/",
        {"action": "add", "category": "", "area": "", "land": Land.ANY, "organisation": own.pk},
    )
    client.post(
        "/installningar/ansvar/",
        {"action": "add", "category": lights.pk, "area": "", "land": Land.ANY,
         "organisation": housing.pk},
    )  # fmt: skip
    assert RoutingRule.objects.filter(municipality=municipality).count() == 2
    page = client.post(
        "/installningar/ansvar/",
        {"action": "test", "category": lights.pk, "lat": 58.41, "lon": 15.58},
    )
    html = page.content.decode()
    assert "<strong>Stångåstaden</strong>" in html
    assert SiteProfile.objects.get(municipality=municipality).checklist.get("routing_tested")
    # The organisation a rule sends cases to cannot be deactivated.
    response = client.post(
        f"/installningar/organisationer/{housing.pk}/",
        {"name": "Stångåstaden", "kind": OrganisationKind.HOUSING, "is_active": ""},
    )
    assert response.status_code == 200
    housing.refresh_from_db()
    assert housing.is_active


def test_public_texts_are_published_and_a_pale_colour_is_refused(town, settings):
    municipality, _own, _c, client = town
    settings.PUBLIC_MUNICIPALITY = "0580"
    pale = client.post(
        "/installningar/offentlig-sida/",
        {"public_title": "Tryggt i Linköping", "brand_colour": "#ffdd55", "action": "publish"},
    )
    assert pale.status_code == 200
    assert "4,5:1" in pale.content.decode()
    assert SiteProfile.objects.get(municipality=municipality).published_at is None
    client.post(
        "/installningar/offentlig-sida/",
        {
            "public_title": "Tryggt i Linköping",
            "public_intro": "Berätta var det känns otryggt.",
            "brand_colour": "#00576b",
            "action": "publish",
        },
    )
    public = Client().get("/").content.decode()
    assert "Tryggt i Linköping" in public and "Berätta var det känns otryggt." in public
    assert "--brand: #00576b" in Client().get("/tema.css").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/installningar/organisationer/",
        "/installningar/arendekategorier/",
        "/installningar/ansvar/",
    ],
)
def test_list_pages_do_not_grow_their_queries_with_the_rows(
    town, path, django_assert_max_num_queries
):
    municipality, _own, _c, client = town
    client.get(path)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(path)
    for i in range(5):
        org = Organisation.objects.create(
            municipality=municipality, name=f"Förening {i}", kind=OrganisationKind.ASSOCIATION
        )
        category = CaseCategory.objects.create(
            municipality=municipality, code=f"k{i}", name=f"K {i}"
        )
        RoutingRule.objects.create(municipality=municipality, category=category, organisation=org)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(path)


def test_the_people_page_for_the_coordinator_and_an_organisations_administrator(town):
    municipality, own, _c, client = town
    housing = Organisation.objects.create(
        municipality=municipality, name="Stångåstaden", kind=OrganisationKind.HOUSING
    )
    assert client.get(f"/installningar/organisationer/{housing.pk}/personer/").status_code == 200
    admin = MembershipFactory(organisation=housing, role=Role.ORGANISATION_ADMIN)
    theirs = Client()
    theirs.force_login(admin.user)
    page = theirs.get(f"/installningar/organisationer/{housing.pk}/personer/")
    assert page.status_code == 200 and "Våra personer" in page.content.decode()
    assert theirs.get(f"/installningar/organisationer/{own.pk}/personer/").status_code == 403
    assert theirs.get("/installningar/").status_code == 403
    response = theirs.post(
        f"/installningar/organisationer/{housing.pk}/personer/",
        {"action": "invite", "email": "granne@stangastaden.se", "role": Role.MEMBER},
    )
    assert response.status_code == 302


def test_the_weekly_pictures_categories_places_and_scales(town):
    municipality, own, _c, client = town
    group = ObservationCategory.objects.get(municipality=municipality, code="skadegorelse")
    client.post(
        "/installningar/veckobild/",
        {"action": "category", "name": "Stenkastning", "parent": group.pk, "order": 9},
    )
    stones = ObservationCategory.objects.get(municipality=municipality, name="Stenkastning")
    assert stones.parent == group
    graffiti = ObservationCategory.objects.get(municipality=municipality, code="klotter")
    report = Observation.objects.create(
        municipality=municipality, owner_organisation=own, category=stones,
        lat=58.41, lon=15.58, occurred_at=timezone.now(),
    )  # fmt: skip
    client.post(f"/installningar/veckobild/{stones.pk}/", {"action": "merge", "into": graffiti.pk})
    report.refresh_from_db()
    assert report.category == graffiti
    assert not ObservationCategory.objects.filter(pk=stones.pk).exists()
    # A group with categories cannot be merged away from under them.
    page = client.post(
        f"/installningar/veckobild/{group.pk}/", {"action": "merge", "into": graffiti.pk}
    )
    assert page.status_code == 200 and ObservationCategory.objects.filter(pk=group.pk).exists()

    client.post(
        "/installningar/veckobild/",
        {"action": "place", "name": "Resecentrum", "lat": 58.4168, "lon": 15.6247},
    )
    assert Place.objects.filter(municipality=municipality, name="Resecentrum").exists()
    client.post(
        "/installningar/veckobild/",
        {
            "action": "scale-severity",
            "severity-label_1": "Lindrig", "severity-label_en_1": "Minor",
            "severity-label_2": "Märkbar", "severity-label_en_2": "",
            "severity-label_3": "Allvarlig", "severity-label_en_3": "Serious",
        },
    )  # fmt: skip
    assert scale(municipality, "severity")[0] == (1, "Lindrig")


def test_a_housing_companys_land_routes_to_it(town, tmp_path):
    municipality, own, _c, client = town
    housing = Organisation.objects.create(
        municipality=municipality, name="Stångåstaden", kind=OrganisationKind.HOUSING
    )
    yards = write_layer(
        tmp_path / "gardar.zip",
        [{"FASTIGHET": "Ryd 1:12", "geometry": square(15.570, 58.400, 0.002)}],
        crs="EPSG:3011",
    )
    with yards.open("rb") as fh:
        client.post(
            "/installningar/fastigheter/", {"property-file": fh, "property-owner": housing.pk}
        )
    prop = PropertyArea.objects.get(municipality=municipality)
    assert (prop.name, prop.owner) == ("Ryd 1:12", housing)
    client.post(
        "/installningar/ansvar/",
        {"action": "add", "category": "", "area": "", "land": Land.ANY, "organisation": own.pk},
    )
    client.post(
        "/installningar/ansvar/",
        {"action": "add", "category": "", "area": "", "land": Land.PROPERTY, "organisation": ""},
    )
    lights = CaseCategory.objects.get(municipality=municipality, code="belysning")
    inside = client.post(
        "/installningar/ansvar/",
        {"action": "test", "category": lights.pk, "lat": 58.401, "lon": 15.571},
    ).content.decode()
    assert "<strong>Stångåstaden</strong>" in inside and "Ryd 1:12" in inside
    outside = client.post(
        "/installningar/ansvar/",
        {"action": "test", "category": lights.pk, "lat": 58.41, "lon": 15.59},
    ).content.decode()
    assert "<strong>Linköping kommun</strong>" in outside


def test_the_last_rule_that_routes_a_category_cannot_be_removed(town):
    municipality, own, _c, client = town
    everything = RoutingRule.objects.create(municipality=municipality, organisation=own)
    client.post("/installningar/ansvar/", {"action": "delete", "rule": everything.pk})
    assert RoutingRule.objects.filter(pk=everything.pk).exists()
    # With a replacement for municipal land and one for properties, it can go.
    RoutingRule.objects.create(municipality=municipality, organisation=own, land=Land.MUNICIPAL)
    RoutingRule.objects.create(municipality=municipality, land=Land.PROPERTY)
    client.post("/installningar/ansvar/", {"action": "delete", "rule": everything.pk})
    assert not RoutingRule.objects.filter(pk=everything.pk).exists()


def test_the_people_and_weekly_picture_pages_do_not_grow_their_queries(
    town, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    municipality, own, coordinator, client = town
    pages = [
        f"/installningar/organisationer/{own.pk}/personer/",
        "/installningar/veckobild/",
        "/installningar/omraden/",
        "/installningar/befolkning/",
    ]
    before = {}
    for path in pages:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        before[path] = len(captured.captured_queries)
    group = ObservationCategory.objects.filter(municipality=municipality, parent=None).first()
    for i in range(5):
        MembershipFactory(organisation=own, role=Role.MEMBER)
        people_services.invite(
            Principal(user=coordinator.user, membership=coordinator),
            own,
            f"p{i}@linkoping.se",
            Role.MEMBER,
        )
        ObservationCategory.objects.create(
            municipality=municipality, code=f"extra-{i}", name=f"Extra {i}", parent=group
        )
        Place.objects.create(municipality=municipality, name=f"Plats {i}", lat=58.41, lon=15.6)
    for path in pages:
        with django_assert_max_num_queries(before[path]):
            client.get(path)


def test_the_municipality_decides_what_a_region_reads(town):
    from trygg.core.models import AuditEntry, RegionMember
    from trygg.core.services.regions import create_region

    municipality, own, _coordinator, client = town
    region = create_region("Östergötlands län", "county", ["0580", "0581"])
    member = RegionMember.objects.get(region=region, municipality=municipality)
    page = client.get("/installningar/regioner/").content.decode()
    assert "Östergötlands län" in page and "den offentliga nivån" in page
    response = client.post("/installningar/regioner/", {"member": member.pk, "shares": "1"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.shares_partner_data and member.decided_by is not None
    assert AuditEntry.objects.filter(
        content_type__model="regionmember", object_id=str(member.pk)
    ).exists()
    # Another municipality's membership of the region is not this one's to decide.
    other = RegionMember.objects.exclude(pk=member.pk).get(region=region)
    assert (
        client.post("/installningar/regioner/", {"member": other.pk, "shares": "1"}).status_code
        == 404
    )
    other.refresh_from_db()
    assert not other.shares_partner_data
    # A member without manage_settings may not.
    reader = MembershipFactory(organisation=own, role=Role.MEMBER)
    client.force_login(reader.user)
    assert (
        client.post("/installningar/regioner/", {"member": member.pk, "shares": "0"}).status_code
        == 403
    )
    member.refresh_from_db()
    assert member.shares_partner_data
