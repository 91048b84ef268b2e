-- 0008_register: the register of purposes and agreements with its history,
-- break-the-glass grants, and the index of territory searches.
CREATE TABLE policy_registers (
	version    INTEGER PRIMARY KEY,
	register   TEXT NOT NULL, -- the whole register as JSON
	author     TEXT NOT NULL, -- agent id, "" for the default of the first start
	reason     TEXT NOT NULL,
	created_at {timestamp} NOT NULL
);

-- A break-the-glass access grants the person to the agent for a while, and
-- stays listed for the privacy officers until reviewed.
CREATE TABLE break_glass_grants (
	id              TEXT PRIMARY KEY,
	agent_id        TEXT NOT NULL,
	organisation_id TEXT NOT NULL,
	person_id       TEXT NOT NULL,
	purpose         TEXT NOT NULL,
	justification   TEXT NOT NULL,
	created_at      {timestamp} NOT NULL,
	expires_at      {timestamp} NOT NULL,
	reviewed        {flag} NOT NULL DEFAULT {false},
	reviewed_by     TEXT NOT NULL DEFAULT '',
	reviewed_at     {timestamp}
);
CREATE INDEX break_glass_grants_agent_person ON break_glass_grants (agent_id, person_id, expires_at);
CREATE INDEX break_glass_grants_reviewed ON break_glass_grants (reviewed, created_at);

CREATE INDEX persons_departement_family ON persons (departement, family_norm);
