"""Teach drf-spectacular that our JWTAuthentication is simplejwt's bearer scheme."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class BearerJWTScheme(SimpleJWTScheme):
    target_class = "members.authentication.JWTAuthentication"
    name = "jwtAuth"
