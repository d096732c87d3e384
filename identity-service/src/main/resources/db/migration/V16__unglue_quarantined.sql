-- A value quarantined after it linked (a walk-in phone found to be a placeholder only once it had glued guests into
-- one member): the writer splits that member after the batch's commit and sets unglued_at in the split's transaction,
-- so a value left unset (a crash in between) is split when the writer next looks. A value quarantined before it linked
-- anyone (a blocked one) is inserted with it set. Values quarantined before this migration are left as they were: an
-- analyst may have split their members by hand already.
ALTER TABLE quarantined_identifier ADD COLUMN unglued_at TIMESTAMPTZ;
UPDATE quarantined_identifier SET unglued_at = quarantined_at;
CREATE INDEX quarantined_identifier_to_unglue ON quarantined_identifier (type, value) WHERE unglued_at IS NULL;
