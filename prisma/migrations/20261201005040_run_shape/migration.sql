-- One run shape (issue 18; its PostgreSQL twin is prisma/postgres/migrations/20261201005040_run_shape):
-- a run says which fork of its cell it belongs to (`fork`) and whether it is a failed warm-up
-- (`warmup`) instead of a negative `repetition`; its error is `errorCode` + `errorMessage` instead of
-- one "CODE: message" string; `parallelism` (average busy cores, task CPU / wall) is called
-- `busyCores`, in the runs and in the stored job summaries alike.
--
-- Legacy rows:
-- - A recorded run's repetition was its fork. A failed warm-up (repetition < 0) never said its fork;
--   a failed warm-up breaks its cell, so it was the last run of the cell in its attempt, and forks run
--   in order: its fork is the number of distinct forks recorded for the cell (same job, attempt,
--   runtime, executor, workers) before it started. Exact, except for a warm-up that failed in a redo
--   of a disturbed fork (issue 16), which gets the next fork's number.
-- - "CODE: message" is split at the first ": " where it starts with COREBENCH_ERR_; any other error
--   text of a failed run becomes COREBENCH_ERR_INTERNAL with the whole text as its message.
-- The table is rebuilt (as Prisma does for SQLite) so that `fork` needs no default.

PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "runtime" TEXT NOT NULL DEFAULT 'node',
    "executor" TEXT NOT NULL,
    "workers" INTEGER NOT NULL,
    "fork" INTEGER NOT NULL,
    "warmup" BOOLEAN NOT NULL DEFAULT false,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "ok" BOOLEAN NOT NULL,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "tasks" INTEGER NOT NULL,
    "wallMs" REAL NOT NULL,
    "startupMs" REAL NOT NULL,
    "coldWallMs" REAL NOT NULL,
    "cpuUserMs" REAL NOT NULL,
    "cpuSystemMs" REAL NOT NULL,
    "taskCpuMs" REAL,
    "coordinatorCpuMs" REAL,
    "busyCores" REAL NOT NULL,
    "peakRssBytes" REAL NOT NULL,
    "loopDelayP50Ms" REAL NOT NULL,
    "loopDelayP99Ms" REAL NOT NULL,
    "loopDelayMaxMs" REAL NOT NULL,
    "bytesToWorkers" REAL NOT NULL,
    "bytesFromWorkers" REAL NOT NULL,
    "serialization" TEXT,
    "checksum" TEXT,
    "verified" BOOLEAN,
    "extra" TEXT,
    "foreignCpu" REAL,
    "steal" REAL,
    "involuntarySwitches" INTEGER,
    "canaryBeforeMs" REAL,
    "canaryAfterMs" REAL,
    "canaryDrift" REAL,
    "disturbed" BOOLEAN NOT NULL DEFAULT false,
    "disturbedBy" TEXT,
    "redo" INTEGER NOT NULL DEFAULT 0,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME NOT NULL,
    CONSTRAINT "Run_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Run" (
    "id", "jobId", "runtime", "executor", "workers", "fork", "warmup", "attempt", "ok", "errorCode", "errorMessage", "tasks",
    "wallMs", "startupMs", "coldWallMs", "cpuUserMs", "cpuSystemMs", "taskCpuMs", "coordinatorCpuMs", "busyCores", "peakRssBytes",
    "loopDelayP50Ms", "loopDelayP99Ms", "loopDelayMaxMs", "bytesToWorkers", "bytesFromWorkers", "serialization", "checksum", "verified",
    "extra", "foreignCpu", "steal", "involuntarySwitches", "canaryBeforeMs", "canaryAfterMs", "canaryDrift", "disturbed", "disturbedBy",
    "redo", "startedAt", "finishedAt"
)
SELECT
    r."id", r."jobId", r."runtime", r."executor", r."workers",
    CASE WHEN r."repetition" >= 0 THEN r."repetition" ELSE (
        SELECT COUNT(DISTINCT p."repetition") FROM "Run" AS p
        WHERE p."jobId" = r."jobId" AND p."attempt" = r."attempt" AND p."runtime" = r."runtime" AND p."executor" = r."executor"
          AND p."workers" = r."workers" AND p."repetition" >= 0 AND p."startedAt" < r."startedAt"
    ) END,
    r."repetition" < 0, r."attempt", r."ok",
    CASE WHEN r."error" IS NULL AND r."ok" THEN NULL
         WHEN r."error" LIKE 'COREBENCH\_ERR\_%: %' ESCAPE '\' THEN substr(r."error", 1, instr(r."error", ': ') - 1)
         ELSE 'COREBENCH_ERR_INTERNAL' END,
    CASE WHEN r."error" IS NULL AND r."ok" THEN NULL
         WHEN r."error" LIKE 'COREBENCH\_ERR\_%: %' ESCAPE '\' THEN substr(r."error", instr(r."error", ': ') + 2)
         ELSE coalesce(r."error", '') END,
    r."tasks", r."wallMs", r."startupMs", r."coldWallMs", r."cpuUserMs", r."cpuSystemMs", r."taskCpuMs", r."coordinatorCpuMs", r."parallelism",
    r."peakRssBytes", r."loopDelayP50Ms", r."loopDelayP99Ms", r."loopDelayMaxMs", r."bytesToWorkers", r."bytesFromWorkers", r."serialization",
    r."checksum", r."verified", r."extra", r."foreignCpu", r."steal", r."involuntarySwitches", r."canaryBeforeMs", r."canaryAfterMs",
    r."canaryDrift", r."disturbed", r."disturbedBy", r."redo", r."startedAt", r."finishedAt"
FROM "Run" AS r;
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
CREATE INDEX "Run_jobId_runtime_executor_workers_idx" ON "Run"("jobId", "runtime", "executor", "workers");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Stored job summaries: each cell's `parallelism` becomes `busyCores` (value kept, null included).
UPDATE "Job" SET "summary" = json_set("summary", '$.cells', (
  SELECT json_group_array(CASE WHEN c.type = 'object' AND json_type(c.value, '$.parallelism') IS NOT NULL
    THEN json_remove(json_set(c.value, '$.busyCores', json_extract(c.value, '$.parallelism')), '$.parallelism')
    ELSE c.value END ORDER BY c.key)
  FROM json_each("Job"."summary", '$.cells') AS c
))
WHERE json_valid("summary") AND json_type("summary", '$.cells') = 'array'
  AND EXISTS (SELECT 1 FROM json_each("Job"."summary", '$.cells') AS c WHERE c.type = 'object' AND json_type(c.value, '$.parallelism') IS NOT NULL);
