from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("ops.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("readouts.urls")),
    path("", include("reports.urls")),
    path("", include("commitments.urls")),
]

# The database being unreachable outside a view still gets the friendly 503 page.
handler500 = "ops.views.server_error"
