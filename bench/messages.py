"""What the simulated users say: the same eight trilingual messages for every system measured.

Imports nothing, so the engine's environment can use it too (bench/rasa_profile.py)."""

MESSAGES = [
    "what is mediation",
    "что такое медиация",
    "медиация деген не",
    "hello",
    "что ты умеешь",
    "Medıasıa degenimiz ne?",
    "рахмет",
    "how much does a mediator cost",
]
# Short conversations: a new person every ten turns, how people use the bot.
SHORT_CONVERSATION = 10
