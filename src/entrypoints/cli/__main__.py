"""``python -m entrypoints.cli``: the same as the ``fintech`` console script."""

from entrypoints.cli.main import main

main()
