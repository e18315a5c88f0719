"""The status documents belong to the claims app, whose services write them: they leave this
app's state here and enter the claims app's in claims 0007. Their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("api", "0002_editors_manage_api_keys")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ClaimDocument"),
                migrations.DeleteModel(name="ArticleDocument"),
            ],
            database_operations=[],
        )
    ]
