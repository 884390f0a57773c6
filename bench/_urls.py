from django.urls import path

from bench._floor import floor
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/floor/", floor), *app_urlpatterns]
