"""The mappings shipped for the Baltic record, loaded by `manage.py load_inbox_mappings` (re-runnable:
it adds what is missing and leaves editors' changes alone).

- CAMEO country codes (ISO 3166-1 alpha-3, as CAMEO codes a country's actors) of the demo record's state
  actors: GDELT's RUS, RUSMIL, RUSGOV… are Russia.
- ACLED's types that are ours: an agreement (Strategic developments), a base established, and the
  fighting of Battles and Explosions/Remote violence. ACLED's other Strategic developments (arrests,
  looting, "other"…) are left for an editor to map or dismiss.
CAMEO event codes need no entry: each of our event types carries its own (EventType.cameo_code).
"""

from __future__ import annotations

from dataclasses import dataclass

from events.models import Actor, EventType
from inbox.models import AcledTypeMapping, ActorCode, Dataset

# CAMEO code → our actor's slug.
CAMEO_ACTORS = {
    "RUS": "russia", "BLR": "belarus", "LTU": "lithuania", "LVA": "latvia", "EST": "estonia", "POL": "poland",
    "USA": "usa", "DEU": "germany", "FIN": "finland", "SWE": "sweden", "UKR": "ukraine",
}  # fmt: skip
# (ACLED event type, sub-event type or "" for any) → our event type's slug.
ACLED_TYPES = {
    ("Strategic developments", "Agreement"): "agreement",
    ("Strategic developments", "Headquarters or base established"): "force-deployment",
    ("Battles", ""): "armed-clash",
    ("Explosions/Remote violence", ""): "armed-clash",
}


@dataclass(frozen=True)
class Loaded:
    added: int
    missing: list[str]  # the slugs of actors or types the record lacks (their entries are not loaded)


def load_defaults() -> Loaded:
    actors = {actor.slug: actor for actor in Actor.objects.filter(slug__in=CAMEO_ACTORS.values())}
    types = {t.slug: t for t in EventType.objects.filter(slug__in=ACLED_TYPES.values())}
    added, missing = 0, []
    for code, slug in CAMEO_ACTORS.items():
        if slug not in actors:
            missing.append(f"actor {slug} (for CAMEO {code})")
            continue
        _, created = ActorCode.objects.get_or_create(dataset=Dataset.GDELT, code=code, defaults={"actor": actors[slug]})
        added += created
    for (event_type, sub_event_type), slug in ACLED_TYPES.items():
        if slug not in types:
            missing.append(f"event type {slug} (for ACLED {event_type} / {sub_event_type or 'any'})")
            continue
        _, created = AcledTypeMapping.objects.get_or_create(
            acled_event_type=event_type, acled_sub_event_type=sub_event_type, defaults={"event_type": types[slug]}
        )
        added += created
    return Loaded(added=added, missing=missing)
