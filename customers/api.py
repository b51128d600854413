"""Partner Center's REST API for customers, offers, orders and subscriptions (docs/api.md).

Paths and JSON shapes are Partner Center's (``/v1/customers``, ``companyProfile``,
``relationshipToPartner``, ``lineItems``...). Every write goes through the same
workflow or service as the pages (``customers.workflows``, ``customers.services``,
``relationships.services``), so the rules, roles, audit events and status rows are
the pages' own; schemas here check shapes only.
"""

import json
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Field, Schema, Status

from agreements.services import ConfirmationRequired
from customers.models import DOMAIN_SUFFIX, Customer, Offer, Subscription, default_domain
from customers.selectors import (
    customer_get_by_tenant_for_user,
    customer_rows_for_user,
    customers_with_domains,
    relationships_for_customer,
    subscriptions_of,
)
from customers.services import subscription_cancel
from customers.validators import parse_phone, validate_domain_prefix
from customers.workflows import customer_create, order_place, subscription_change_seats
from partnercenter.api.framework import (
    BAD_REQUEST,
    ApiError,
    Attributes,
    Link,
    PartnerCenterRouter,
    RequestSchema,
    collection,
    collection_schema,
    continuation,
    json_response,
    link,
    next_link,
    page_size,
    parse_guid,
    validation_error,
)
from partnercenter.models import Partner
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action
from partnercenter.web.paging import keyset_page
from relationships.selectors import indirect_providers_of, own_relationship_with
from relationships.services import relationship_remove

router = PartnerCenterRouter(tags=["Customers"])

#: The order gate's error (rules A10/A11), Partner Center's number and status.
ORDER_GATE_CODE = 13605

#: How many items a list returns when ``size`` is absent.
DEFAULT_PAGE_SIZE = 100


_In = RequestSchema


# --- Shapes -----------------------------------------------------------------------------


class Address(_In):
    country: str = Field(..., max_length=2, description="ISO 3166 country code, e.g. US.")
    region: str | None = None
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=100)
    addressLine1: str | None = Field(None, max_length=200)
    addressLine2: str | None = Field(None, max_length=200)
    postalCode: str | None = Field(None, max_length=20)
    firstName: str | None = Field(None, max_length=50)
    lastName: str | None = Field(None, max_length=50)
    phoneNumber: str | None = Field(None, max_length=40)


class CompanyProfileIn(_In):
    domain: str = Field(
        ..., max_length=60, description="The domain prefix, with or without .onmicrosoft.com."
    )
    companyName: str | None = Field(None, max_length=255)


class BillingProfileIn(_In):
    firstName: str | None = Field(None, max_length=50)
    lastName: str | None = Field(None, max_length=50)
    email: str = Field(..., max_length=254)
    culture: str | None = Field("en-US", max_length=16)
    language: str | None = Field("en", max_length=8)
    companyName: str = Field(..., max_length=255)
    defaultAddress: Address


class CustomerIn(_In):
    companyProfile: CompanyProfileIn
    billingProfile: BillingProfileIn
    associatedPartnerId: str | None = Field(
        None, description="An indirect provider's reseller (its Partner ID) to create for."
    )


class CompanyProfile(Schema):
    tenantId: str
    domain: str
    companyName: str
    links: dict[str, Link]
    attributes: Attributes


class BillingProfile(Schema):
    id: str
    firstName: str
    lastName: str
    email: str
    culture: str
    language: str
    companyName: str
    defaultAddress: dict
    links: dict[str, Link]
    attributes: Attributes


class UserCredentials(Schema):
    userName: str
    password: str


class CustomerOut(Schema):
    id: str
    commerceId: str
    companyProfile: CompanyProfile
    billingProfile: BillingProfile | None = None
    relationshipToPartner: str
    allowDelegatedAccess: bool | None = None
    associatedPartnerId: str | None = None
    userCredentials: UserCredentials | None = None
    customDomains: list[str] = []
    links: dict[str, Link]
    attributes: Attributes


CustomerCollection = collection_schema(CustomerOut, "CustomerCollection")


class CustomerPatch(_In):
    relationshipToPartner: str = Field(..., max_length=20)


class LineItemIn(_In):
    lineItemNumber: int = Field(0, ge=0, le=1000)
    offerId: str = Field(..., max_length=64)
    quantity: int = Field(1, ge=1, le=1_000_000)
    friendlyName: str | None = Field(None, max_length=200)


class OrderIn(_In):
    referenceCustomerId: str | None = None
    billingCycle: str | None = Field(None, max_length=20)
    lineItems: list[LineItemIn] = Field(..., min_length=1, max_length=50)


class LineItemOut(Schema):
    lineItemNumber: int
    offerId: str
    subscriptionId: str
    friendlyName: str
    quantity: int
    links: dict[str, Link]


class OrderOut(Schema):
    id: str
    referenceCustomerId: str
    billingCycle: str
    lineItems: list[LineItemOut]
    creationDate: str
    status: str
    links: dict[str, Link]
    attributes: Attributes


class OfferOut(Schema):
    id: str
    name: str
    description: str
    minimumQuantity: int
    maximumQuantity: int
    rank: int
    uri: str
    locale: str
    country: str
    category: dict
    isAddOn: bool
    isAvailableForPurchase: bool
    isAutoRenewable: bool
    billing: str
    supportedBillingCycles: list[str]
    unitType: str
    links: dict[str, Link]
    attributes: Attributes


OfferCollection = collection_schema(OfferOut, "OfferCollection")


class SubscriptionOut(Schema):
    id: str
    offerId: str
    offerName: str
    friendlyName: str
    quantity: int
    unitType: str
    creationDate: str
    effectiveStartDate: str
    commitmentEndDate: str
    status: str
    autoRenewEnabled: bool
    isTrial: bool
    billingType: str
    billingCycle: str
    contractType: str
    partnerId: str
    orderId: str | None = None
    links: dict[str, Link]
    attributes: Attributes


SubscriptionCollection = collection_schema(SubscriptionOut, "SubscriptionCollection")


class SubscriptionPatch(_In):
    quantity: int | None = Field(None, ge=1, le=1_000_000)
    status: str | None = Field(None, max_length=20)
    friendlyName: str | None = Field(None, max_length=200)
    autoRenewEnabled: bool | None = None


# --- Resources ------------------------------------------------------------------------------


def _company_profile(tenant_id: str, domain_prefix: str, company_name: str) -> dict:
    return {
        "tenantId": tenant_id,
        "domain": default_domain(domain_prefix),
        "companyName": company_name,
        "links": {"self": link(f"/customers/{tenant_id}/profiles/company")},
        "attributes": {"objectType": "CustomerCompanyProfile"},
    }


def customer_resource(
    customer: Customer,
    *,
    relationship: str = "reseller",
    delegated: bool | None = None,
    associated: Partner | None = None,
    full: bool = True,
) -> dict:
    """``customer`` as Partner Center's Customer resource; ``full`` adds the billing
    profile (``GET /customers/{id}``, ``POST /customers``)."""
    tenant = str(customer.tenant_id)
    resource = {
        "id": tenant,
        "commerceId": tenant,
        "companyProfile": _company_profile(tenant, customer.domain_prefix, customer.company_name),
        "relationshipToPartner": relationship,
        "allowDelegatedAccess": delegated,
        "customDomains": [],
        "links": {"self": link(f"/customers/{tenant}")},
        "attributes": {"objectType": "Customer"},
    }
    if associated is not None:
        resource["associatedPartnerId"] = str(associated.tenant_id)
    if full:
        resource["billingProfile"] = {
            "id": tenant,
            "firstName": customer.contact_first_name,
            "lastName": customer.contact_last_name,
            "email": customer.contact_email,
            "culture": customer.culture,
            "language": customer.language,
            "companyName": customer.company_name,
            "defaultAddress": {
                "country": str(customer.country),
                "city": customer.city,
                "state": customer.state,
                "addressLine1": customer.address_line1,
                "addressLine2": customer.address_line2,
                "postalCode": customer.postal_code,
                "firstName": customer.contact_first_name,
                "lastName": customer.contact_last_name,
                "phoneNumber": customer.contact_phone.as_e164 if customer.contact_phone else "",
            },
            "links": {"self": link(f"/customers/{tenant}/profiles/billing")},
            "attributes": {"objectType": "CustomerBillingProfile"},
        }
    return resource


# --- Customers ------------------------------------------------------------------------------

#: Partner Center's customer filter fields → how the list narrows and orders for each.
FILTER_FIELDS = ("CompanyName", "Domain", "IndirectReseller", "IndirectCloudSolutionProvider")


def _filter(raw: str | None) -> tuple[str, str] | None:
    """``filter`` (Partner Center's JSON: ``Field``, ``Value``, ``Operator``) as
    ``(field, value)``; ApiError (400) for anything else."""
    if raw is None or raw == "":
        return None

    def bad(message):
        return ApiError(
            400, BAD_REQUEST, message, error_name="InvalidFilter", parameters={"filter": raw[:200]}
        )

    try:
        data = json.loads(raw)
    except ValueError:
        raise bad(
            _(
                'filter must be JSON: {"Field": "CompanyName", "Value": "con", '
                '"Operator": "starts_with"}.'
            )
        ) from None
    if not isinstance(data, dict):
        raise bad(_("filter must be a JSON object."))
    keys = {str(k).lower(): v for k, v in data.items()}
    unknown = set(keys) - {"field", "value", "operator"}
    if unknown:
        raise bad(
            _("filter has fields Partner Center doesn't know: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    field, value, operator = keys.get("field"), keys.get("value"), keys.get("operator")
    if field not in FILTER_FIELDS:
        raise bad(
            _("filter's Field must be one of %(fields)s.") % {"fields": ", ".join(FILTER_FIELDS)}
        )
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise bad(_("filter's Value must be text of 1 to 255 characters."))
    if not isinstance(operator, str) or operator.replace("_", "").lower() != "startswith":
        raise bad(_("filter's Operator must be starts_with."))
    return field, value.strip()


@router.get(
    "/customers",
    response=CustomerCollection,
    summary="Get customers",
    operation_id="customers_list",
)
def customers_list(
    request, size: int | None = None, filter: str | None = None, seekOperation: str | None = None
):
    """A page of the partner's customers, in company-name order (domain order with a
    Domain filter); the next page through ``links.next`` (``seekOperation=Next`` and the
    ``MS-ContinuationToken`` header). ``filter``: Partner Center's JSON filter on
    CompanyName, Domain (prefixes), IndirectReseller or IndirectCloudSolutionProvider
    (a Partner ID)."""
    per_page = page_size(size, default=DEFAULT_PAGE_SIZE)
    narrowed = _filter(filter)
    cursor = continuation(request, seekOperation)
    rows = customer_rows_for_user(request.user)
    keys = ("sort_name", "customer_id")
    if narrowed:
        field, value = narrowed
        if field == "CompanyName":
            rows = rows.filter(sort_name__startswith=value.lower())
        elif field == "Domain":
            prefix = value.lower().removesuffix(DOMAIN_SUFFIX).split(".onmicrosoft")[0]
            rows = rows.filter(domain_prefix__startswith=prefix)
            keys = ("domain_prefix", "customer_id")
        elif field == "IndirectReseller":
            rows = rows.filter(reseller__tenant_id=parse_guid(value, field="filter.Value"))
        else:
            rows = rows.filter(provider__tenant_id=parse_guid(value, field="filter.Value"))
    values = rows.values_list(
        "customer_id",
        "customer__tenant_id",
        "customer__company_name",
        "customer__domain_prefix",
        "own",
        "reseller__tenant_id",
        "sort_name",
        "domain_prefix",
        named=True,
    )
    page = keyset_page(values, keys=keys, cursor=cursor, per_page=per_page)
    items = []
    for row in page:
        tenant = str(row.customer__tenant_id)
        item = {
            "id": tenant,
            "commerceId": tenant,
            "companyProfile": _company_profile(
                tenant, row.customer__domain_prefix, row.customer__company_name
            ),
            "relationshipToPartner": "reseller",
            "customDomains": [],
            "links": {"self": link(f"/customers/{tenant}")},
            "attributes": {"objectType": "Customer"},
        }
        if not row.own and row.reseller__tenant_id:
            item["associatedPartnerId"] = str(row.reseller__tenant_id)
        items.append(item)
    query = {"size": per_page, "filter": filter}
    links = {"self": link(f"/customers?size={per_page}")}
    if page.has_next:
        links["next"] = next_link("/v1/customers", query, page.next_cursor)
    # Built to the schema above: answered as it is, without validating it again.
    return json_response(collection(items, links=links))


def _customer(request, customer_id: str, action: Action = Action.VIEW_CUSTOMERS) -> Customer:
    return customer_get_by_tenant_for_user(
        request.user, parse_guid(customer_id, field="customer-tenant-id"), action=action
    )


def _serving(customer: Customer, partner: Partner) -> tuple[bool | None, Partner | None]:
    """``(allowDelegatedAccess, associated reseller)`` of ``partner``'s relationship."""
    relationships = list(relationships_for_customer(customer, partner=partner))
    own = [r for r in relationships if r.partner_id == partner.pk]
    if own:
        return own[0].delegated_admin, None
    through = relationships[0] if relationships else None
    return (through.delegated_admin if through else None), (through.partner if through else None)


@router.get(
    "/customers/{customer_id}",
    response=CustomerOut,
    summary="Get a customer by ID",
    operation_id="customers_get",
)
def customers_get(request, customer_id: str):
    """One customer the partner serves, by its tenant ID."""
    customer = _customer(request, customer_id)
    delegated, associated = _serving(customer, request.user.partner)
    return customer_resource(customer, delegated=delegated, associated=associated)


#: The model's field → the request's JSON path, for errors beside the field.
CUSTOMER_FIELD_PATHS = {
    "company_name": "billingProfile.companyName",
    "domain_prefix": "companyProfile.domain",
    "country": "billingProfile.defaultAddress.country",
    "address_line1": "billingProfile.defaultAddress.addressLine1",
    "address_line2": "billingProfile.defaultAddress.addressLine2",
    "city": "billingProfile.defaultAddress.city",
    "state": "billingProfile.defaultAddress.state",
    "postal_code": "billingProfile.defaultAddress.postalCode",
    "culture": "billingProfile.culture",
    "contact_first_name": "billingProfile.defaultAddress.firstName",
    "contact_last_name": "billingProfile.defaultAddress.lastName",
    "contact_email": "billingProfile.email",
    "contact_phone": "billingProfile.defaultAddress.phoneNumber",
    "indirect_provider": "associatedPartnerId",
    "associated_partner": "associatedPartnerId",
}


def _account(body: CustomerIn) -> dict:
    billing, address = body.billingProfile, body.billingProfile.defaultAddress
    domain = body.companyProfile.domain.strip().lower().removesuffix(DOMAIN_SUFFIX)
    return {
        "company_name": (billing.companyName or body.companyProfile.companyName or "").strip(),
        "domain_prefix": domain,
        "country": address.country.upper(),
        "address_line1": address.addressLine1 or "",
        "address_line2": address.addressLine2 or "",
        "city": address.city or "",
        "state": address.state or "",
        "postal_code": address.postalCode or "",
        "culture": billing.culture or "en-US",
        "cloud_instance": Customer.CloudInstance.PUBLIC,
        "contact_first_name": (address.firstName or billing.firstName or "").strip(),
        "contact_last_name": (address.lastName or billing.lastName or "").strip(),
        "contact_email": billing.email.strip(),
        "contact_phone": _phone(address.phoneNumber, address.country),
    }


def _phone(raw: str | None, country: str):
    """The phone number read for the customer's country, as the page's form reads it."""
    try:
        return parse_phone(raw or "", country.upper())
    except ValidationError as exc:
        raise validation_error(
            ValidationError({"contact_phone": exc.messages}), fields=CUSTOMER_FIELD_PATHS
        ) from exc


def _domain_beside_its_field(error: ValidationError) -> ValidationError:
    """The unique-domain constraint speaks for the whole customer (``__all__``); its
    message belongs beside ``companyProfile.domain``, as on the page."""
    taken = str(DOMAIN_TAKEN)
    if not hasattr(error, "error_dict") or taken not in map(
        str, error.message_dict.get("__all__", [])
    ):
        return error
    errors = dict(error.message_dict)
    errors["__all__"] = [m for m in errors["__all__"] if str(m) != taken]
    if not errors["__all__"]:
        del errors["__all__"]
    errors.setdefault("domain_prefix", []).append(taken)
    return ValidationError(errors)


#: The unique-domain constraint's message (docs/customers.md).
DOMAIN_TAKEN = next(
    c.violation_error_message
    for c in Customer._meta.constraints
    if c.name.endswith("unique_domain")
)


def _associated(request, value: str | None) -> Partner | None:
    if not value:
        return None
    key = value.strip()
    partner = Partner.objects.filter(mpn_id=key).first() if key.isdigit() else None
    if partner is None:
        partner = Partner.objects.filter(
            tenant_id=parse_guid(key, field="associatedPartnerId")
        ).first()
    if partner is None:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("associatedPartnerId names no indirect reseller of yours."),
            error_name="InvalidAssociatedPartner",
            parameters={"associatedPartnerId": key[:100]},
        )
    return partner


@router.post(
    "/customers",
    response={201: CustomerOut},
    summary="Create a customer",
    operation_id="customers_create",
)
def customers_create(request, body: CustomerIn):
    """**New customer** through the API: the tenant, its first admin (``userCredentials``,
    returned this once) and the reseller relationship, by the same rules as the page.
    An indirect provider creates for the reseller ``associatedPartnerId`` names (its
    Partner ID or MPN ID); an indirect reseller creates through its only indirect
    provider, or the one ``associatedPartnerId`` names when it has several."""
    user = request.user
    partner = partner_for_user(user, Action.ADD_CUSTOMER)
    associated = _associated(request, body.associatedPartnerId)
    provider, for_reseller = None, associated
    if partner.is_indirect_reseller:
        # An indirect reseller works through its provider: the only one, or the one
        # associatedPartnerId names.
        providers = indirect_providers_of(partner)
        provider = associated or (providers[0] if len(providers) == 1 else None)
        for_reseller = None
    try:
        made = customer_create(
            user=user,
            account=_account(body),
            indirect_provider=provider,
            for_reseller=for_reseller,
        )
    except ValidationError as exc:
        raise validation_error(_domain_beside_its_field(exc), fields=CUSTOMER_FIELD_PATHS) from exc
    resource = customer_resource(
        made.customer,
        delegated=made.relationship.delegated_admin,
        associated=for_reseller if for_reseller else None,
    )
    resource["userCredentials"] = {
        "userName": made.admin.username,
        "password": made.temporary_password,
    }
    return Status(201, resource)


@router.patch(
    "/customers/{customer_id}",
    response=CustomerOut,
    summary="Remove a reseller relationship with a customer",
    operation_id="customers_update",
)
def customers_update(request, customer_id: str, body: CustomerPatch):
    """``relationshipToPartner: "none"`` removes the partner's own reseller relationship
    (the page's **Remove customer relationship**, same rules: not while the customer has
    active subscriptions through the partner). The answer is the customer with
    ``relationshipToPartner: "none"``; the customer then leaves the list."""
    if body.relationshipToPartner.lower() != "none":
        raise ApiError(
            400,
            BAD_REQUEST,
            _('Only relationshipToPartner "none" (remove the relationship) can be set.'),
            error_name="InvalidRelationship",
            parameters={"relationshipToPartner": body.relationshipToPartner},
        )
    customer = _customer(request, customer_id, Action.REMOVE_RELATIONSHIP)
    relationship = own_relationship_with(customer, partner=request.user.partner)
    if relationship is None:
        raise Http404
    try:
        relationship_remove(user=request.user, relationship=relationship, confirmed=True)
    except ValidationError as exc:
        raise validation_error(exc) from exc
    return customer_resource(customer, relationship="none", delegated=False)


def _domain_prefix(domain: str) -> str:
    prefix = domain.strip().lower().removesuffix(DOMAIN_SUFFIX)
    try:
        validate_domain_prefix(prefix)
    except ValidationError as exc:
        raise validation_error(exc, fields={"__all__": "domain"}) from exc
    return prefix


@router.get(
    "/validations/checkdomainavailability/{domain_prefix}",
    response=bool,
    summary="Verify domain availability",
    operation_id="domains_check_availability",
)
def domain_availability(request, domain_prefix: str):
    """``true`` when ``<domain_prefix>.onmicrosoft.com`` is free for a new customer."""
    partner_for_user(request.user, Action.ADD_CUSTOMER)
    return not customers_with_domains([_domain_prefix(domain_prefix)]).exists()


@router.api_operation(
    ["HEAD"],
    "/domains/{domain}",
    response={200: None, 404: None},
    summary="Check whether a domain is taken",
    operation_id="domains_exists",
)
def domain_exists(request, domain: str):
    """200 when a tenant already has ``domain`` (``contoso`` or
    ``contoso.onmicrosoft.com``), 404 when it is free."""
    partner_for_user(request.user, Action.ADD_CUSTOMER)
    taken = customers_with_domains([_domain_prefix(domain)]).exists()
    return HttpResponse(status=200 if taken else 404)


# --- Offers, orders, subscriptions --------------------------------------------------------------


def offer_resource(offer: Offer, *, country: str, locale: str) -> dict:
    """``offer`` as Partner Center's Offer resource."""
    offer_id = str(offer.offer_id).upper()
    return {
        "id": offer_id,
        "name": offer.name,
        "description": offer.name,
        "minimumQuantity": 1,
        "maximumQuantity": 10000 if offer.seat_based else 1,
        "rank": 0,
        "uri": f"/offers/{offer_id}",
        "locale": locale,
        "country": country,
        "category": {
            "id": "General",
            "name": "General",
            "rank": 0,
            "locale": locale,
            "country": country,
        },
        "isAddOn": False,
        "isAvailableForPurchase": offer.is_active,
        "isAutoRenewable": True,
        "billing": "license" if offer.seat_based else "usage",
        "supportedBillingCycles": ["annual" if offer.term_months >= 12 else "monthly"],
        "unitType": "Licenses" if offer.seat_based else "Usage-based",
        "links": {"self": link(f"/offers/{offer_id}?country={country}")},
        "attributes": {"objectType": "Offer"},
    }


@router.get(
    "/offers",
    response=OfferCollection,
    summary="Get a list of offers for a market",
    operation_id="offers_list",
)
def offers_list(request, country: str):
    """The offers of the catalogue for ``country`` (ISO 3166, required), as Partner
    Center lists them; the catalogue is the same in every market here."""
    partner_for_user(request.user, Action.VIEW_CUSTOMERS)
    code = country.strip().upper()
    if code not in dict(countries):
        raise ApiError(
            400,
            BAD_REQUEST,
            _("country must be an ISO 3166 two-letter country code, such as US."),
            error_name="InvalidCountry",
            parameters={"country": country[:20]},
        )
    locale = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "en"
    items = [
        offer_resource(o, country=code, locale=locale)
        for o in Offer.objects.filter(is_active=True).order_by("name")
    ]
    return collection(items, links={"self": link(f"/offers?country={code}")})


def subscription_resource(subscription: Subscription) -> dict:
    """``subscription`` as Partner Center's Subscription resource."""
    sid = str(subscription.subscription_id)
    tenant = str(subscription.customer.tenant_id)
    offer = subscription.offer
    return {
        "id": sid,
        "offerId": str(offer.offer_id).upper(),
        "offerName": offer.name,
        "friendlyName": offer.name,
        "quantity": subscription.seats,
        "unitType": "Licenses" if offer.seat_based else "Usage-based",
        "creationDate": subscription.created_at.isoformat().replace("+00:00", "Z"),
        "effectiveStartDate": subscription.created_at.date().isoformat() + "T00:00:00Z",
        "commitmentEndDate": subscription.term_end.isoformat() + "T00:00:00Z",
        "status": "active" if subscription.is_active else "deleted",
        "autoRenewEnabled": subscription.auto_renew,
        "isTrial": False,
        "billingType": "license" if offer.seat_based else "usage",
        "billingCycle": "annual" if offer.term_months >= 12 else "monthly",
        "contractType": "subscription",
        "partnerId": str(subscription.partner.tenant_id),
        "orderId": str(subscription.order_id) if subscription.order_id else None,
        "links": {"self": link(f"/customers/{tenant}/subscriptions/{sid}")},
        "attributes": {"objectType": "Subscription"},
    }


def _offer(offer_id: str) -> Offer:
    guid = parse_guid(offer_id, field="offerId")
    offer = Offer.objects.filter(offer_id=guid).first()
    if offer is None:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("offerId %(offer)s is not an offer of the catalogue.") % {"offer": offer_id[:64]},
            error_name="InvalidOffer",
            parameters={"offerId": offer_id[:64]},
        )
    return offer


def _order_gate(exc: ConfirmationRequired) -> ApiError:
    return ApiError(
        403,
        ORDER_GATE_CODE,
        _(
            "Either a partner confirmation of the customer acceptance of the Microsoft "
            "Customer Agreement must be provided or the customer must accept the Microsoft "
            "Customer Agreement in the Microsoft Admin Center before you can complete this "
            "purchase."
        ),
        error_name="CustomerAgreementNotAccepted",
    )


@router.post(
    "/customers/{customer_id}/orders",
    response={201: OrderOut},
    summary="Create an order for a customer",
    operation_id="orders_create",
)
def orders_create(request, customer_id: str, body: OrderIn):
    """**New order**: one subscription per line item, all or none, behind the order gate
    (rules A10/A11: error 13605 without a current confirmation)."""
    customer = _customer(request, customer_id, Action.PLACE_ORDERS)
    lines = [(line, _offer(line.offerId)) for line in body.lineItems]
    order_id = uuid.uuid4()
    try:
        with transaction.atomic():
            bought = [
                (
                    line,
                    order_place(
                        user=request.user,
                        customer=customer,
                        offer=offer,
                        seats=line.quantity,
                        order_id=order_id,
                    ),
                )
                for line, offer in lines
            ]
    except ConfirmationRequired as exc:
        raise _order_gate(exc) from exc
    except ValidationError as exc:
        raise validation_error(
            exc, fields={"seats": "lineItems.quantity", "offer": "lineItems.offerId"}
        ) from exc
    tenant = str(customer.tenant_id)
    first = bought[0][1]
    return Status(
        201,
        {
            "id": str(order_id),
            "referenceCustomerId": tenant,
            "billingCycle": body.billingCycle
            or ("annual" if first.offer.term_months >= 12 else "monthly"),
            "lineItems": [
                {
                    "lineItemNumber": line.lineItemNumber,
                    "offerId": str(subscription.offer.offer_id).upper(),
                    "subscriptionId": str(subscription.subscription_id),
                    "friendlyName": line.friendlyName or subscription.offer.name,
                    "quantity": subscription.seats,
                    "links": {
                        "subscription": link(
                            f"/customers/{tenant}/subscriptions/{subscription.subscription_id}"
                        )
                    },
                }
                for line, subscription in bought
            ],
            "creationDate": first.created_at.isoformat().replace("+00:00", "Z"),
            "status": "completed",
            "links": {"self": link(f"/customers/{tenant}/orders/{order_id}")},
            "attributes": {"objectType": "Order"},
        },
    )


def _subscriptions(request, customer: Customer):
    return subscriptions_of(customer, partner=request.user.partner).select_related(
        "partner", "customer"
    )


@router.get(
    "/customers/{customer_id}/subscriptions",
    response=SubscriptionCollection,
    summary="Get all of a customer's subscriptions",
    operation_id="subscriptions_list",
)
def subscriptions_list(request, customer_id: str):
    """The customer's subscriptions bought through the partner, active and cancelled."""
    customer = _customer(request, customer_id)
    items = [
        subscription_resource(s)
        for s in _subscriptions(request, customer).order_by("created_at", "pk")
    ]
    return collection(items, links={"self": link(f"/customers/{customer.tenant_id}/subscriptions")})


def _subscription(request, customer: Customer, subscription_id: str) -> Subscription:
    guid = parse_guid(subscription_id, field="subscription-id")
    return get_object_or_404(_subscriptions(request, customer), subscription_id=guid)


@router.get(
    "/customers/{customer_id}/subscriptions/{subscription_id}",
    response=SubscriptionOut,
    summary="Get a subscription by ID",
    operation_id="subscriptions_get",
)
def subscriptions_get(request, customer_id: str, subscription_id: str):
    customer = _customer(request, customer_id)
    return subscription_resource(_subscription(request, customer, subscription_id))


@router.patch(
    "/customers/{customer_id}/subscriptions/{subscription_id}",
    response=SubscriptionOut,
    summary="Change a subscription's quantity, or cancel it",
    operation_id="subscriptions_update",
)
def subscriptions_update(request, customer_id: str, subscription_id: str, body: SubscriptionPatch):
    """The subscription as Partner Center's clients send it back, changed: ``quantity``
    changes the seat count (behind the order gate, A10); ``status: "deleted"`` cancels
    (never gated). Fields sent unchanged are fine; changing anything else (suspending,
    auto-renew) is a 400."""
    customer = _customer(request, customer_id, Action.PLACE_ORDERS)
    subscription = _subscription(request, customer, subscription_id)
    status = "active" if subscription.is_active else "deleted"
    if body.status is not None and body.status.lower() not in ("active", "deleted"):
        raise ApiError(
            400,
            BAD_REQUEST,
            _('status can only be "deleted" (cancel the subscription).'),
            error_name="InvalidStatus",
            parameters={"status": body.status[:20]},
        )
    if body.autoRenewEnabled is not None and body.autoRenewEnabled != subscription.auto_renew:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("Auto-renew can't be changed through the API."),
            error_name="InvalidAutoRenew",
            parameters={"autoRenewEnabled": str(body.autoRenewEnabled)},
        )
    cancel = body.status is not None and body.status.lower() == "deleted" and status == "active"
    reseat = body.quantity is not None and body.quantity != subscription.seats
    if body.status is not None and body.status.lower() == "active" and status == "deleted":
        raise ApiError(
            400,
            BAD_REQUEST,
            _("A cancelled subscription can't be made active again; order a new one."),
            error_name="InvalidStatus",
            parameters={"status": body.status[:20]},
        )
    if body.status is None and body.quantity is None:
        raise ApiError(
            400,
            BAD_REQUEST,
            _('Send quantity, or status "deleted" to cancel.'),
            error_name="NothingToChange",
        )
    try:
        if cancel:
            subscription = subscription_cancel(user=request.user, subscription=subscription)
        elif reseat:
            subscription = subscription_change_seats(
                user=request.user, subscription=subscription, seats=body.quantity
            )
    except ConfirmationRequired as exc:
        raise _order_gate(exc) from exc
    except ValidationError as exc:
        raise validation_error(exc, fields={"seats": "quantity"}) from exc
    subscription = _subscription(request, customer, subscription_id)
    return subscription_resource(subscription)
