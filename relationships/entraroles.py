"""Microsoft Entra built-in roles a GDAP admin relationship may ask for (docs/relationships.md,
"Admin relationships"): their role template ids — the ids Microsoft Graph's
``unifiedRoles[].roleDefinitionId`` carries — names and what each allows. Data, kept here
and nowhere else; no model imports it back."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EntraRole:
    """One built-in role: ``id`` (its template id, a GUID string), ``name``, ``description``."""

    id: str
    name: str
    description: str


#: Microsoft's rule: an admin relationship with this role can't extend itself.
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"

ROLES: tuple[EntraRole, ...] = (
    EntraRole("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers",
              _("Read basic directory information.")),
    EntraRole("9360feb5-f418-4baa-8175-e2a00bac4301", "Directory Writers",
              _("Read and write basic directory information, for applications.")),
    EntraRole("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader",
              _("Read everything a Global Administrator can, change nothing.")),
    EntraRole("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator",
              _("Manage users and groups, including resetting passwords of limited admins.")),
    EntraRole("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator",
              _("Reset passwords for non-administrators and Helpdesk Administrators.")),
    EntraRole("966707d0-3269-4727-9be2-8c3a10f19b9d", "Password Administrator",
              _("Reset passwords for non-administrators and Password Administrators.")),
    EntraRole("4d6ac14f-3453-41d0-bef9-a3e0c569773a", "License Administrator",
              _("Manage product licenses on users and groups.")),
    EntraRole("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator",
              _("Make purchases, manage subscriptions and support tickets, monitor service health.")),
    EntraRole("f023fd81-a637-4b56-95fd-791ac0226033", "Service Support Administrator",
              _("Read service health and manage Microsoft support requests.")),
    EntraRole("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator",
              _("Manage all aspects of Exchange Online.")),
    EntraRole("31392ffb-586c-42d1-9346-e59415a2cc4e", "Exchange Recipient Administrator",
              _("Create and manage Exchange Online recipients.")),
    EntraRole("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator",
              _("Manage all aspects of SharePoint Online.")),
    EntraRole("69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator",
              _("Manage Microsoft Teams.")),
    EntraRole("baf37b3a-610e-45da-9e62-d9d1e5e8914b", "Teams Communications Administrator",
              _("Manage calling and meetings in Microsoft Teams.")),
    EntraRole("3a2c62db-5318-420d-8d74-23affee5d9d5", "Intune Administrator",
              _("Manage all aspects of Microsoft Intune.")),
    EntraRole("7698a772-787b-4ac8-901f-60d6b08affd2", "Cloud Device Administrator",
              _("Enable, disable and delete devices in Microsoft Entra ID.")),
    EntraRole("11451d60-acb2-45eb-a7d6-43d0f0125c13", "Windows 365 Administrator",
              _("Provision and manage Windows 365 Cloud PCs.")),
    EntraRole("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator",
              _("Read security information and reports, manage security settings.")),
    EntraRole("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader",
              _("Read security information and reports.")),
    EntraRole("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator",
              _("Manage Conditional Access policies.")),
    EntraRole("c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator",
              _("Set and reset authentication methods of non-administrators.")),
    EntraRole("7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator",
              _("Set and reset authentication methods of any user, administrators included.")),
    EntraRole("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator",
              _("Manage role assignments in Microsoft Entra ID.")),
    EntraRole("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator",
              _("Create and manage all aspects of app registrations and enterprise apps.")),
    EntraRole("158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator",
              _("Manage app registrations and enterprise apps, except the application proxy.")),
    EntraRole("fdd7a751-b60b-444a-984c-02652fe8fa1c", "Groups Administrator",
              _("Manage groups and their settings.")),
    EntraRole("8329153b-31d0-4727-b945-745eb3bc5f31", "Domain Name Administrator",
              _("Manage domain names in the cloud and on premises.")),
    EntraRole("11648597-926c-4cf3-9c36-bcebb0ba8dcc", "Power Platform Administrator",
              _("Manage all aspects of Microsoft Dynamics 365, Power Apps and Power Automate.")),
    EntraRole("17315797-102d-40b4-93e0-432062caca18", "Compliance Administrator",
              _("Manage compliance configuration and reports in Microsoft Purview.")),
    EntraRole("2b745bdf-0803-4d80-aa65-822c4493daac", "Office Apps Administrator",
              _("Manage Office apps' cloud services, policies and settings.")),
    EntraRole("4a5d8f65-41da-4de4-8968-e035b65339cf", "Reports Reader",
              _("Read sign-in and audit reports.")),
    EntraRole("790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b", "Message Center Reader",
              _("Read messages and updates in the Message center.")),
    EntraRole(GLOBAL_ADMINISTRATOR, "Global Administrator",
              _("Manage every aspect of Microsoft Entra ID and the Microsoft services it signs in to.")),
)  # fmt: skip

#: Template id → role.
BY_ID: dict[str, EntraRole] = {role.id: role for role in ROLES}


def roles_named(ids) -> list[EntraRole]:
    """The roles of ``ids`` in catalogue order; unknown ids are left out (the caller checks)."""
    wanted = {str(i).lower() for i in ids}
    return [role for role in ROLES if role.id in wanted]
