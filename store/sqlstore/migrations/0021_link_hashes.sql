-- 0021_link_hashes: one-time links (activation, recovery, the person's and
-- the employer's sign-in) are now stored as keyed hashes, an HMAC under the
-- platform link key. The links stored before as a plain SHA-256 can no
-- longer match: they are removed (a new link is asked as for an expired
-- one). Stored notifications lose the links they held.
DELETE FROM identity_tokens;
DELETE FROM person_links;
DELETE FROM employer_tokens;
UPDATE notifications SET body = CASE
	WHEN {strpos}(body, 'http') > 0 THEN substr(body, 1, {strpos}(body, 'http') - 1) || '[lien envoyé par courriel ; il n''est pas conservé ici]'
	ELSE '[lien envoyé par courriel ; il n''est pas conservé ici]'
END
WHERE body LIKE '%jeton=%';
