"""Parts of our own that the Rasa server loads at run time (not at training)."""
