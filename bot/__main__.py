"""python -m bot <command>: the one command line of Kelisim."""

from bot.cli import main

main()
