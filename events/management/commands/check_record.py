from django.core.management.base import BaseCommand, CommandError

from events.quality import ERROR, RULES, WARNING, events_to_check, find_problems


class Command(BaseCommand):
    help = (
        "List what in the record needs an editor (see events/quality.py for the rules); "
        "exit with status 1 when any error is found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all-statuses",
            action="store_true",
            help="Check drafts, events in review and retractions too, not only published events.",
        )
        parser.add_argument("--errors-only", action="store_true", help="Leave warnings out of the list.")

    def handle(self, *args, all_statuses: bool, errors_only: bool, **options):
        events = events_to_check(all_statuses=all_statuses)
        counts = {ERROR: 0, WARNING: 0}
        flagged: set[int] = set()
        for problem in find_problems(events):
            counts[problem.severity] += 1
            flagged.add(problem.event_id)
            if errors_only and not problem.is_error:
                continue
            style = self.style.ERROR if problem.is_error else self.style.WARNING
            self.stdout.write(
                f"{style(problem.severity.upper()):<7} {problem.rule:<26} {problem.event_slug}: {problem.message}"
            )
        summary = (
            f"{events.count()} events checked against {len(RULES)} rules: {counts[ERROR]} error(s), "
            f"{counts[WARNING]} warning(s), in {len(flagged)} event(s)."
        )
        if counts[ERROR]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
