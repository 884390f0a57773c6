"""The admin site's titles. Each app registers its own models in its admin.py."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("After-sales emergency administration")
admin.site.site_title = _("After-sales emergency admin")
admin.site.index_title = _("Administration")
