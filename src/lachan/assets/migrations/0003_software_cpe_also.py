from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0002_inventory"),
    ]

    operations = [
        migrations.AddField(
            model_name="software",
            name="cpe_also",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
