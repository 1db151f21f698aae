-- The runner process (issue 13): a job records which runner holds it, its lease is read, its event
-- counter lives with it (so every API instance numbers its stream alike), and a cancel request is
-- durable; a runner holds its machine through a RunnerClaim row.
ALTER TABLE "Job" ADD COLUMN "runnerId" TEXT;
ALTER TABLE "Job" ADD COLUMN "eventSeq" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Job" ADD COLUMN "cancelRequestedAt" DATETIME;

CREATE TABLE "RunnerClaim" (
    "machineId" TEXT NOT NULL PRIMARY KEY,
    "runnerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "hostId" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
