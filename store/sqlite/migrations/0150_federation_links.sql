-- 0150_federation_links: the subject of an identity federation (ProConnect
-- for agents, FranceConnect for persons) reconciled with an agent or a
-- person at the first sign-in; later sign-ins match on the subject.
CREATE TABLE federation_links (
	issuer     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	agent_id   TEXT REFERENCES agents (id) ON DELETE CASCADE,
	person_id  TEXT REFERENCES persons (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	PRIMARY KEY (issuer, subject),
	CHECK ((agent_id IS NULL) <> (person_id IS NULL))
);
