-- Workload packages (issue 17): a runner registers the workloads it loaded, and a job records the
-- versions (workload, Node, Python, corebench) it ran with.
ALTER TABLE "RunnerClaim" ADD COLUMN "workloads" TEXT NOT NULL DEFAULT '{"loaded":[],"unavailable":[]}';
ALTER TABLE "Job" ADD COLUMN "versions" TEXT;
