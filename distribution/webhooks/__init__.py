"""Webhooks: signed JSON POSTs to subscribed addresses when assets change.

    events.py     which audit verbs are events, what a delivery carries, writing deliveries (the receiver)
    delivery.py   signing, sending one delivery, retries with backoff (the jobs' services)
    services.py   subscriptions: create, edit, delete; send again; test event
    selectors.py  the subscriptions and delivery logs admins read

The audit trail is the source: every service writes one AuditEvent, and a post_save receiver
(connected in DistributionConfig.ready) turns the verbs listed in events.VERB_EVENTS into deliveries,
written in the action's own transaction and sent by jobs queued once it commits (docs/webhooks.md).
"""
