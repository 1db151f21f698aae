-- AlterTable
ALTER TABLE "RunnerClaim" ADD COLUMN     "workloads" TEXT NOT NULL DEFAULT '{"loaded":[],"unavailable":[]}';

-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "versions" TEXT;

