-- 0001_core: the core tables of Socle.
-- On SQLite, dates are TEXT 'YYYY-MM-DD', timestamps TEXT written by the
-- driver, JSON sections and lists TEXT. On PostgreSQL, columns searched by
-- prefix use COLLATE "C" so that a range on bytes uses the index. Optional
-- references are NULL, never ''.

CREATE TABLE regions (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL
);

CREATE TABLE departements (
	code        TEXT PRIMARY KEY,
	region_code TEXT NOT NULL,
	name        TEXT NOT NULL
);

CREATE TABLE communes (
	code             TEXT PRIMARY KEY,
	name             TEXT NOT NULL,
	departement_code TEXT NOT NULL,
	region_code      TEXT NOT NULL,
	postal_codes     {json} NOT NULL DEFAULT '[]',
	population       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX communes_departement_population ON communes (departement_code, population DESC);
CREATE INDEX communes_population ON communes (population DESC);

CREATE TABLE organisations (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	name       TEXT NOT NULL,
	siret      TEXT NOT NULL DEFAULT '',
	parent_id  TEXT REFERENCES organisations (id) DEFERRABLE INITIALLY DEFERRED,
	created_at {timestamp} NOT NULL
);
CREATE INDEX organisations_kind ON organisations (kind);

-- The territory of an organisation, one row per département, in the order given.
CREATE TABLE organisation_departements (
	organisation_id  TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	departement_code TEXT NOT NULL,
	position         INTEGER NOT NULL,
	PRIMARY KEY (organisation_id, departement_code)
);
CREATE INDEX organisation_departements_departement ON organisation_departements (departement_code);

CREATE TABLE agents (
	id              TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	email           TEXT NOT NULL,
	email_key       TEXT NOT NULL, -- lowercased, for unique and case-insensitive lookup
	given_name      TEXT NOT NULL,
	family_name     TEXT NOT NULL,
	roles           {json} NOT NULL DEFAULT '[]',
	disabled        BOOLEAN NOT NULL DEFAULT {false},
	created_at      {timestamp} NOT NULL
);
CREATE UNIQUE INDEX agents_email_key ON agents (email_key);
CREATE INDEX agents_organisation ON agents (organisation_id);

CREATE TABLE persons (
	id          TEXT PRIMARY KEY,
	nir         TEXT,
	given_name  TEXT NOT NULL,
	family_name TEXT NOT NULL,
	birth_name  TEXT NOT NULL DEFAULT '',
	birth_date  {date} NOT NULL,
	sex         TEXT NOT NULL,
	family_norm TEXT{c_collation} NOT NULL, -- lowercased, without accents: prefix search
	given_norm  TEXT{c_collation} NOT NULL,
	commune_code TEXT,
	departement  TEXT,
	contact     {json},
	parcours    {json},
	skills      {json},
	health      {json},
	justice     {json},
	bank        {json},
	created_at  {timestamp} NOT NULL,
	updated_at  {timestamp} NOT NULL
);
CREATE INDEX persons_family_birth ON persons (family_norm, birth_date);
CREATE INDEX persons_nir ON persons (nir);
CREATE INDEX persons_commune ON persons (commune_code);

CREATE TABLE followups (
	id              TEXT PRIMARY KEY,
	person_id       TEXT NOT NULL REFERENCES persons (id),
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	agent_id        TEXT REFERENCES agents (id),
	start_date      {date} NOT NULL,
	end_date        {date}
);
CREATE INDEX followups_person ON followups (person_id);
CREATE INDEX followups_organisation_end ON followups (organisation_id, end_date, person_id);

CREATE TABLE companies (
	id           TEXT PRIMARY KEY,
	siret        TEXT NOT NULL,
	name         TEXT NOT NULL,
	naf          TEXT NOT NULL DEFAULT '',
	size         TEXT NOT NULL DEFAULT '',
	address      TEXT NOT NULL DEFAULT '',
	postal_code  TEXT NOT NULL,
	commune_code TEXT{c_collation} NOT NULL,
	created_at   {timestamp} NOT NULL
);
CREATE UNIQUE INDEX companies_siret_key ON companies (siret);
CREATE INDEX companies_commune ON companies (commune_code);

CREATE TABLE company_contacts (
	id                TEXT PRIMARY KEY,
	company_id        TEXT NOT NULL REFERENCES companies (id),
	given_name        TEXT NOT NULL,
	family_name       TEXT NOT NULL,
	role              TEXT NOT NULL DEFAULT '',
	email             TEXT NOT NULL DEFAULT '',
	phone             TEXT NOT NULL DEFAULT '',
	consent           BOOLEAN NOT NULL DEFAULT {false},
	preferred_channel TEXT NOT NULL
);
CREATE INDEX company_contacts_company ON company_contacts (company_id);

CREATE TABLE offers (
	id              TEXT PRIMARY KEY,
	company_id      TEXT NOT NULL REFERENCES companies (id),
	organisation_id TEXT REFERENCES organisations (id),
	rome_code       TEXT NOT NULL,
	title           TEXT NOT NULL,
	commune_code    TEXT NOT NULL,
	departement     TEXT NOT NULL,
	contract        TEXT NOT NULL,
	hours_per_week  INTEGER NOT NULL,
	salary_min      INTEGER NOT NULL DEFAULT 0,
	salary_max      INTEGER NOT NULL DEFAULT 0,
	skills          {json} NOT NULL DEFAULT '[]',
	start_date      {date},
	open            BOOLEAN NOT NULL,
	created_at      {timestamp} NOT NULL
);
CREATE INDEX offers_rome ON offers (rome_code);
CREATE INDEX offers_company ON offers (company_id);
CREATE INDEX offers_departement ON offers (departement);
