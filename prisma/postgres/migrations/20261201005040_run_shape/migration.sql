-- One run shape (issue 18): as prisma/migrations/20261201005040_run_shape for SQLite (read its header
-- for how legacy rows are filled: a failed warm-up's fork, the split of "CODE: message").
ALTER TABLE "Run" RENAME COLUMN "parallelism" TO "busyCores";
ALTER TABLE "Run" ADD COLUMN "fork" INTEGER,
ADD COLUMN "warmup" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "errorCode" TEXT,
ADD COLUMN "errorMessage" TEXT;

UPDATE "Run" AS r SET
  "fork" = CASE WHEN r."repetition" >= 0 THEN r."repetition" ELSE (
    SELECT COUNT(DISTINCT p."repetition")::int FROM "Run" AS p
    WHERE p."jobId" = r."jobId" AND p."attempt" = r."attempt" AND p."runtime" = r."runtime" AND p."executor" = r."executor"
      AND p."workers" = r."workers" AND p."repetition" >= 0 AND p."startedAt" < r."startedAt"
  ) END,
  "warmup" = r."repetition" < 0,
  "errorCode" = CASE WHEN r."error" IS NULL AND r."ok" THEN NULL
    WHEN r."error" LIKE 'COREBENCH\_ERR\_%: %' THEN left(r."error", strpos(r."error", ': ') - 1)
    ELSE 'COREBENCH_ERR_INTERNAL' END,
  "errorMessage" = CASE WHEN r."error" IS NULL AND r."ok" THEN NULL
    WHEN r."error" LIKE 'COREBENCH\_ERR\_%: %' THEN substr(r."error", strpos(r."error", ': ') + 2)
    ELSE coalesce(r."error", '') END;

ALTER TABLE "Run" ALTER COLUMN "fork" SET NOT NULL;
ALTER TABLE "Run" DROP COLUMN "repetition", DROP COLUMN "error";

-- Stored job summaries: each cell's `parallelism` becomes `busyCores` (value kept, null included).
UPDATE "Job" SET "summary" = jsonb_set("summary"::jsonb, '{cells}', (
  SELECT jsonb_agg(CASE WHEN jsonb_typeof(c.value) = 'object' AND c.value ? 'parallelism'
    THEN (c.value - 'parallelism') || jsonb_build_object('busyCores', c.value -> 'parallelism')
    ELSE c.value END ORDER BY c.n)
  FROM jsonb_array_elements("summary"::jsonb -> 'cells') WITH ORDINALITY AS c(value, n)
))::text
-- CASE: the cast is evaluated only for text that is a JSON object.
WHERE CASE WHEN "summary" IS JSON OBJECT THEN jsonb_typeof("summary"::jsonb -> 'cells') = 'array'
  AND EXISTS (SELECT 1 FROM jsonb_array_elements("summary"::jsonb -> 'cells') AS c(value) WHERE jsonb_typeof(c.value) = 'object' AND c.value ? 'parallelism')
  ELSE false END;
