"""The development server of `make run`: whitenoise's `runserver`, decoding chunked request bodies.

An app of its own because the command that wins is the one of the first app listed in INSTALLED_APPS
(this one sits just above whitenoise's). See management/commands/runserver.py for why.
"""
