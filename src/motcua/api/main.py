"""The OpenAPI surface under /api/v1; each app contributes a router."""

from ninja import NinjaAPI

from motcua.core.errors import DomainError

api = NinjaAPI(title="Một Cửa Số API", version="1", urls_namespace="api")


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.get("/health", tags=["system"])
def health(request):
    return {"status": "ok"}
