"""Analytics that read the store: geometry, recommendations, patterns."""
