-- 0013_followup_names: the normalised names of the followed person copied
-- onto each follow-up, so that an adviser's search among the persons her
-- organisation follows is one range scan of (organisation, name) instead
-- of a join over the whole population. The store keeps them in step when a
-- person's identity changes.
ALTER TABLE followups ADD COLUMN family_norm TEXT NOT NULL DEFAULT '';
ALTER TABLE followups ADD COLUMN given_norm TEXT NOT NULL DEFAULT '';
UPDATE followups SET
	family_norm = (SELECT p.family_norm FROM persons p WHERE p.id = followups.person_id),
	given_norm = (SELECT p.given_norm FROM persons p WHERE p.id = followups.person_id);
CREATE INDEX followups_organisation_name ON followups (organisation_id, family_norm, given_norm);
