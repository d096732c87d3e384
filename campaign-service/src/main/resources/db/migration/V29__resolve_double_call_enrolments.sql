-- Members enrolled in two call campaigns whose windows overlap, left from before V24 (the first-come rule): a call
-- counts for one campaign, so each such pair contaminates both holdout comparisons. Resolved as the rule would have
-- enrolled them (CampaignRepository.enrol and CallArms, windows as they are now): of a member's enrolments in
-- overlapping call campaigns, the first (earliest enrolled_at, then the smaller campaign id) is kept, and each later
-- one whose campaign overlaps a kept one is dropped and recorded as excluded for overlap (campaign_overlap_exclusion,
-- enrolled_in = that kept campaign, so the results' excludedForOverlap counts it) - the member is then in neither of
-- its arms, as a member the rule left out is. An enrolment on which an outcome hangs (a call counted for that campaign,
-- call_task.campaign_id, with a task_outcome recorded) is never dropped: it is kept first, before the first-come order,
-- so the other one is dropped even where it came first; where both carry outcomes, both stay (dropping either would
-- leave a call in a campaign's cost with its member in neither arm). Campaigns of other channels are not touched.
CREATE TEMPORARY TABLE v29_enrolment ON COMMIT DROP AS
SELECT cm.campaign_id, cm.member_id, cm.enrolled_at, c.start_at, c.end_at,
       EXISTS (SELECT 1 FROM call_task t JOIN task_outcome o ON o.task_id = t.id
               WHERE t.campaign_id = cm.campaign_id AND t.member_id = cm.member_id) AS has_outcome
FROM campaign_member cm
JOIN campaign c ON c.id = cm.campaign_id AND c.channel = 'call'
WHERE EXISTS (SELECT 1 FROM campaign_member other
              JOIN campaign oc ON oc.id = other.campaign_id AND oc.channel = 'call'
              WHERE other.member_id = cm.member_id AND other.campaign_id <> cm.campaign_id
                AND oc.start_at < c.end_at AND c.start_at < oc.end_at);

CREATE TEMPORARY TABLE v29_kept (LIKE v29_enrolment) ON COMMIT DROP;

DO $$
DECLARE
    e RECORD;
    keeper TEXT;
BEGIN
    FOR e IN SELECT * FROM v29_enrolment ORDER BY has_outcome DESC, enrolled_at, campaign_id LOOP
        keeper := NULL;
        IF NOT e.has_outcome THEN
            SELECT k.campaign_id INTO keeper FROM v29_kept k
            WHERE k.member_id = e.member_id AND k.start_at < e.end_at AND e.start_at < k.end_at
            ORDER BY k.enrolled_at, k.campaign_id LIMIT 1;
        END IF;
        IF keeper IS NULL THEN
            INSERT INTO v29_kept VALUES (e.campaign_id, e.member_id, e.enrolled_at, e.start_at, e.end_at, e.has_outcome);
        ELSE
            DELETE FROM campaign_member WHERE campaign_id = e.campaign_id AND member_id = e.member_id;
            -- An open call counting for it counts for nothing, as CallTaskRepository.releaseFrom leaves one: the next
            -- replan gives it to the kept campaign (treated there) or cancels it (held out there).
            UPDATE call_task SET campaign_id = NULL
            WHERE status = 'OPEN' AND campaign_id = e.campaign_id AND member_id = e.member_id;
            INSERT INTO campaign_overlap_exclusion (campaign_id, member_id, enrolled_in, excluded_at)
            VALUES (e.campaign_id, e.member_id, keeper, now()) ON CONFLICT DO NOTHING;
        END IF;
    END LOOP;
END
$$;
