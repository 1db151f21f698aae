-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "queues" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "runnerName" TEXT;

-- CreateIndex
CREATE INDEX "Job_runnerName_id_idx" ON "Job"("runnerName", "id");

