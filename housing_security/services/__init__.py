"""Use cases. The only layer that writes: one transaction per use case, its audit row inside it."""
