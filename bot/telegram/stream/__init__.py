"""Telegram's updates through Redis Streams, so any number of bot workers serve one bot.

The webhook receiver (receiver.py) puts each update on one of UPDATE_PARTITIONS streams, chosen
by chat; each stream is served by one worker at a time, under a lease (worker.py), so one chat's
updates are handled in order while different chats spread over the workers. docs/deployment.md
says why Redis Streams and what "exactly one answer" rests on.
"""
