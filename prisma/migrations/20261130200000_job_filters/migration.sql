-- Exact tag filters and O(limit) lists (issues 15 §4 and 20 §7). Every list is newest first by id,
-- so every filter's index ends in id; the createdAt indexes served no query. Tags get a table of
-- their own so that ?tag=key:value is an exact, case-sensitive comparison served by an index (the
-- filter used to be a LIKE over the tags' JSON text: `_` and `%` matched anything, case was ignored).
-- DropIndex
DROP INDEX "Job_status_createdAt_idx";

-- DropIndex
DROP INDEX "Job_specHash_createdAt_idx";

-- DropIndex
DROP INDEX "Job_workloadId_createdAt_idx";

-- DropIndex
DROP INDEX "Job_createdAt_idx";

-- CreateTable
CREATE TABLE "JobTag" (
    "jobId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    PRIMARY KEY ("jobId", "key"),
    CONSTRAINT "JobTag_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "JobTag_key_value_jobId_idx" ON "JobTag"("key", "value", "jobId");

-- CreateIndex
CREATE INDEX "Job_status_id_idx" ON "Job"("status", "id");

-- CreateIndex
CREATE INDEX "Job_workloadId_id_idx" ON "Job"("workloadId", "id");

-- CreateIndex
CREATE INDEX "Job_hostId_id_idx" ON "Job"("hostId", "id");

-- CreateIndex
CREATE INDEX "Job_specHash_id_idx" ON "Job"("specHash", "id");

-- CreateIndex
CREATE INDEX "Job_specHash_status_id_idx" ON "Job"("specHash", "status", "id");


-- Backfill: the tags of every job stored so far (json_each yields one row per key of the object).
INSERT INTO "JobTag" ("jobId", "key", "value")
SELECT "Job"."id", t."key", CAST(t."value" AS TEXT) FROM "Job", json_each("Job"."tags") AS t
WHERE json_valid("Job"."tags") AND json_type("Job"."tags") = 'object';
