"""One file per workshop module: its names, its steps in the order its notebook teaches them, its clean-up.

``deploy``/``ensure`` build a module in one idempotent call, so any module can start on its own;
``m99_cleanup`` removes everything.

Notebooks import the module they teach, e.g. ``from helpers.modules import m3_secrets_and_proxy as m3``.

>>> from helpers.modules import m2_rest_api as m2
>>> from helpers.session import Workshop
>>> m2.names(Workshop("local", "us-east-1", "123456789012"))["api"]
'sas-api'
"""
