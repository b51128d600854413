"""factory-boy factories for every model the tests touch."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from agreements.models import AgreementAcceptance, AgreementTemplate
from agreements.statusrows import agreement_status_sync
from customers.models import Customer, Offer, Subscription
from partnercenter.delivery.webhooks import EVENTS
from partnercenter.models import OutboundEmail, Partner, User, WebhookDelivery, WebhookEndpoint
from partnercenter.web.sealing import secret_seal, token_digest
from relationships.models import IndirectPartnership, PartnershipInvitation, ResellerRelationship

TEST_PASSWORD = "Test-Password-2026"


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n} Ltd")
    mpn_id = factory.Sequence(lambda n: f"{5000000 + n}")
    partner_type = Partner.PartnerType.DIRECT_BILL
    country = "KR"


class UserFactory(DjangoModelFactory):
    """A partner user; ``roles=[Role.ADMIN_AGENT, ...]`` sets its roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"user{n}@partner.example")
    username = factory.LazyAttribute(lambda o: o.email)
    time_zone = "UTC"
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=[str(r.value) for r in extracted]))


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    company_name = factory.Sequence(lambda n: f"Customer {n:04d} Co")
    domain_prefix = factory.Sequence(lambda n: f"customer{n:04d}")
    country = "KR"
    address_line1 = "152 Teheran-ro"
    city = "Seoul"
    state = "Seoul"
    postal_code = "06236"
    language = "ko"
    culture = "ko-KR"
    contact_first_name = "Minji"
    contact_last_name = "Kang"
    contact_email = factory.LazyAttribute(lambda o: f"minji.kang@{o.domain_prefix}.example")
    contact_phone = "+82 2 3456 7890"


class _KeepsStatusRows(DjangoModelFactory):
    """Factories write rows directly, as services never should; this does what the
    services do after such a write: bring the customer's status rows in step."""

    class Meta:
        abstract = True

    @factory.post_generation
    def status_rows(obj, create, extracted, **kwargs):
        if create:
            agreement_status_sync(obj.customer)


class ResellerRelationshipFactory(_KeepsStatusRows):
    class Meta:
        model = ResellerRelationship
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    state = ResellerRelationship.State.ACTIVE


class IndirectPartnershipFactory(DjangoModelFactory):
    class Meta:
        model = IndirectPartnership

    provider = factory.SubFactory(
        PartnerFactory, partner_type=Partner.PartnerType.INDIRECT_PROVIDER
    )
    reseller = factory.SubFactory(
        PartnerFactory, partner_type=Partner.PartnerType.INDIRECT_RESELLER
    )


class PartnershipInvitationFactory(DjangoModelFactory):
    """A pending invitation whose emailed link carries ``token`` (only its hash is stored)."""

    class Meta:
        model = PartnershipInvitation

    provider = factory.SubFactory(
        PartnerFactory, partner_type=Partner.PartnerType.INDIRECT_PROVIDER
    )
    reseller = factory.SubFactory(
        PartnerFactory, partner_type=Partner.PartnerType.INDIRECT_RESELLER
    )
    email = "ga@reseller.example"
    token = factory.Sequence(lambda n: f"link-token-{n:04d}")
    token_hash = factory.LazyAttribute(lambda o: token_digest(o.token))
    sent_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..provider"))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))

    @classmethod
    def _create(cls, model_class, *args, token, **kwargs):
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.token = token  # the link's token, for the test to follow
        return invitation


class AgreementAcceptanceFactory(_KeepsStatusRows):
    """A partner attestation of the current agreement, dated a week before it was recorded."""

    class Meta:
        model = AgreementAcceptance
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SubFactory(PartnerFactory)
    template = factory.LazyFunction(
        lambda: AgreementTemplate.objects.get(
            agreement_type="MicrosoftCustomerAgreement", version_rank=1
        )
    )
    created_at = factory.LazyFunction(timezone.now)
    date_agreed = factory.LazyAttribute(
        lambda o: (o.created_at - datetime.timedelta(days=7)).date()
    )
    first_name = "Minji"
    last_name = "Kang"
    email = factory.Sequence(lambda n: f"acceptor{n}@customer.example")
    method = AgreementAcceptance.Method.PARTNER_ATTESTATION
    recorded_by = factory.SubFactory(UserFactory, partner=factory.SelfAttribute("..partner"))


class SubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = Subscription

    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SubFactory(PartnerFactory)
    offer = factory.LazyFunction(lambda: Offer.objects.get(name="Microsoft 365 Business Basic"))
    seats = 10
    term_end = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    state = Subscription.State.ACTIVE
    # A cancelled subscription says when (customers_subscription_cancelled_at_iff_cancelled).
    cancelled_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.state == Subscription.State.CANCELLED else None
    )


class OutboundEmailFactory(DjangoModelFactory):
    """An outgoing email that failed after its attempts (the state that offers Resend)."""

    class Meta:
        model = OutboundEmail

    partner = factory.SubFactory(PartnerFactory)
    kind = OutboundEmail.Kind.CUSTOMER_INVITATION
    to_email = "it@customer.example"
    subject = "Invitation"
    body = "Hello"
    state = OutboundEmail.State.FAILED
    attempts = 5
    last_error = "ConnectionRefusedError: [Errno 111] Connection refused"


class WebhookEndpointFactory(DjangoModelFactory):
    """A partner's webhook subscribed to every event; ``secret`` is its signing key."""

    class Meta:
        model = WebhookEndpoint

    partner = factory.SubFactory(PartnerFactory)
    url = "https://psa.example/hooks/partner-center"
    events = factory.LazyFunction(lambda: list(EVENTS))
    secret = "test-signing-secret"
    sealed_secret = factory.LazyAttribute(lambda o: secret_seal(o.secret))

    @classmethod
    def _create(cls, model_class, *args, secret, **kwargs):
        endpoint = super()._create(model_class, *args, **kwargs)
        endpoint.secret = secret
        return endpoint


class WebhookDeliveryFactory(DjangoModelFactory):
    """A delivery that failed after its attempts."""

    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event_name = "customer-created"
    body = '{"EventName": "customer-created"}'
    state = WebhookDelivery.State.FAILED
    attempts = 5
    status_code = 500
    last_error = "HTTP 500"
