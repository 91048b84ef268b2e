-- 0001_core: the core tables of Socle (PostgreSQL).
-- Columns searched by prefix use COLLATE "C" so that a range on bytes uses
-- the index. Optional references are NULL, never ''.

CREATE TABLE regions (
	code text PRIMARY KEY,
	name text NOT NULL
);

CREATE TABLE departements (
	code        text PRIMARY KEY,
	region_code text NOT NULL,
	name        text NOT NULL
);

CREATE TABLE communes (
	code             text PRIMARY KEY,
	name             text NOT NULL,
	departement_code text NOT NULL,
	region_code      text NOT NULL,
	postal_codes     jsonb NOT NULL DEFAULT '[]',
	population       integer NOT NULL DEFAULT 0
);
CREATE INDEX communes_departement_population ON communes (departement_code, population DESC);
CREATE INDEX communes_population ON communes (population DESC);

CREATE TABLE organisations (
	id         text PRIMARY KEY,
	kind       text NOT NULL,
	name       text NOT NULL,
	siret      text NOT NULL DEFAULT '',
	parent_id  text REFERENCES organisations (id) DEFERRABLE INITIALLY DEFERRED,
	created_at timestamptz NOT NULL
);
CREATE INDEX organisations_kind ON organisations (kind);

-- The territory of an organisation, one row per département, in the order given.
CREATE TABLE organisation_departements (
	organisation_id  text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	departement_code text NOT NULL,
	position         integer NOT NULL,
	PRIMARY KEY (organisation_id, departement_code)
);
CREATE INDEX organisation_departements_departement ON organisation_departements (departement_code);

CREATE TABLE agents (
	id              text PRIMARY KEY,
	organisation_id text NOT NULL REFERENCES organisations (id),
	email           text NOT NULL,
	email_key       text NOT NULL, -- lowercased, for unique and case-insensitive lookup
	given_name      text NOT NULL,
	family_name     text NOT NULL,
	roles           jsonb NOT NULL DEFAULT '[]',
	disabled        boolean NOT NULL DEFAULT false,
	created_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX agents_email_key ON agents (email_key);
CREATE INDEX agents_organisation ON agents (organisation_id);

CREATE TABLE persons (
	id           text PRIMARY KEY,
	nir          text,
	given_name   text NOT NULL,
	family_name  text NOT NULL,
	birth_name   text NOT NULL DEFAULT '',
	birth_date   date NOT NULL,
	sex          text NOT NULL,
	family_norm  text COLLATE "C" NOT NULL, -- lowercased, without accents: prefix search
	given_norm   text COLLATE "C" NOT NULL,
	commune_code text,
	departement  text,
	contact      jsonb,
	parcours     jsonb,
	skills       jsonb,
	health       jsonb,
	justice      jsonb,
	bank         jsonb,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL
);
CREATE INDEX persons_family_birth ON persons (family_norm, birth_date);
CREATE INDEX persons_nir ON persons (nir);
CREATE INDEX persons_commune ON persons (commune_code);

CREATE TABLE followups (
	id              text PRIMARY KEY,
	person_id       text NOT NULL REFERENCES persons (id),
	organisation_id text NOT NULL REFERENCES organisations (id),
	agent_id        text REFERENCES agents (id),
	start_date      date NOT NULL,
	end_date        date
);
CREATE INDEX followups_person ON followups (person_id);
CREATE INDEX followups_organisation_end ON followups (organisation_id, end_date, person_id);

CREATE TABLE companies (
	id           text PRIMARY KEY,
	siret        text NOT NULL,
	name         text NOT NULL,
	naf          text NOT NULL DEFAULT '',
	size         text NOT NULL DEFAULT '',
	address      text NOT NULL DEFAULT '',
	postal_code  text NOT NULL,
	commune_code text COLLATE "C" NOT NULL,
	created_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX companies_siret_key ON companies (siret);
CREATE INDEX companies_commune ON companies (commune_code);

CREATE TABLE company_contacts (
	id                text PRIMARY KEY,
	company_id        text NOT NULL REFERENCES companies (id),
	given_name        text NOT NULL,
	family_name       text NOT NULL,
	role              text NOT NULL DEFAULT '',
	email             text NOT NULL DEFAULT '',
	phone             text NOT NULL DEFAULT '',
	consent           boolean NOT NULL DEFAULT false,
	preferred_channel text NOT NULL
);
CREATE INDEX company_contacts_company ON company_contacts (company_id);

CREATE TABLE offers (
	id              text PRIMARY KEY,
	company_id      text NOT NULL REFERENCES companies (id),
	organisation_id text REFERENCES organisations (id),
	rome_code       text NOT NULL,
	title           text NOT NULL,
	commune_code    text NOT NULL,
	departement     text NOT NULL,
	contract        text NOT NULL,
	hours_per_week  integer NOT NULL,
	salary_min      integer NOT NULL DEFAULT 0,
	salary_max      integer NOT NULL DEFAULT 0,
	skills          jsonb NOT NULL DEFAULT '[]',
	start_date      date,
	open            boolean NOT NULL,
	created_at      timestamptz NOT NULL
);
CREATE INDEX offers_rome ON offers (rome_code);
CREATE INDEX offers_company ON offers (company_id);
CREATE INDEX offers_departement ON offers (departement);
