"""Text helpers shared by the bot, the domain code and our Rasa NLU components."""
