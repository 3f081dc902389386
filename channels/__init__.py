"""Custom input channels: the privacy edge in front of Rasa.

`make run` serves Rasa's REST and socket.io channels behind the privacy edge
(channels/privacy.py, configured in credentials.yml): pseudonymous conversation ids and no
channel metadata. The scrubber for personal data in the text and the Slack and Microsoft
Teams channels will live here too, each passing user text through the same edge.
"""
