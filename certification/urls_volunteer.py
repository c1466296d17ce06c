"""Addresses of a member's own pages (under the language prefix): /<lang>/volunteer/…"""

from django.urls import path

from . import volunteer_views as views

app_name = "volunteer"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("", views.ladder, name="ladder"),
    path("hours/", views.hours, name="hours"),
]
