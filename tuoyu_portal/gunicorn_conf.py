"""gunicorn settings for every deployment: `gunicorn -c python:tuoyu_portal.gunicorn_conf`.

Command-line options (e.g. --bind, --workers) override these.
"""

from __future__ import annotations

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 60
graceful_timeout = 10
# The control socket defaults to ~/.gunicorn/gunicorn.ctl, one per user: a second portal on the
# same machine took it over and deleted it on exit. Nothing here uses it; signals manage gunicorn.
control_socket_disable = True

# One clock (Beijing time with its offset) in every line, as in Django's and Celery's logs.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "class": "tuoyu_portal.logformat.BeijingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s",
        },
    },
    # ID and phone numbers can be in a query string: masked here as in Django's logs.
    "filters": {"redact": {"()": "tuoyu_portal.logfilters.RedactPersonalData"}},
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
    "root": {"level": "INFO", "handlers": ["error"]},
}
