"""What the bot understood in a message: one reading, shared by Rasa, the actions and the CLI.

`entities` is what our Rasa entity extractor (rasa_project/kelisim_nlu/entity_extractor.py)
puts on every message; the actions and `python -m bot understand` read the same values. It
imports only the standard library and our resolvers, so Rasa's Python 3.10 environment loads
it as it is.
"""
