"""Partner Center's REST API for agreements (docs/api.md): agreement metadata and
documents, a partner's attestation (``POST /customers/{id}/agreements``), a customer's
records and direct-sign status, and the partner's compliance records.

An attestation goes through ``agreements.services.acceptance_record``, the one path
the pages, bulk confirmation and Django admin use: rules A1–A8 and A12 are the
model's and the service's; this module maps their errors to Partner Center's.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from agreements.compliance import (
    AGREEMENT_TYPES,
    ALL,
    KEYS,
    LACKING,
    Compliance,
    ReportFilters,
    agreement_item,
    compliance_rows_for_user,
    customer_agreements,
    held_agreement,
)
from agreements.models import A12_MESSAGE, AgreementAcceptance, AgreementTemplate
from agreements.services import acceptance_record, check_may_attest
from customers.selectors import customer_get_by_tenant_for_user
from partnercenter.api.framework import (
    BAD_REQUEST,
    ApiError,
    Attributes,
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
    validation_parameters,
)
from partnercenter.tenant.access import partner_for_user
from partnercenter.tenant.roles import Action
from partnercenter.web.paging import keyset_page

router = PartnerCenterRouter(tags=["Agreements"])

#: Rule A12's error: Partner Center's number and name for an identical duplicate.
DUPLICATE_CODE = 600061

#: ``GET /agreements`` without ``agreementType``: Partner Center's documented default,
#: kept so its clients behave here as there (docs/api.md warns about it).
DEFAULT_AGREEMENT_TYPE = AgreementTemplate.AgreementType.MICROSOFT_CLOUD_AGREEMENT


class AgreementMetaData(Schema):
    templateId: str
    description: str
    versionRank: int
    agreementLink: str
    agreementType: str
    attributes: Attributes


AgreementMetaDataCollection = collection_schema(AgreementMetaData, "AgreementMetaDataCollection")


class AgreementDocument(Schema):
    templateId: str
    language: str
    country: str
    displayUri: str
    downloadUri: str
    attributes: Attributes


class Contact(RequestSchema):
    firstName: str = Field("", max_length=100)
    lastName: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phoneNumber: str | None = Field(None, max_length=40)


class AgreementIn(RequestSchema):
    primaryContact: Contact
    templateId: str = Field(..., max_length=64)
    dateAgreed: str = Field(..., max_length=40, description="ISO 8601 date or date-time (UTC).")
    type: str = Field(..., max_length=64)


class Agreement(Schema):
    primaryContact: Contact
    templateId: str
    dateAgreed: str
    type: str
    agreementLink: str
    userId: str
    attributes: Attributes


class AgreementCollection(Schema):
    totalCount: int
    items: list[Agreement]
    attributes: Attributes


class DirectSignedStatus(Schema):
    isSigned: bool
    attributes: Attributes


class CustomerAgreementRecord(Schema):
    customerTenantId: str
    customerDomain: str
    companyName: str
    indirectResellerId: str | None = None
    complianceStatus: str
    agreementType: str | None = None
    templateId: str | None = None
    versionRank: int | None = None
    attributes: Attributes


CustomerAgreementRecordCollection = collection_schema(
    CustomerAgreementRecord, "CustomerAgreementRecordCollection"
)


def _agreement_type(value: str | None, *, default: str | None) -> str:
    value = default if value is None or value == "" else value
    if value != "*" and value not in AGREEMENT_TYPES:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("agreementType must be %(types)s or *.") % {"types": ", ".join(AGREEMENT_TYPES)},
            error_name="InvalidAgreementType",
            parameters={"agreementType": str(value)[:64]},
        )
    return value


def _metadata(template: AgreementTemplate) -> dict:
    return {
        "templateId": str(template.template_id),
        "description": str(template),
        "versionRank": template.version_rank,
        "agreementLink": template.link,
        "agreementType": template.agreement_type,
        "attributes": {"objectType": "AgreementMetaData"},
    }


@router.get(
    "/agreements",
    response=AgreementMetaDataCollection,
    summary="Get agreement metadata",
    operation_id="agreements_list",
)
def agreements_list(request, agreementType: str | None = None):
    """The newest version of each agreement type. Without ``agreementType`` this is the
    Microsoft Cloud Agreement, as in Partner Center; ask ``MicrosoftCustomerAgreement``
    (or ``*``, every type) for the agreement customers accept today."""
    partner_for_user(request.user, Action.VIEW_CUSTOMERS)
    wanted = _agreement_type(agreementType, default=DEFAULT_AGREEMENT_TYPE)
    newest = {}
    for template in AgreementTemplate.objects.order_by("agreement_type", "-version_rank"):
        newest.setdefault(template.agreement_type, template)
    items = [_metadata(t) for kind, t in sorted(newest.items()) if wanted in ("*", kind)]
    return collection(items, links={"self": link(f"/agreements?agreementType={wanted}")})


def _template(template_id: str) -> AgreementTemplate:
    guid = parse_guid(template_id, field="templateId")
    template = (
        AgreementTemplate.objects.filter(template_id=guid)
        .prefetch_related("documents")
        .order_by("-version_rank")
        .first()
    )
    if template is None:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("templateId %(id)s is no agreement template.") % {"id": template_id[:64]},
            error_name="InvalidTemplateId",
            parameters={"templateId": template_id[:64]},
        )
    return template


@router.get(
    "/agreementtemplates/{template_id}/document",
    response=AgreementDocument,
    summary="Get an agreement document",
    operation_id="agreement_documents_get",
)
def agreement_document(request, template_id: str, language: str = "en-US", country: str = "US"):
    """The agreement's document for ``country`` (default US) and ``language`` (default
    en-US): the country's own where there is one, else the template's."""
    partner_for_user(request.user, Action.VIEW_CUSTOMERS)
    template = _template(template_id)
    if len(country) != 2 or not country.isalpha() or len(language) > 16:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("country is a two-letter code (US) and language a culture (en-US)."),
            error_name="InvalidDocumentQuery",
        )
    url = template.document_url(country=country.upper(), language=language)
    return {
        "templateId": str(template.template_id),
        "language": language,
        "country": country.upper(),
        "displayUri": url,
        "downloadUri": url,
        "attributes": {"objectType": "AgreementDocument"},
    }


def _customer(request, customer_id: str, action: Action = Action.VIEW_CUSTOMERS):
    return customer_get_by_tenant_for_user(
        request.user, parse_guid(customer_id, field="customer-tenant-id"), action=action
    )


def _date_agreed(value: str) -> datetime.date:
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.date.fromisoformat(text)
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("dateAgreed must be a date such as 2026-12-01 or 2026-12-01T00:00:00Z."),
            error_name="InvalidDateAgreed",
            parameters={"dateAgreed": text[:40]},
        ) from None


#: The model's field → the request's JSON path, for errors beside the field.
ATTESTATION_FIELDS = {
    "date_agreed": "dateAgreed",
    "first_name": "primaryContact.firstName",
    "last_name": "primaryContact.lastName",
    "email": "primaryContact.email",
    "phone": "primaryContact.phoneNumber",
    "template": "templateId",
}


@router.post(
    "/customers/{customer_id}/agreements",
    response={201: Agreement},
    summary="Confirm customer acceptance of the Microsoft Customer Agreement",
    operation_id="customer_agreements_create",
)
def customer_agreements_create(request, customer_id: str, body: AgreementIn):
    """The partner's attestation: rules A1–A8 and A12 as on **Confirm customer
    acceptance**. An indirect reseller gets 403 with A6's message; an identical
    duplicate, 409 with Partner Center's 600061."""
    customer = _customer(request, customer_id)
    partner = check_may_attest(request.user, customer)
    template = _template(body.templateId)
    if body.type != template.agreement_type:
        raise ApiError(
            400,
            BAD_REQUEST,
            _("type must be the template's agreement type, %(type)s.")
            % {"type": template.agreement_type},
            error_name="InvalidAgreementType",
            parameters={"type": body.type[:64]},
        )
    contact = body.primaryContact
    try:
        acceptance = acceptance_record(
            customer=customer,
            user=request.user,
            date_agreed=_date_agreed(body.dateAgreed),
            first_name=contact.firstName,
            last_name=contact.lastName,
            email=contact.email,
            phone=contact.phoneNumber or "",
            template=template,
            partner=partner,
        )
    except ValidationError as exc:
        parameters = validation_parameters(exc, fields=ATTESTATION_FIELDS)
        if str(A12_MESSAGE) in parameters.values():
            raise ApiError(
                409,
                DUPLICATE_CODE,
                _("A partner confirmed agreement already exists for the customer."),
                error_name="PartnerConfirmedAgreementAlreadyExists",
            ) from exc
        raise validation_error(exc, fields=ATTESTATION_FIELDS) from exc
    return Status(
        201,
        agreement_item(
            acceptance,
            template.document_url(country=str(customer.country), language=customer.culture),
        ),
    )


@router.get(
    "/customers/{customer_id}/agreements",
    response=AgreementCollection,
    summary="Get confirmations of customer acceptance",
    operation_id="customer_agreements_list",
)
def customer_agreements_list(request, customer_id: str, agreementType: str | None = None):
    """The partner's confirmations and the customer's own acceptances, newest first;
    ``agreementType`` one type or ``*`` (the default here: every record)."""
    customer = _customer(request, customer_id)
    wanted = _agreement_type(agreementType, default="*")
    return customer_agreements(customer, partner=request.user.partner, agreement_type=wanted)


@router.get(
    "/customers/{customer_id}/directSignedMicrosoftCustomerAgreementStatus",
    response=DirectSignedStatus,
    summary="Get the direct-sign status of the Microsoft Customer Agreement",
    operation_id="customer_direct_signed_status",
)
def direct_signed_status(request, customer_id: str):
    """``isSigned``: the customer accepted the Microsoft Customer Agreement itself in
    the admin center."""
    customer = _customer(request, customer_id)
    signed = AgreementAcceptance.objects.filter(
        customer=customer,
        method=AgreementAcceptance.Method.CUSTOMER_DIRECT,
        template__agreement_type=AgreementTemplate.AgreementType.MICROSOFT_CUSTOMER_AGREEMENT,
    ).exists()
    return {"isSigned": signed, "attributes": {"objectType": "DirectSignedCustomerAgreementStatus"}}


@router.get(
    "/partners/customeragreementrecords",
    response=CustomerAgreementRecordCollection,
    summary="Get the agreement compliance of every customer",
    operation_id="customer_agreement_records_list",
)
def customer_agreement_records(
    request,
    size: int | None = None,
    seekOperation: str | None = None,
    complianceStatus: str | None = None,
):
    """One record per customer the partner serves, in company-name order: its
    ``complianceStatus`` (``current``, ``older_version``, ``older_agreement``,
    ``other_partner``, ``missing``) and the agreement the partner holds for it.
    ``complianceStatus`` keeps one status, or ``lacking`` (every one but ``current``:
    the customers to re-attest); all customers when absent. Continuation-paged like
    ``GET /customers``."""
    wanted = complianceStatus or ALL
    if wanted not in (ALL, LACKING, *Compliance.values):
        raise ApiError(
            400,
            BAD_REQUEST,
            _("complianceStatus must be one of %(values)s.")
            % {"values": ", ".join((ALL, LACKING, *Compliance.values))},
            error_name="InvalidComplianceStatus",
        )
    per_page = page_size(size, default=100)
    cursor = continuation(request, seekOperation)
    rows = compliance_rows_for_user(request.user, ReportFilters(status=wanted))
    page = keyset_page(rows, keys=KEYS, cursor=cursor, per_page=per_page)
    items = []
    for row in page:
        customer, template = row.customer, held_agreement(row)
        items.append(
            {
                "customerTenantId": str(customer.tenant_id),
                "customerDomain": customer.domain,
                "companyName": customer.company_name,
                "indirectResellerId": str(row.reseller.tenant_id) if row.reseller_id else None,
                "complianceStatus": row.compliance,
                "agreementType": template.agreement_type if template else None,
                "templateId": str(template.template_id) if template else None,
                "versionRank": template.version_rank if template else None,
                "attributes": {"objectType": "CustomerAgreementRecord"},
            }
        )
    links = {"self": link(f"/partners/customeragreementrecords?size={per_page}")}
    if page.has_next:
        links["next"] = next_link(
            "/v1/partners/customeragreementrecords",
            {"size": per_page, "complianceStatus": complianceStatus},
            page.next_cursor,
        )
    # Built to the schema above: answered as it is, without validating it again.
    return json_response(collection(items, links=links))
