"""Who may do what, why, and the record that proves it."""
