"""Market data providers: Alpha Vantage and the demo provider."""
