-- The cool-down looks up members' recent calls in any store, not a store's: by member.
CREATE INDEX call_task_member_done ON call_task (member_id, closed_at) WHERE status = 'DONE';
