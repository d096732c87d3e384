-- Members who opted out on a call are never called again: looked up by member.
CREATE INDEX task_outcome_opted_out ON task_outcome (member_id) WHERE result = 'OPTED_OUT';
