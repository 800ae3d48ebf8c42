"""The event taxonomy of DESIGN.md: CAMEO-coded types on the Goldstein scale, sign flipped so that
higher means more tension. Loaded into every database by migration 0002; editors may adjust it."""

# slug, name, category, CAMEO code, default escalation, description
EVENT_TYPES: list[tuple[str, str, str, str, str, str]] = [
    (
        "force-deployment",
        "Force deployment",
        "military_posture",
        "154",
        "7.2",
        "Troops, air defence or missiles stationed or sent.",
    ),
    (
        "military-exercise",
        "Military exercise or show of force",
        "military_posture",
        "150",
        "7.2",
        "Exercises, drills, patrols meant to be seen.",
    ),
    (
        "raised-alert",
        "Raised alert or mobilisation",
        "military_posture",
        "152",
        "7.2",
        "Forces put on alert, reservists called up.",
    ),
    (
        "official-warning",
        "Official warning or threat of force",
        "warning",
        "138",
        "7.0",
        "A government warns of military consequences.",
    ),
    (
        "threat-non-military",
        "Threat, non-military",
        "warning",
        "130",
        "4.4",
        "A threat of political or other non-military consequences.",
    ),
    (
        "condemnation",
        "Condemnation or accusation",
        "statement",
        "111",
        "2.0",
        "Official criticism, blame or accusation.",
    ),
    ("sanctions", "Sanctions or embargo", "economic", "163", "8.0", "Economic or transit restrictions imposed."),
    (
        "reduced-relations",
        "Reduced diplomatic relations",
        "diplomatic",
        "161",
        "4.0",
        "Ambassadors recalled, missions downgraded or closed.",
    ),
    (
        "expulsion-of-diplomats",
        "Expulsion of diplomats",
        "diplomatic",
        "174",
        "5.0",
        "Diplomats declared persona non grata.",
    ),
    ("threat-of-sanctions", "Threat of sanctions", "warning", "1312", "5.8", "Sanctions or embargo threatened."),
    (
        "airspace-incident",
        "Airspace or border incident",
        "incident",
        "17",
        "7.0",
        "Airspace violations, border crossings, intercepts.",
    ),
    ("blockade", "Blockade", "military_posture", "191", "9.5", "Movement of goods or people blocked by force."),
    (
        "hybrid-incident",
        "Cyber or hybrid incident",
        "incident",
        "17",
        "7.0",
        "Jamming, sabotage, cyber attacks, migrants pushed at a border.",
    ),
    ("armed-clash", "Armed clash", "incident", "19", "10.0", "Shots fired, open fighting."),
    ("statement", "Statement", "statement", "01", "0.0", "A neutral public statement."),
    ("talks", "Talks or consultation", "de_escalation", "04", "-1.0", "Meetings, consultations, negotiations."),
    (
        "agreement",
        "Agreement or confidence-building step",
        "de_escalation",
        "057",
        "-8.0",
        "Formal agreements, confidence-building measures.",
    ),
    # Added by migration 0009. CAMEO 0334 ("Express intent to provide military protection or
    # peacekeeping") codes the pledge as between allies; its escalation is read from the other
    # side, and is lower than a deployment's (154, +7.2) because nothing has moved yet.
    (
        "defence-pledge",
        "Announced deployment or defence pledge",
        "military_posture",
        "0334",
        "4.0",
        "Announced plans, summit decisions and brigade roadmaps, as opposed to forces actually deployed.",
    ),
]


def ensure_event_types() -> None:
    """Put back any type of the taxonomy that is missing, leaving editors' changes alone.

    Migration 0002 loads the taxonomy; this is for databases emptied since (a test's flush)."""
    from decimal import Decimal

    from events.models import EventType

    for slug, name, category, cameo_code, escalation, description in EVENT_TYPES:
        EventType.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "category": category,
                "cameo_code": cameo_code,
                "default_escalation": Decimal(escalation),
                "description": description,
            },
        )
