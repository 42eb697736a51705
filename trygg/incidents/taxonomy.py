"""Trygg's own category taxonomy, and how each source's types map onto it.

Every incident has one Trygg category, whatever its source called it; the source's own
type is kept beside it (``Incident.source_type``) so nothing is lost and the mapping can
be revised.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    VIOLENCE = "violence", _("Violence")
    WEAPONS = "weapons", _("Shooting, explosion, weapons")
    ROBBERY = "robbery", _("Robbery")
    BURGLARY = "burglary", _("Burglary")
    THEFT = "theft", _("Theft")
    VANDALISM = "vandalism", _("Vandalism and graffiti")
    FIRE = "fire", _("Fire and arson")
    DRUGS = "drugs", _("Drugs")
    DISORDER = "disorder", _("Public disorder")
    THREATS = "threats", _("Threats and harassment")
    TRAFFIC = "traffic", _("Traffic")
    OTHER = "other", _("Other")


C = Category

# The police's public events feed: every type seen in the feed, mapped. Types starting
# with "Sammanfattning" are summaries (kept, never counted). Unknown types map to OTHER
# with a warning, so that a new type is noticed and added here.
POLISEN_TYPES: dict[str, Category] = {
    # violence (including sexual violence)
    "Misshandel": C.VIOLENCE,
    "Misshandel, grov": C.VIOLENCE,
    "Mord/dråp": C.VIOLENCE,
    "Mord/dråp, försök": C.VIOLENCE,
    "Våldtäkt": C.VIOLENCE,
    "Våldtäkt, försök": C.VIOLENCE,
    "Sexualbrott": C.VIOLENCE,
    "Sedlighetsbrott": C.VIOLENCE,
    "Olaga frihetsberövande": C.VIOLENCE,
    "Vållande till kroppsskada": C.VIOLENCE,
    "Larm överfall": C.VIOLENCE,
    "Människorov": C.VIOLENCE,
    # shooting, explosion, weapons
    "Skottlossning": C.WEAPONS,
    "Skottlossning, misstänkt": C.WEAPONS,
    "Detonation": C.WEAPONS,
    "Explosion": C.WEAPONS,
    "Bombhot": C.WEAPONS,
    "Vapenlagen": C.WEAPONS,
    "Knivlagen": C.WEAPONS,
    "Farligt föremål, misstänkt": C.WEAPONS,
    # robbery
    "Rån": C.ROBBERY,
    "Rån väpnat": C.ROBBERY,
    "Rån, väpnat": C.ROBBERY,
    "Rån, försök": C.ROBBERY,
    "Rån övrigt": C.ROBBERY,
    "Personrån": C.ROBBERY,
    # burglary
    "Inbrott": C.BURGLARY,
    "Inbrott, försök": C.BURGLARY,
    "Larm inbrott": C.BURGLARY,
    "Stöld/inbrott": C.BURGLARY,
    "Olaga intrång/hemfridsbrott": C.BURGLARY,
    "Hemfridsbrott": C.BURGLARY,
    # theft
    "Stöld": C.THEFT,
    "Stöld, försök": C.THEFT,
    "Motorfordon, stöld": C.THEFT,
    "Motorfordon, anträffat stulet": C.THEFT,
    "Häleri": C.THEFT,
    "Snatteri": C.THEFT,
    # vandalism
    "Skadegörelse": C.VANDALISM,
    "Sabotage mot blåljusverksamhet": C.VANDALISM,
    # fire
    "Brand": C.FIRE,
    "Brand automatlarm": C.FIRE,
    "Mordbrand": C.FIRE,
    # drugs
    "Narkotikabrott": C.DRUGS,
    # public disorder
    "Bråk": C.DISORDER,
    "Fylleri/LOB": C.DISORDER,
    "Ofog barn/ungdom": C.DISORDER,
    "Alkohollagen": C.DISORDER,
    "Ordningslagen": C.DISORDER,
    "Störning": C.DISORDER,
    # threats and harassment
    "Olaga hot": C.THREATS,
    "Ofredande/förargelse": C.THREATS,
    "Våld/hot mot tjänsteman": C.THREATS,
    "Hot": C.THREATS,
    # traffic
    "Trafikolycka": C.TRAFFIC,
    "Trafikolycka, personskada": C.TRAFFIC,
    "Trafikolycka, singel": C.TRAFFIC,
    "Trafikolycka, smitning från": C.TRAFFIC,
    "Trafikolycka, vilt": C.TRAFFIC,
    "Trafikolycka, övrigt": C.TRAFFIC,
    "Rattfylleri": C.TRAFFIC,
    "Trafikbrott": C.TRAFFIC,
    "Olovlig körning": C.TRAFFIC,
    "Trafikhinder": C.TRAFFIC,
    "Trafikkontroll": C.TRAFFIC,
    # known, and deliberately "other"
    "Anträffad död": C.OTHER,
    "Anträffat gods": C.OTHER,
    "Arbetsplatsolycka": C.OTHER,
    "Bedrägeri": C.OTHER,
    "Djur skadat/omhändertaget": C.OTHER,
    "Djur": C.OTHER,
    "Ekobrott": C.OTHER,
    "Efterlyst person": C.OTHER,
    "Fjällräddning": C.OTHER,
    "Försvunnen person": C.OTHER,
    "Förfalskningsbrott": C.OTHER,
    "Gränskontroll": C.OTHER,
    "Kontroll person/fordon": C.OTHER,
    "Lagen om hundar och katter": C.OTHER,
    "Miljöbrott": C.OTHER,
    "Missbruk av urkund": C.OTHER,
    "Naturkatastrof": C.OTHER,
    "Olyckor": C.OTHER,
    "Polisinsats/kommendering": C.OTHER,
    "Räddningsinsats": C.OTHER,
    "Rymning": C.OTHER,
    "Sjukdom/olycksfall": C.OTHER,
    "Spridning smittsamma kemikalier": C.OTHER,
    "Tillfälligt obemannat": C.OTHER,
    "Uppdatering": C.OTHER,
    "Utlänningslagen": C.OTHER,
    "Varningslarm/haveri": C.OTHER,
    "Övrigt": C.OTHER,
}

SUMMARY_PREFIX = "Sammanfattning"

# Words partners use in their own logs (housing companies, the municipality's property
# damage log), matched case-insensitively against the source's type column. Presets in
# trygg.incidents.importers.tabular may add their own.
PARTNER_TYPE_WORDS: dict[str, Category] = {
    "skadegörelse": C.VANDALISM,
    "vandalisering": C.VANDALISM,
    "klotter": C.VANDALISM,
    "graffiti": C.VANDALISM,
    "krossad ruta": C.VANDALISM,
    "glaskross": C.VANDALISM,
    "brand": C.FIRE,
    "anlagd brand": C.FIRE,
    "bilbrand": C.FIRE,
    "containerbrand": C.FIRE,
    "soprumsbrand": C.FIRE,
    "inbrott": C.BURGLARY,
    "källarinbrott": C.BURGLARY,
    "förrådsinbrott": C.BURGLARY,
    "stöld": C.THEFT,
    "cykelstöld": C.THEFT,
    "narkotika": C.DRUGS,
    "sprutor": C.DRUGS,
    "misshandel": C.VIOLENCE,
    "våld": C.VIOLENCE,
    "hot": C.THREATS,
    "hot mot personal": C.THREATS,
    "ofredande": C.THREATS,
    "störning": C.DISORDER,
    "ordningsstörning": C.DISORDER,
    "bråk": C.DISORDER,
    "rån": C.ROBBERY,
    "skottlossning": C.WEAPONS,
    "explosion": C.WEAPONS,
    "trafik": C.TRAFFIC,
    "nedskräpning": C.OTHER,
    "övrigt": C.OTHER,
}


def category_for_partner_type(value: str) -> Category | None:
    """The Trygg category for a partner's own type word, or None when unknown. Trygg's
    own category codes and labels (in any language) are accepted as well."""
    key = value.strip().casefold()
    if key in PARTNER_TYPE_WORDS:
        return PARTNER_TYPE_WORDS[key]
    for category in Category:
        if key in {category.value, str(category.label).casefold()}:
            return category
    return None


class SeriousFamily(models.TextChoices):
    """Kinds of serious event a municipality may be alerted of (trygg.live). Each is a set
    of types as the sources name them (the police's feed, the police's and partners'
    logs), compared without regard to case."""

    SHOOTING = "shooting", _("Shooting")
    EXPLOSION = "explosion", _("Explosion or detonation")
    LETHAL_VIOLENCE = "lethal_violence", _("Murder or manslaughter, or an attempt")
    AGGRAVATED_ASSAULT = "aggravated_assault", _("Aggravated assault")
    ARSON = "arson", _("Arson in a residential area")
    DANGEROUS_OBJECT = "dangerous_object", _("Dangerous object")


SERIOUS_TYPES: dict[str, tuple[str, ...]] = {
    SeriousFamily.SHOOTING: ("Skottlossning", "Skottlossning, misstänkt", "Skjutning"),
    SeriousFamily.EXPLOSION: ("Explosion", "Detonation", "Sprängning"),
    SeriousFamily.LETHAL_VIOLENCE: ("Mord/dråp", "Mord/dråp, försök", "Mord", "Dråp"),
    SeriousFamily.AGGRAVATED_ASSAULT: ("Misshandel, grov", "Grov misshandel"),
    SeriousFamily.ARSON: ("Mordbrand", "Anlagd brand"),
    SeriousFamily.DANGEROUS_OBJECT: ("Farligt föremål, misstänkt", "Farligt föremål"),
}

_FAMILY_OF = {t.casefold(): family for family, types in SERIOUS_TYPES.items() for t in types}


def serious_family(source_type: str) -> str | None:
    """The serious-event family of a source's type, or None."""
    return _FAMILY_OF.get(source_type.strip().casefold())


def serious_types(families) -> list[str]:
    """Every spelling of the families' types, as stored (for a query on ``source_type``)."""
    out: list[str] = []
    for family in families:
        for t in SERIOUS_TYPES[family]:
            out += [t, t.lower(), t.upper(), t.capitalize()]
    return sorted(set(out))
