"""The small offer catalogue partners order from (docs/customers.md; kept as data)."""

from django.db import migrations

OFFERS = [
    # name, seat-based, term in months
    ("Microsoft 365 Business Basic", True, 12),
    ("Microsoft 365 Business Standard", True, 12),
    ("Microsoft 365 Business Premium", True, 12),
    ("Microsoft 365 E3", True, 12),
    ("Microsoft 365 E5", True, 12),
    ("Office 365 E1", True, 12),
    ("Azure plan", False, 1),
]


def add_offers(apps, schema_editor):
    Offer = apps.get_model("customers", "Offer")
    for name, seat_based, term in OFFERS:
        Offer.objects.update_or_create(
            name=name, defaults={"seat_based": seat_based, "term_months": term}
        )


def remove_offers(apps, schema_editor):
    Offer = apps.get_model("customers", "Offer")
    Offer.objects.filter(
        name__in=[name for name, *_ in OFFERS], subscriptions__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_offer_subscription")]

    operations = [migrations.RunPython(add_offers, remove_offers)]
