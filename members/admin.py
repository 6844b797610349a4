from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from members.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["username", "email", "is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["username", "email"]
    add_fieldsets = ((None, {"classes": ["wide"], "fields": ["email", "username", "password1", "password2"]}),)
