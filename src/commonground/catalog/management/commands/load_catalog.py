from django.core.management.base import BaseCommand, CommandError

from commonground.catalog.loader import CatalogError, load_catalog


class Command(BaseCommand):
    help = "Load the program catalog from its TOML files (idempotent)."

    def handle(self, *args, **options):
        try:
            result = load_catalog()
        except CatalogError as exc:
            raise CommandError(f"The catalog was not loaded: {exc}") from None
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Catalog: {result.created} added, {result.updated} updated, {result.unchanged} unchanged."
            )
