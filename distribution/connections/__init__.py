"""Connections: pushing approved assets into Postiz and WordPress, and the record of where each version went.

clients.py   what every target's client offers (and the Problem it raises, in a sentence)
postiz.py    Postiz's public API: channels, upload, draft posts
wordpress.py WordPress's REST API: media upload and its description
channels.py  which of an asset's allowed channels a connection is (pushes outside them are refused)
files.py     turning a preset's derivative into a file the target accepts
services.py  connections saved and tested, pushes started (admins, brand managers, editors)
usages.py    usages recorded (pushes, picker, share links, delivery URLs) and turned outdated
push.py      the push job (distribution.tasks.push_task)
"""
