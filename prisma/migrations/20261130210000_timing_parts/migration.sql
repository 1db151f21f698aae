-- Issue 15 §5: a large run's timings beyond its first 16 384 tasks, in pieces of 16 384 tasks each.
-- Runs stored before keep all their timings in TaskTiming, which is read as before.
-- CreateTable
CREATE TABLE "TaskTimingPart" (
    "runId" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "data" BLOB NOT NULL,

    PRIMARY KEY ("runId", "part"),
    CONSTRAINT "TaskTimingPart_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

