"""SQL executors (one per store) and the repositories built on the ``SqlExecutor`` port."""
