from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from core import roles

        view = ["customers.view_customer"]
        desk = [*view, "customers.add_customer", "customers.change_customer"]
        roles.extend_role(roles.DISPATCHER, desk)
        roles.extend_role(roles.MANAGER, [*desk, "customers.merge_customer"])
        # Surveys and return visits: customer service finds the record and keeps consent.
        roles.extend_role(roles.CUSTOMER_SERVICE, [*view, "customers.change_customer"])
        # A CRM reports and looks customers up by API.
        roles.extend_role(roles.INTEGRATION, [*view, "customers.add_customer"])
