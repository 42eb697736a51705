"""The staff case list: an organisation's own cases first, search by number or words,
sorting, and the date each case came in."""

import re

from trygg.cases import services
from trygg.cases.models import Origin


def make(world, description, category="belysning", at=(59.5150, 17.6450), **extra):
    return services.create_case(
        world.municipality,
        category=world.categories[category],
        lat=at[0],
        lon=at[1],
        description=description,
        origin=Origin.PUBLIC,
        **extra,
    )


def numbers(html):
    return [int(n) for n in re.findall(r'<td[^>]*><a href="/cases/(\d+)/">', html)]


def test_the_list_starts_with_the_organisations_own_cases_and_can_show_all(world, client):
    lamp = make(world, "Gatlampan vid busshållplatsen är trasig.")
    graffiti = make(world, "Klotter på fasaden.", at=(59.5080, 17.6360))  # Brohus' yard
    assert lamp.owner_organisation == world.teknik != graffiti.owner_organisation
    client.force_login(world.teknik_member.user)
    html = client.get("/cases/").content.decode()
    assert numbers(html) == [lamp.pk]
    assert f'<option value="{world.teknik.pk}" selected>' in html
    html = client.get("/cases/?organisation=&status=open").content.decode()
    assert set(numbers(html)) == {lamp.pk, graffiti.pk}
    assert "Skapad" in html


def test_search_by_number_or_words_and_sort(world, client):
    first = make(world, "Gatlampan vid busshållplatsen är trasig.")
    second = make(world, "Mörk gångväg bakom skolan.")
    client.force_login(world.coordinator.user)
    assert numbers(client.get(f"/cases/?status=all&q=%23{second.pk}").content.decode()) == [
        second.pk
    ]
    assert numbers(client.get("/cases/?status=all&q=busshållplatsen").content.decode()) == [
        first.pk
    ]
    assert numbers(client.get("/cases/?status=all&q=Bro+gångväg").content.decode()) == [second.pk]
    newest = numbers(client.get("/cases/?status=all").content.decode())
    oldest = numbers(client.get("/cases/?status=all&sort=created").content.decode())
    assert newest[:2] == [second.pk, first.pk] and oldest[-2:] == [first.pk, second.pk]
