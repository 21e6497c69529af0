"""The OpenAPI surface under /api/v1; each app contributes a router (motcua.api.<app>)."""

from ninja import NinjaAPI

from motcua.core.errors import DomainError

from . import accounts, catalog, documents, dossiers, engagement, integrations, payments, reporting

api = NinjaAPI(title="Một Cửa Số API", version="1", urls_namespace="api")


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.get("/health", tags=["system"])
def health(request):
    return {"status": "ok"}


api.add_router("/accounts", accounts.router)
api.add_router("/catalog", catalog.router)
api.add_router("/dossiers", dossiers.router)
api.add_router("/documents", documents.router)
api.add_router("/payments", payments.router)
api.add_router("/engagement", engagement.router)
api.add_router("/integrations", integrations.router)
api.add_router("/reporting", reporting.router)
