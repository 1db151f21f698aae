-- Disturbed runs (issue 16, "Noise measured per run"): what else ran on the host during each run, whether
-- it passed a DISTURBED_* threshold, and which try of its fork it was (redos replace disturbed runs in
-- the statistics; the disturbed ones stay stored).
ALTER TABLE "Run" ADD COLUMN "foreignCpu" REAL;
ALTER TABLE "Run" ADD COLUMN "steal" REAL;
ALTER TABLE "Run" ADD COLUMN "involuntarySwitches" INTEGER;
ALTER TABLE "Run" ADD COLUMN "canaryBeforeMs" REAL;
ALTER TABLE "Run" ADD COLUMN "canaryAfterMs" REAL;
ALTER TABLE "Run" ADD COLUMN "canaryDrift" REAL;
ALTER TABLE "Run" ADD COLUMN "disturbed" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Run" ADD COLUMN "disturbedBy" TEXT;
ALTER TABLE "Run" ADD COLUMN "redo" INTEGER NOT NULL DEFAULT 0;
