"""``python -m hiring.aggregation``: see :mod:`hiring.aggregation.cli`."""

from .cli import main

raise SystemExit(main())
