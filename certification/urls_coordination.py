"""Addresses of the coordinators' area (under the language prefix): /<lang>/coordination/…"""

from django.urls import path

from . import coordinator_views as views

app_name = "coordination"

urlpatterns = [
    path("", views.home, name="home"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("hours/", views.hours_queue, name="hours"),
    path("hours/confirm/", views.confirm_hours, name="confirm_hours"),
    path("hours/<int:pk>/", views.review_hours, name="review_hours"),
    path("promotions/", views.awards_queue, name="awards"),
    path("promotions/<int:pk>/", views.decide_award, name="decide_award"),
    path("letters/", views.letters, name="letters"),
    path("sign-offs/", views.sign_off_search, name="sign_offs"),
    path("sign-offs/<int:pk>/", views.sign_off, name="sign_off"),
    path("statistics/", views.statistics_page, name="statistics"),
    path(
        "statistics/<slug:key>.<str:file_format>",
        views.statistics_export,
        name="statistics_export",
    ),
]
