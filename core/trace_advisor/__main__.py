"""``python -m trace_advisor`` runs the CLI."""

import sys

from trace_advisor.cli import main

sys.exit(main())
