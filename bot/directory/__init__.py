"""The directory: listings of mediators, and the places of Kazakhstan (the gazetteer)."""
