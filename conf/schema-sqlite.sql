-- The user directory of mod_webcast_saml in SQLite (WebcastSAMLDirectory
-- sqlite3:FILE).  Load it with
--     sqlite3 /var/lib/webcast/accounts.db < schema-sqlite.sql
-- or let the module create it (WebcastSAMLDirectory sqlite3:FILE
-- schema=create).  The same statements as src/wcs_dbd.c makes.
CREATE TABLE IF NOT EXISTS webcast_accounts (
    id INTEGER PRIMARY KEY,
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
