"""Bank aggregation providers: Teller (mTLS), Plaid and the demo provider."""
