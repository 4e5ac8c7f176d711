"""The shared vocabulary: the event envelope, payloads, geo helpers, the bus."""
