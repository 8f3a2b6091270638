from django.urls import path

from . import views

app_name = "readouts"

READOUT = "g/<slug:slug>/readouts/<int:pk>/"
CANDIDATE = READOUT + "candidates/<int:candidate_pk>/"

urlpatterns = [
    path(
        "g/<slug:slug>/meetings/<int:number>/readouts/new/",
        views.readout_import,
        name="import",
    ),
    path(READOUT, views.review, name="review"),
    path(READOUT + "passages/", views.passage, name="passage"),
    path(CANDIDATE + "accept/", views.accept, name="accept"),
    path(CANDIDATE + "reject/", views.reject, name="reject"),
    path(CANDIDATE + "reconsider/", views.reconsider, name="reconsider"),
]
