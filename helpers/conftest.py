"""pytest's ``--doctest-modules helpers`` imports every module; the Locust file would patch this process with gevent."""

collect_ignore = ["measure/locustfile.py"]
