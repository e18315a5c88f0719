from django.apps import AppConfig


class WebConfig(AppConfig):
    """The pages of SPEC section 8 beside the admin: views, forms, template tags, charts."""

    name = "web"
    verbose_name = "Pages"
