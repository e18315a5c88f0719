"""The changes feed outlives its claims (SPEC section 7): a claim's deletion leaves its events,
which keep its id, and a claim's end (deleted, merged into another) is an event of its own.
A top-level source (its own root) can be deleted.

Numbered 0009 to follow claims 0008 (source aliases, written in parallel); it depends on 0007
until both are merged, when its dependency becomes 0008."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0008_source_aliases'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='claimchange',
            name='claimchange_field_valid',
        ),
        migrations.AddField(
            model_name='claimchange',
            name='merged_into',
            field=models.PositiveIntegerField(blank=True, help_text='For a claim merged into another: the id of the claim it was merged into.', null=True),
        ),
        migrations.AlterField(
            model_name='claimchange',
            name='claim',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='changes', to='claims.claim'),
        ),
        migrations.AlterField(
            model_name='claimchange',
            name='field',
            field=models.CharField(choices=[('status', 'Status'), ('verdict', 'Verdict'), ('claim', 'Claim')], max_length=16),
        ),
        migrations.AlterField(
            model_name='source',
            name='root',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='claims.source'),
        ),
        migrations.AddConstraint(
            model_name='claimchange',
            constraint=models.CheckConstraint(condition=models.Q(('field__in', ['status', 'verdict', 'claim'])), name='claimchange_field_valid'),
        ),
    ]
