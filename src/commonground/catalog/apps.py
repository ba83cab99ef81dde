from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_catalog_after_migrate(sender, using="default", **kwargs):
    # Keep the catalog in step with the files after every migrate, including test databases.
    from commonground.catalog.loader import load_catalog

    load_catalog()


class CatalogConfig(AppConfig):
    name = "commonground.catalog"
    verbose_name = "Program catalog"

    def ready(self):
        post_migrate.connect(_load_catalog_after_migrate, sender=self, dispatch_uid="catalog-load")
