from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("g/<slug:slug>/commitments.csv", views.commitments_csv, name="commitments_csv"),
    path("g/<slug:slug>/commitments.xlsx", views.commitments_xlsx, name="commitments_xlsx"),
    path("g/<slug:slug>/briefing/", views.briefing, name="briefing"),
    path("g/<slug:slug>/briefing/print.css", views.briefing_print_css, name="briefing_css"),
    path("g/<slug:slug>/briefing.docx", views.briefing_docx, name="briefing_docx"),
    path("g/<slug:slug>/briefing.xlsx", views.briefing_xlsx, name="briefing_xlsx"),
    path("g/<slug:slug>/import/", views.import_upload, name="import"),
    path("g/<slug:slug>/import/<int:pk>/", views.import_review, name="import_review"),
    path("me/calendar-and-digest/", views.my_feeds, name="my_feeds"),
    path("calendar/<int:user_id>/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
