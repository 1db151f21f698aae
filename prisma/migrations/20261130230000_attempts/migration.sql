-- Numbered attempts (issue 20 §6): a job re-queued after losing its runner starts a new attempt, and
-- its runs are kept apart from the interrupted one's, so that no summary mixes them.
ALTER TABLE "Job" ADD COLUMN "attempt" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "Run" ADD COLUMN "attempt" INTEGER NOT NULL DEFAULT 1;
