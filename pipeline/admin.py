from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from articles.canonical import InvalidURL, canonicalize_url
from articles.diff import side_by_side_html
from articles.feeds import feed_get_or_create
from articles.models import Article, ArticleCheck, ArticleRevision, Feed, FeedEntry
from articles.services import (
    ARTICLE_EDITABLE,
    article_get_or_create,
    article_update,
    feed_delete,
    feed_pause,
    feed_resume,
    feed_update,
    revision_record,
)
from claims.exports import articles_csv
from claims.models import Claim
from core.history_admin import HistoryAdmin
from pipeline.services import (
    article_queue_candidates,
    article_queue_check,
    feed_queue_check,
    revision_queue_candidates,
)


def _short_datetime(value) -> str:
    """A list column's date, "27 Nov 2026, 13:23": leaves the title room in the article list."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    # Non-breaking spaces: a narrow column breaks the line after the comma, not inside a date.
    return f"{date_format(local, 'j M Y')}, {date_format(local, 'H:i')}".replace(" ", "\u00a0", 2)


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
        url = self.cleaned_data["url"]
        try:
            canonical = canonicalize_url(url)
        except InvalidURL as exc:
            raise ValidationError(str(exc)) from None
        existing = Article.objects.filter(canonical_url=canonical).exclude(pk=self.instance.pk)
        if existing.exists():
            found = existing.get()
            raise ValidationError(
                f"This article is already on record as #{found.pk} ({found.canonical_url})."
            )
        return url


class ArticleChangeForm(ArticleAddForm):
    """Editing an article's metadata (its text comes from fetching it)."""

    text = None  # type: ignore[assignment]

    class Meta(ArticleAddForm.Meta):
        fields = list(ARTICLE_EDITABLE)


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


class LatestRowsFormSet(BaseInlineFormSet):
    """The parent's latest ``latest`` rows only, in the inline's ordering: an article watched
    for a year has thousands of checks, a busy feed thousands of entries."""

    latest = 20

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            # The parent's rows (the formset's instance), ordered; the subquery keeps the
            # newest, and the outer query stays unsliced so the formset can still filter it.
            rows = super().get_queryset()
            self._queryset = rows.filter(pk__in=rows.values("pk")[: self.latest])
        return self._queryset


class LatestRowsInline(admin.TabularInline):
    """A read-only inline of the parent's ``latest`` newest rows (``ordering``, newest first)."""

    formset = LatestRowsFormSet
    latest = 20
    classes = ["fc-latest-rows"]
    extra = 0
    max_num = 0
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The factory makes a new formset class on every call, so this sets nothing shared.
        formset.latest = self.latest
        return formset

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class CheckInline(LatestRowsInline):
    """The latest checks: when the text changed, returned to an earlier revision, or failed."""

    model = ArticleCheck
    fields = ["checked_at", "outcome", "revision", "message"]
    ordering = ["-checked_at", "-id"]
    latest = 20
    verbose_name_plural = "latest checks"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("revision")


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "display_title",
        "publisher",
        "state",
        "revision_count",
        "last_checked",
        "next_check",
        "error_short",
        "review_link",
    ]
    list_filter = ["state", "publisher"]
    actions = ["recheck_now", "find_candidates_again", "export_csv"]
    search_fields = ["title", "canonical_url", "url", "publisher"]
    readonly_fields = [
        "canonical_url",
        "state",
        "last_error",
        "last_error_public",
        "last_checked_at",
        "next_check_at",
        "last_changed_at",
        "modified_at",
        "failure_count",
        "current_revision",
        "claims_in_article",
        "created_at",
        "updated_at",
    ]
    inlines = [RevisionInline, CheckInline]

    @admin.display(description="last checked", ordering="last_checked_at")
    def last_checked(self, article):
        return _short_datetime(article.last_checked_at)

    @admin.display(description="next check", ordering="next_check_at")
    def next_check(self, article):
        return _short_datetime(article.next_check_at)

    @admin.display(description="review")
    def review_link(self, article):
        # The page where the article's text, claims and candidates are worked on.
        return format_html(
            '<a href="{}">Review page</a>', reverse("article_review", args=[article.pk])
        )

    @admin.display(description="last error")
    def error_short(self, article):
        if not article.last_error:
            return ""
        error = article.last_error
        return error if len(error) <= 80 else error[:79] + "…"

    # Each action declares its permission (the changelist offers it, and runs it, only to
    # users who have it) and checks it again in its body, in case it is called another way.
    @admin.action(description="Re-check the selected articles now", permissions=["change"])
    def recheck_now(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        count = 0
        with transaction.atomic():
            for article in queryset.only("id"):
                article_queue_check(article=article)
                count += 1
        messages.success(
            request,
            f"{count} article(s) queued for a check; reload to see the outcome under "
            "“latest checks”.",
        )

    @admin.action(
        description="Find the candidates again in the current text", permissions=["change"]
    )
    def find_candidates_again(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        with transaction.atomic():
            count = sum(
                article_queue_candidates(article=article)
                for article in queryset.only("id", "current_revision_id")
            )
        messages.success(
            request,
            f"{count} article(s) queued to have their candidates found again (articles with no "
            "text yet are left out); they appear on each article's review page.",
        )

    @admin.action(description="Export as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        # The API's columns (claims.exports) for the selected rows or, with "select all",
        # the list as filtered and searched. Staff see the full last error, as on this page.
        if not self.has_view_permission(request):
            raise PermissionDenied
        return articles_csv(queryset, working_verdicts=request.user.has_perm("claims.view_verdict"))

    def get_urls(self):
        return [
            path(
                "<int:article_id>/recheck/",
                self.admin_site.admin_view(self.recheck_view),
                name="articles_article_recheck",
            ),
            *super().get_urls(),
        ]

    def recheck_view(self, request, article_id: int):
        return require_POST(self._recheck)(request, article_id)

    def _recheck(self, request, article_id: int):
        article = get_object_or_404(Article, pk=article_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        with transaction.atomic():
            article_queue_check(article=article)
        messages.success(
            request,
            "A check of this article is queued; reload in a moment to see its outcome under "
            "“latest checks”.",
        )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def has_delete_permission(self, request, obj=None):
        return False  # revisions are never deleted (SPEC section 5), nor the article holding them

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ArticleAddForm if obj is None else ArticleChangeForm
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
            "last_error_public",
            "last_checked_at",
            "next_check_at",
            "last_changed_at",
            "modified_at",
            "failure_count",
            "current_revision",
            "claims_in_article",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description="title", ordering="title")
    def display_title(self, article):
        return article.title or article.canonical_url

    @admin.display(description="claims that appear in this article")
    def claims_in_article(self, article):
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
                '<li><a href="{}">{}</a> — {} {}{}</li>',
                (
                    (
                        reverse("admin:claims_claim_change", args=[c.pk]),
                        c,
                        c.claimant_label,
                        render_to_string(
                            "claims/_status_badge.html",
                            {"status": c.status, "label": c.get_status_display()},
                        ),
                        # A re-check that changed the quoted passage flags the claim: say so here.
                        render_to_string("claims/_needs_review_badge.html")
                        if c.needs_review
                        else "",
                    )
                    for c in claims
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        if change:
            saved = article_update(
                article=obj,
                user=request.user,
                **{name: form.cleaned_data[name] for name in ARTICLE_EDITABLE},
            )
            obj.canonical_url = saved.canonical_url
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
                revision, created = revision_record(
                    article=article, text=text, title=form.cleaned_data["title"]
                )
                if created:
                    revision_queue_candidates(revision=revision)
            else:
                # No text pasted: fetch the article (a worker does it once this commits).
                article_queue_check(article=article)
        obj.pk = article.pk
        obj.refresh_from_db()
        if not text.strip():
            messages.info(request, "No text was given: the article is queued to be fetched.")


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "title", "fetched_at"]
    list_select_related = ["article"]
    search_fields = ["article__title", "article__canonical_url", "text"]
    readonly_fields = [
        "article",
        "number",
        "title",
        "changes",
        "text",
        "fingerprint",
        "fetched_at",
    ]
    fields = readonly_fields

    @admin.display(description="changes from the previous revision")
    def changes(self, revision):
        previous = (
            ArticleRevision.objects.filter(
                article_id=revision.article_id, number__lt=revision.number
            )
            .order_by("-number")
            .first()
        )
        if previous is None:
            return "This is the first revision."
        return side_by_side_html(previous.text, revision.text)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revisions are the record of what was published: never deleted.
        return False


class FeedEntryInline(LatestRowsInline):
    model = FeedEntry
    fields = ["created_at", "title", "link", "article", "error"]
    ordering = ["-created_at", "-id"]
    latest = 50
    verbose_name_plural = "latest entries"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")


class FeedForm(forms.ModelForm):
    class Meta:
        model = Feed
        fields = ["url", "check_interval", "paused"]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """Feeds: add one by URL and its new entries arrive as articles; pause it; see its errors."""

    form = FeedForm
    list_display = [
        "__str__",
        "state",
        "paused",
        "check_interval",
        "last_checked_at",
        "next_check_at",
        "last_error",
    ]
    list_filter = ["state", "paused"]
    search_fields = ["url", "title"]
    readonly_fields = [
        "title",
        "state",
        "last_error",
        "progress",
        "failure_count",
        "last_checked_at",
        "next_check_at",
        "created_at",
    ]
    inlines = [FeedEntryInline]
    actions = ["check_now", "pause", "resume"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_fields(self, request, obj=None):
        # Adding a feed asks only what a person decides; the rest is filled in by its checks.
        if obj is None:
            return FeedForm.Meta.fields
        return [*FeedForm.Meta.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A feed's URL is what it is: another URL is another feed.
        return [] if obj is None else ["url", *self.readonly_fields]

    @admin.display(description="articles from this feed")
    def progress(self, feed):
        """How far the feed's articles have got: a long first import shows its progress here
        (reload the page)."""
        if feed.pk is None:
            return "—"
        counts = Article.objects.filter(feed_entries__feed=feed).aggregate(
            total=Count("id", distinct=True),
            fetched=Count("id", distinct=True, filter=Q(current_revision__isnull=False)),
            failed=Count("id", distinct=True, filter=Q(state="error")),
        )
        waiting = counts["total"] - counts["fetched"] - counts["failed"]
        return (
            f"{counts['total']} entries: {counts['fetched']} fetched, "
            f"{waiting} waiting, {counts['failed']} failed"
        )

    def delete_model(self, request, obj):
        feed_delete(feed=obj)

    def delete_queryset(self, request, queryset):
        for feed in queryset:
            feed_delete(feed=feed)

    def save_model(self, request, obj, form, change):
        if change:
            saved = feed_update(
                feed=Feed.objects.get(pk=obj.pk),
                check_interval=form.cleaned_data["check_interval"],
                paused=form.cleaned_data["paused"],
            )
            obj.next_check_at = saved.next_check_at
            return
        with transaction.atomic():
            feed, _ = feed_get_or_create(url=form.cleaned_data["url"])
            feed_update(
                feed=feed,
                check_interval=form.cleaned_data["check_interval"],
                paused=form.cleaned_data["paused"],
            )
            if not form.cleaned_data["paused"]:
                feed_queue_check(feed=feed)
        obj.pk = feed.pk
        obj.refresh_from_db()
        if not obj.paused:
            messages.info(request, "The feed is queued for a first check.")

    # Each action declares its permission and checks it again in its body (ArticleAdmin).
    @admin.action(description="Check the selected feeds now", permissions=["change"])
    def check_now(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        with transaction.atomic():
            feeds = list(queryset.filter(paused=False))
            for feed in feeds:
                feed_queue_check(feed=feed)
        messages.success(request, f"{len(feeds)} feed(s) queued (paused feeds are skipped).")

    @admin.action(description="Pause the selected feeds", permissions=["change"])
    def pause(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        count = sum(feed_pause(feed=feed) for feed in queryset.only("id"))
        messages.success(request, f"{count} feed(s) paused.")

    @admin.action(description="Resume the selected feeds", permissions=["change"])
    def resume(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        count = sum(feed_resume(feed=feed) for feed in queryset.only("id"))
        messages.success(request, f"{count} feed(s) resumed; they are checked at the next beat.")
