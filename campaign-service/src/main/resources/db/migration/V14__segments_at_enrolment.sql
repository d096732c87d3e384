-- The segments a member was in when enrolled: next-targets compares arms within them. The member's
-- segments now are an outcome of the treatment itself (a call can move a member out of churn-edge),
-- and splitting arms by a post-treatment variable biases the uplift. NULL for enrolments made before
-- this column: those fall back to the segments now.
ALTER TABLE campaign_member ADD COLUMN segments_at_enrolment TEXT[];
