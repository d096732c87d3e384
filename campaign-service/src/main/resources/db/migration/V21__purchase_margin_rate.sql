-- The gross margin rate a purchase line's member.events carried (margin_rate, 0..1), for the campaign's gain and ROI,
-- which are on margin. Nullable: lines recorded before this column, and by the release before during a rolling
-- upgrade (which names only the columns it knew), have none and are priced at memberpulse.campaign.default-margin-rate
-- (a refund at its order's rate), as lines whose channel sends no margin are.
ALTER TABLE member_purchase ADD COLUMN margin_rate DOUBLE PRECISION;
