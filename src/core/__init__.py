"""The domain and its use cases: plain Python with attrs, no framework, no I/O."""
