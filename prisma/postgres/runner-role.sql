-- The PostgreSQL role of corebench runners (README, "Team mode"): exactly what `corebench runner`
-- queries, nothing more. No DDL (migrations are the API's), no API tokens, no job submission or
-- deletion, no change to a job's spec. Derived from what the runner process runs:
-- src/runner.ts, src/store/pg-migrate.ts (pendingPostgresMigrations), src/store/prisma/{hosts,jobs,runs}.ts
-- and src/jobs/pg-bus.ts. test/team/runner-role.test.ts runs a real runner as this role.
--
-- Run it as the owner of corebench's tables (the role the API migrates with), on corebench's
-- database, once the API has applied its migrations, and again after an upgrade (it is idempotent
-- and starts from no grants, so it always leaves exactly the list below):
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f prisma/postgres/runner-role.sql
-- Then one login per runner host (as a role with CREATEROLE):
--   CREATE ROLE runner_epyc LOGIN PASSWORD '…' IN ROLE corebench_runner;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'corebench_runner') THEN
    CREATE ROLE corebench_runner NOLOGIN;
  END IF;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM corebench_runner;
GRANT USAGE ON SCHEMA public TO corebench_runner;

-- Start-up: refuses a database that lacks a migration (it checks, it never applies).
GRANT SELECT ON "_corebench_migrations" TO corebench_runner;
-- Its host fingerprint (upsert) and its machine claim, renewed by its heartbeat, released at stop.
GRANT SELECT, INSERT, UPDATE ON "Host", "RunnerClaim" TO corebench_runner;
-- The queue: claim (queued → running), lease heartbeat, cancel requests, progress, the job's event
-- counter, the versions it runs with, its end, and the recovery of jobs whose runner's lease expired
-- (interrupted or re-queued). A new column the runner writes needs its line here (the test fails).
GRANT SELECT ON "Job" TO corebench_runner;
GRANT UPDATE ("status", "eventSeq", "hostId", "runnerId", "startedAt", "heartbeatAt", "finishedAt",
  "cancelRequestedAt", "attempt", "tasksDone", "warnings", "summary", "error", "versions", "runnerName") ON "Job" TO corebench_runner;
-- Its runs and their per-task timings; read back for the job's summary.
GRANT SELECT, INSERT ON "Run", "TaskTiming", "TaskTimingPart" TO corebench_runner;
-- Job events too large for a NOTIFY payload (LISTEN and pg_notify themselves need no grant).
GRANT SELECT, INSERT, UPDATE, DELETE ON "_corebench_event_spill" TO corebench_runner;
-- Nothing on "ApiToken", "JobTag" or "Baseline".

-- Deliveries (pg-boss, schema pgboss, created by the API instances when they start: run this file
-- after one has). A runner fetches, heartbeats (touch), completes and fails its deliveries; a failed
-- one is written into the dead-letter queue. pg-boss's SQL spans its job tables and functions, so the
-- grant is every table and function of its schema for row reads and writes, never DELETE or DDL.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'pgboss') THEN
    RAISE EXCEPTION 'schema pgboss does not exist yet: start an API instance on this database once (it creates it), then run this file again';
  END IF;
  EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA pgboss FROM corebench_runner';
  EXECUTE 'GRANT USAGE ON SCHEMA pgboss TO corebench_runner';
  EXECUTE 'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA pgboss TO corebench_runner';
  EXECUTE 'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgboss TO corebench_runner';
END
$$;

-- No DDL: PUBLIC may create in schema public on PostgreSQL 14 and older (and on databases upgraded
-- from them). The role would inherit that, so this refuses to finish instead of looking done.
DO $$
BEGIN
  IF has_schema_privilege('corebench_runner', 'public', 'CREATE') THEN
    RAISE EXCEPTION 'corebench_runner may create tables in schema public (granted to PUBLIC): run REVOKE CREATE ON SCHEMA public FROM PUBLIC as the schema''s owner, then this file again';
  END IF;
  IF has_database_privilege('corebench_runner', current_database(), 'CREATE') THEN
    RAISE EXCEPTION 'corebench_runner may create schemas in database %: revoke CREATE on it from PUBLIC', current_database();
  END IF;
END
$$;
