"""What the bot keeps about people, and for how long: the anonymiser of unanswered questions
and the retention sweeps (security audit M9, H1, L7)."""
