-- 0290_followup_assigned_by: the agent who named the référent of a
-- follow-up by changing the previous one, shown in the history of
-- référents ("changé par"); empty for a follow-up that began otherwise.
ALTER TABLE followups ADD COLUMN assigned_by_agent_id TEXT NOT NULL DEFAULT '';
