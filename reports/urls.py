from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("g/<slug:slug>/commitments.csv", views.commitments_csv, name="commitments_csv"),
    path("g/<slug:slug>/commitments.xlsx", views.commitments_xlsx, name="commitments_xlsx"),
    path("me/calendar-and-digest/", views.my_feeds, name="my_feeds"),
    path("calendar/<int:user_id>/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
