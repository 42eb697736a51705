"""python manage.py import_survey FILE --set polisen|ntu --year YYYY [--aggregate]"""

from pathlib import Path

from django.core.management.base import CommandError

from trygg.core.management.base import TryggCommand
from trygg.incidents.importers.base import ImportRefused
from trygg.surveys.models import SurveyKind
from trygg.surveys.questions import QUESTION_SETS
from trygg.surveys.services import import_survey


class Command(TryggCommand):
    help = (
        "Import a perceived-safety survey: anonymous answers (one row per respondent: "
        "område, år, åldersgrupp, kön and the question codes as columns; aggregated on "
        "import, never stored) or, with --aggregate, a published table (område, indikator, "
        "värde, n). Files with identifying columns are refused. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--set", required=True, choices=list(QUESTION_SETS), dest="question_set"
        )
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--aggregate", action="store_true", help="a published aggregate table")
        parser.add_argument("--title", default="")
        parser.add_argument("--response-rate", type=float)
        parser.add_argument("--municipality", help="SCB municipality code, e.g. 0139")

    def handle(self, *args, **options):
        municipality = self.municipality(options["municipality"])
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            result = import_survey(
                municipality,
                data,
                file_name=path.name,
                question_set=options["question_set"],
                year=options["year"],
                kind=SurveyKind.AGGREGATE if options["aggregate"] else SurveyKind.RESPONDENTS,
                title=options["title"],
                response_rate=options["response_rate"],
            )
        except ImportRefused as exc:
            raise self.refused(str(path), exc) from exc
        self.stdout.write(self.style.SUCCESS(result.summary))
