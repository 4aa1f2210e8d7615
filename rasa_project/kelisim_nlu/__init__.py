"""Our own NLU components, loaded by Rasa from config.yml (runs in the Rasa environment)."""
