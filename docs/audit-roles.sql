-- The audit trail is insert-only for the service: grants for its login role on PostgreSQL.
--
-- Two roles: an owner that owns the schema and runs the migrations (`labelsvc db upgrade`
-- with the owner's LABELSVC_DATABASE_URL), and the service's login role, which is not the
-- owner, so it can neither drop nor disable the audit triggers. Run this file as the owner
-- after every upgrade (new tables need their grants), for example:
--
--   psql "postgresql://labelsvc_owner@db/labelsvc" -v service=labelsvc_service \
--        -v schema=public -f docs/audit-roles.sql
--
-- The service may read and write every table, except: `audit` it may only read and append
-- to (no UPDATE, DELETE or TRUNCATE), and the chain's head `audit_chain` it may only read
-- and move forward (no INSERT, DELETE or TRUNCATE; its trigger refuses any other UPDATE).
GRANT USAGE ON SCHEMA :"schema" TO :"service";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :"schema" TO :"service";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA :"schema" TO :"service";
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON :"schema".audit FROM :"service";
REVOKE INSERT, DELETE, TRUNCATE, REFERENCES, TRIGGER ON :"schema".audit_chain FROM :"service";
