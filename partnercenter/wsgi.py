"""WSGI entry point: ``gunicorn partnercenter.wsgi`` serves production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")

application = get_wsgi_application()
