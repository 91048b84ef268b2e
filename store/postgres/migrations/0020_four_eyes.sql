-- 0020_four_eyes: what makes a second pair of eyes a second person. Where
-- an agent's account comes from (who created it, from which address and
-- browser it was activated) and when she first signed in with her own
-- second factor; who asked each recovery and from where; and the
-- administrative changes (roles, register) waiting for a second
-- administrator's approval.

CREATE TABLE agent_origins (
	agent_id        text PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
	created_by      text NOT NULL DEFAULT '', -- the administrator who created the account
	created_from    text NOT NULL DEFAULT '',
	enrolled_from   text NOT NULL DEFAULT '', -- address of the activation
	enrolled_ua     text NOT NULL DEFAULT '',
	enrolled_beside text NOT NULL DEFAULT '', -- an agent signed in on the activating browser
	first_factor_us bigint NOT NULL DEFAULT 0   -- first sign-in with her own second factor (Unix µs), 0 if none
);

ALTER TABLE recovery_requests ADD COLUMN requested_by text NOT NULL DEFAULT '';
ALTER TABLE recovery_requests ADD COLUMN requested_from text NOT NULL DEFAULT '';

CREATE TABLE admin_changes (
	id              text PRIMARY KEY,
	kind            text NOT NULL,
	organisation_id text NOT NULL DEFAULT '',
	subject         text NOT NULL DEFAULT '',
	base            bigint NOT NULL DEFAULT 0,
	payload         text NOT NULL,
	summary         text NOT NULL,
	reason          text NOT NULL DEFAULT '',
	requested_by    text NOT NULL,
	requested_from  text NOT NULL DEFAULT '',
	requested_at    timestamptz NOT NULL,
	status          text NOT NULL,
	decided_by      text NOT NULL DEFAULT '',
	decided_at      timestamptz
);
CREATE INDEX admin_changes_pending ON admin_changes (kind, organisation_id, status);
