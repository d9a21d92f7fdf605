"""API wiring shared by every app: domain errors become JSON 400s with field messages, and
views declare the model permissions they need."""

from typing import Any

from axes.helpers import get_lockout_message
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from hiring.errors import ConflictError

# Documented error responses, shared by every API module's schema.
BAD_REQUEST = OpenApiResponse(OpenApiTypes.OBJECT, description="Field messages, by field.")
FORBIDDEN = OpenApiResponse(description="Your role may not do this.")
NOT_FOUND = OpenApiResponse(description="No such object, or not one you may see.")
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(
    OpenApiTypes.OBJECT, description="The body is not JSON, a form or multipart."
)
CONFLICT = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Stale version or already submitted; nothing was written."
)
# What a write that names an object can answer besides its success.
WRITE_ERRORS = {
    400: BAD_REQUEST,
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: CONFLICT,
    415: UNSUPPORTED_MEDIA_TYPE,
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn Django's ValidationError (raised by services) into DRF's, so it renders as a 400."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ConflictError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


def permission_required(*perms: str) -> type[BasePermission]:
    """A DRF permission class for Django model permissions, so API views declare exactly what they
    need (`permission_classes = [permission_required("loops.add_loop")]`)."""

    class HasPermissions(BasePermission):
        message = "You do not have permission to do this."

        def has_permission(self, request: Request, view: APIView) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    HasPermissions.__name__ = "Has_" + "_".join(p.replace(".", "_") for p in perms)
    return HasPermissions


class TokenObtainApi(ObtainAuthToken):
    """Exchange a username and password for the token scripts send as `Authorization: Token ...`.

    Wrong passwords count as failed sign-ins: after five for one username from one address, that
    pair is locked out for a while (429), even with the right password. A success resets the count.
    """

    # Like the sign-in page, through django-axes (which flags the DRF request it was given) and
    # `user_logged_in` (which resets the count and goes to the audit log).

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong username or password."),
            415: OpenApiResponse(description="The body is not JSON, a form or multipart."),
            429: OpenApiResponse(description="Too many failed attempts: locked out for a while."),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": str(get_lockout_message())},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response({"token": token.key})
