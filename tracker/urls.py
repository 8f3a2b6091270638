from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Commitment Tracker administration"
admin.site.site_title = "Commitment Tracker admin"
admin.site.index_title = "Records"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("commitments.urls")),
]
