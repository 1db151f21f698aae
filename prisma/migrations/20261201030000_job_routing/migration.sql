-- Routing (runOn): a job keeps the queues it may be claimed from (JSON; empty: any runner) and the name
-- of the runner that ran it, for GET /api/history?runner=NAME.
ALTER TABLE "Job" ADD COLUMN "runnerName" TEXT;
ALTER TABLE "Job" ADD COLUMN "queues" TEXT NOT NULL DEFAULT '[]';
CREATE INDEX "Job_runnerName_id_idx" ON "Job"("runnerName", "id");
