-- Disturbed runs (issue 16): as prisma/migrations/20261201001308_disturbed_runs for SQLite.
-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "canaryAfterMs" DOUBLE PRECISION,
ADD COLUMN     "canaryBeforeMs" DOUBLE PRECISION,
ADD COLUMN     "canaryDrift" DOUBLE PRECISION,
ADD COLUMN     "disturbed" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "disturbedBy" TEXT,
ADD COLUMN     "foreignCpu" DOUBLE PRECISION,
ADD COLUMN     "involuntarySwitches" INTEGER,
ADD COLUMN     "redo" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "steal" DOUBLE PRECISION;

