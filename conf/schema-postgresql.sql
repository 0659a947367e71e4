-- The user directory of mod_webcast_saml in PostgreSQL (WebcastSAMLDirectory
-- dbd with DBDriver pgsql).  Load it with
--     psql -d webcast -f schema-postgresql.sql
-- as the owner of the database; httpd's role needs SELECT, INSERT and
-- UPDATE on webcast_accounts and USAGE on its id sequence.
CREATE TABLE IF NOT EXISTS webcast_accounts (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'attendee',
    license TEXT,
    display_name TEXT,
    fields TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    last_login TEXT
);
-- One account per email and role, emails compared in lower case after
-- trimming: of two concurrent first logins, one creates the account.
CREATE UNIQUE INDEX IF NOT EXISTS webcast_accounts_email_role
    ON webcast_accounts ((lower(trim(email))), role);
