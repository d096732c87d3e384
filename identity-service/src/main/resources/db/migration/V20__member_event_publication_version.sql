-- MemberEvent.publication_version: taken in the transaction that writes an import's batch (its outbox row) and by the
-- relay right before it republishes one, both on the write thread, so a publication reading an event's state later
-- carries a greater version. Consumers ignore an event's publication older than the one they applied.
CREATE SEQUENCE member_event_publication_version;
