-- PostgreSQL only (not a Prisma model): events too large for a NOTIFY payload (8000 bytes) wait here
-- for the listeners of every API instance, which read them by (jobId, seq). See src/jobs/pg-bus.ts.
CREATE TABLE "_corebench_event_spill" (
    "jobId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "event" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "_corebench_event_spill_pkey" PRIMARY KEY ("jobId", "seq")
);
CREATE INDEX "_corebench_event_spill_createdAt_idx" ON "_corebench_event_spill" ("createdAt");
