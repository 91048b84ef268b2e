-- 0060_key_fingerprints: the fingerprint of each platform key (audit signer,
-- master key, person-reference key…) recorded when the store first meets
-- it, so that a server started with keys that do not belong to this data
-- refuses to start instead of sealing, signing or pseudonymising with the
-- wrong ones. A fingerprint is a SHA-256 of the key under a fixed label:
-- it names a key without revealing it.
CREATE TABLE key_fingerprints (
	name        TEXT PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	recorded_at TEXT NOT NULL
);
