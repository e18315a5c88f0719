from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from articles.models import Article, ArticleRevision
from articles.services import article_get_or_create, revision_record


class ArticleAddForm(forms.ModelForm):
    """Adding an article by hand: its URL, and optionally its text as the first revision."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        help_text="Paste the article text to store it as the first revision.",
    )

    class Meta:
        model = Article
        fields = ["url", "title", "publisher", "authors", "published_at", "language"]

    def clean_url(self):
        from articles.canonical import InvalidURL, canonicalize_url

        url = self.cleaned_data["url"]
        try:
            canonical = canonicalize_url(url)
        except InvalidURL as exc:
            raise ValidationError(str(exc)) from None
        existing = Article.objects.filter(canonical_url=canonical).first()
        if existing is not None:
            raise ValidationError(
                f"This article is already on record as #{existing.pk} ({existing.canonical_url})."
            )
        return url


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    fields = ["number", "title", "fetched_at", "fingerprint_short", "length"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="fingerprint")
    def fingerprint_short(self, revision):
        return revision.fingerprint[:12]

    @admin.display(description="characters")
    def length(self, revision):
        return len(revision.text)


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["display_title", "publisher", "state", "revision_count", "last_checked_at"]
    list_filter = ["state", "publisher"]
    search_fields = ["title", "canonical_url", "url", "publisher"]
    readonly_fields = [
        "canonical_url",
        "state",
        "last_error",
        "last_checked_at",
        "next_check_at",
        "current_revision",
        "claims_in_article",
        "created_at",
        "updated_at",
    ]
    inlines = [RevisionInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(revision_total=Count("revisions"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ArticleAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*ArticleAddForm.Meta.fields, "text"]
        return [
            "url",
            "canonical_url",
            "title",
            "publisher",
            "authors",
            "published_at",
            "language",
            "state",
            "last_error",
            "last_checked_at",
            "next_check_at",
            "current_revision",
            "claims_in_article",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description="title", ordering="title")
    def display_title(self, article):
        return article.title or article.canonical_url

    @admin.display(description="revisions", ordering="revision_total")
    def revision_count(self, article):
        return article.revision_total

    @admin.display(description="claims that appear in this article")
    def claims_in_article(self, article):
        from claims.models import Claim

        claims = (
            Claim.objects.filter(appearances__revision__article=article)
            .distinct()
            .select_related("claimant")
            .order_by("id")
        )
        if not claims:
            return "None yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> — {} <span class="fc-badge fc-{}">{}</span></li>',
                (
                    (
                        reverse("admin:claims_claim_change", args=[c.pk]),
                        c,
                        c.claimant,
                        c.status,
                        c.get_status_display(),
                    )
                    for c in claims
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # New articles go through the service: canonical URL, and the first revision.
        with transaction.atomic():
            article, _ = article_get_or_create(
                url=form.cleaned_data["url"],
                user=request.user,
                **{f: form.cleaned_data[f] for f in ArticleAddForm.Meta.fields if f != "url"},
            )
            text = form.cleaned_data.get("text", "")
            if text.strip():
                revision_record(article=article, text=text, title=form.cleaned_data["title"])
        obj.pk = article.pk
        obj.refresh_from_db()
        if not text.strip():
            messages.info(request, "No text was given: the article has no revision yet.")


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "title", "fetched_at"]
    list_select_related = ["article"]
    search_fields = ["article__title", "article__canonical_url", "text"]
    readonly_fields = ["article", "number", "title", "text", "fingerprint", "fetched_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revisions are the record of what was published: never deleted.
        return False
