-- GET /api/runners: a machine claim remembers its runner's labels and runtimes, and stays (released)
-- after its runner stops.
ALTER TABLE "RunnerClaim" ADD COLUMN "labels" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "RunnerClaim" ADD COLUMN "runtimes" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "RunnerClaim" ADD COLUMN "releasedAt" DATETIME;
