"""Custom actions of the Wegwijzer assistant (a rasa-sdk action package).

The actions hold no answer text: they look up the route for the recognised intent in
knowledge/routes.yml and compose the reply from the topics, referrals, organisation
settings and phrases in knowledge/.
"""

from channels import logguard

logguard.enforce()  # the action server logs whole conversations at DEBUG
