"""Custom input channels: the privacy edge in front of Rasa.

`make run` serves Rasa's own REST and socket.io channels (credentials.yml). The privacy edge
(scrubbing personal data, pseudonymous conversation ids) and the Slack and Microsoft Teams
channels will live here, each passing user text through one scrubber before Rasa sees it.
"""
