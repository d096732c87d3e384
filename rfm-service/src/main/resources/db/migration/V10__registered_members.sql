-- Members who registered and never bought have a row too (stage new, then at risk and dormant by the
-- days since registering): the registration instant is part of their RFM.
ALTER TABLE member_rfm ADD COLUMN registered_at TIMESTAMPTZ;
