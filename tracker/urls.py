from django.contrib import admin
from django.urls import include, path

from commitments import ops

admin.site.site_header = "Commitment Tracker administration"
admin.site.site_title = "Commitment Tracker admin"
admin.site.index_title = "Records"

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("commitments.urls")),
]

# The database being unreachable outside a view still gets the friendly 503 page.
handler500 = "commitments.ops.server_error"
