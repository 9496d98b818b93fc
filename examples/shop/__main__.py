"""Allow ``python -m shop``."""

from shop.cli import main

raise SystemExit(main())
