"""Settings for the HTTP benchmark (tests/bench/bench_http.py): the production settings module,
driven by the same environment variables, with a URLconf that adds the bench-only views.

Never used outside the benchmark: the floor and raw-SQL views must not exist in production.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
