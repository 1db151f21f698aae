-- AlterTable
ALTER TABLE "RunnerClaim" ADD COLUMN     "labels" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "releasedAt" TIMESTAMP(3),
ADD COLUMN     "runtimes" TEXT NOT NULL DEFAULT '[]';

