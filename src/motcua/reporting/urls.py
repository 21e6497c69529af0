from django.urls import path  # noqa: F401

app_name = __name__.split(".")[1]
urlpatterns = []
