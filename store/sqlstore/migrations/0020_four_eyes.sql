-- 0020_four_eyes: what makes a second pair of eyes a second person. Where
-- an agent's account comes from (who created it, from which address and
-- browser it was activated) and when she first signed in with her own
-- second factor; who asked each recovery and from where; and the
-- administrative changes (roles, register) waiting for a second
-- administrator's approval.

CREATE TABLE agent_origins (
	agent_id        TEXT PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
	created_by      TEXT NOT NULL DEFAULT '', -- the administrator who created the account
	created_from    TEXT NOT NULL DEFAULT '',
	enrolled_from   TEXT NOT NULL DEFAULT '', -- address of the activation
	enrolled_ua     TEXT NOT NULL DEFAULT '',
	enrolled_beside TEXT NOT NULL DEFAULT '', -- an agent signed in on the activating browser
	first_factor_us {bigint} NOT NULL DEFAULT 0   -- first sign-in with her own second factor (Unix µs), 0 if none
);

ALTER TABLE recovery_requests ADD COLUMN requested_by TEXT NOT NULL DEFAULT '';
ALTER TABLE recovery_requests ADD COLUMN requested_from TEXT NOT NULL DEFAULT '';

CREATE TABLE admin_changes (
	id              TEXT PRIMARY KEY,
	kind            TEXT NOT NULL,
	organisation_id TEXT NOT NULL DEFAULT '',
	subject         TEXT NOT NULL DEFAULT '',
	base            {bigint} NOT NULL DEFAULT 0,
	payload         TEXT NOT NULL,
	summary         TEXT NOT NULL,
	reason          TEXT NOT NULL DEFAULT '',
	requested_by    TEXT NOT NULL,
	requested_from  TEXT NOT NULL DEFAULT '',
	requested_at    {timestamp} NOT NULL,
	status          TEXT NOT NULL,
	decided_by      TEXT NOT NULL DEFAULT '',
	decided_at      {timestamp}
);
CREATE INDEX admin_changes_pending ON admin_changes (kind, organisation_id, status);
