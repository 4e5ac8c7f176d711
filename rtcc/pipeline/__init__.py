"""The path of an event: validate, persist, update live state, evaluate rules, publish."""
