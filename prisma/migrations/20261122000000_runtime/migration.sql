-- The runtime axis (issue 9): every run records the language its tasks ran in. Runs stored before
-- it ran on Node.
ALTER TABLE "Run" ADD COLUMN "runtime" TEXT NOT NULL DEFAULT 'node';

DROP INDEX "Run_jobId_executor_workers_idx";
CREATE INDEX "Run_jobId_runtime_executor_workers_idx" ON "Run"("jobId", "runtime", "executor", "workers");
