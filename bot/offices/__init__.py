"""Local offices that share the bot: their registry, links, QR codes and posters."""
