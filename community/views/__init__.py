"""The community's shared pages: the activity feed and status updates (feed.py), likes and
flags (reactions.py), member profiles and following (members.py), interest groups
(groups.py) and the moderators' screens (moderation.py). Views parse input, call a service
and render; a refused action shows the service's message."""
