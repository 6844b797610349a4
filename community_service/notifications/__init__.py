"""Notifications: people hear about what concerns them, in the app and by mail (issue 38).

The machinery lives here, beside the outbox, and knows no app:

- `consumer.py` — the in-process outbox subscriber "notifications" (outbox/subscribers.py):
  each committed domain event goes through the rules registered for its type, once, in
  order per community, whether or not the event broker is up.
- `registry.py` — what the apps register from their AppConfig.ready(): notice types
  (default delivery, urgent or digest, which levels they reach) and rules (event → Notice,
  with the app's `readable` question to members/policy.py).
- `services.py` — `notice_deliver`: drops the actor, levels that do not take the notice
  (watching / tracking / normal / muted, per community and channel), people who may not
  read the object now, and types turned off; bulk-inserts (unique per event, recipient and
  type: an event handled twice notifies once); folds likes into one notice per object.
- `selectors.py`, `views.py` — the inbox API (/notifications…), the cached unread count.
- `mail.py` — immediate mail for urgent types, the daily digest, RFC 8058 unsubscribe.
- `tasks.py` — fan-out to big audiences in batches, mail.

The rules themselves belong to the apps: content (mention, reply, reaction, watched_post),
events (registration, waitlist, changes, cancellation, reminders), members (moderation),
billing (subscriptions, payments, donations). See docs/notifications.md.
"""
