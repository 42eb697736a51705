from django.urls import path

from trygg.surveys import views

urlpatterns = [path("", views.surveys, name="surveys")]
