"""Custom input channels: the privacy edge in front of Rasa.

`make run` serves Rasa's REST and socket.io channels behind the privacy edge
(channels/privacy.py, configured in credentials.yml): personal data in the text becomes
placeholders (scrubber.py), conversation ids are pseudonyms and channel metadata is dropped.
storage.py forgets idle conversations; logguard.py keeps message text out of the logs.
slack.py and teams.py are the Slack and Microsoft Teams channels, behind the same edge.
"""
