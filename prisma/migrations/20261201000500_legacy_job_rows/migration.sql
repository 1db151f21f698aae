-- A data migration, run once: jobs stored before the runtime axis (20261122000000_runtime) ran on
-- Node only. Their rows say so from now on, so that the store reads every row as it is (it used to
-- patch these on every read). Needs SQLite 3.44+ (ORDER BY inside an aggregate); better-sqlite3 12
-- ships 3.5x.

-- The spec: runtimes ["node"] where it has none.
UPDATE "Job" SET "spec" = json_set("spec", '$.runtimes', json('["node"]'))
WHERE json_valid("spec") AND json_type("spec", '$.runtimes') IS NULL;

-- The summary's cells and scaling fits: runtime "node" on each entry that has none, order kept.
UPDATE "Job" SET "summary" = json_set("summary", '$.cells', (
  SELECT json_group_array(CASE WHEN c.type = 'object' AND json_type(c.value, '$.runtime') IS NULL THEN json_set(c.value, '$.runtime', 'node') ELSE c.value END ORDER BY c.key)
  FROM json_each("Job"."summary", '$.cells') AS c
))
WHERE json_valid("summary") AND json_type("summary", '$.cells') = 'array'
  AND EXISTS (SELECT 1 FROM json_each("Job"."summary", '$.cells') AS c WHERE c.type = 'object' AND json_type(c.value, '$.runtime') IS NULL);

UPDATE "Job" SET "summary" = json_set("summary", '$.scaling', (
  SELECT json_group_array(CASE WHEN s.type = 'object' AND json_type(s.value, '$.runtime') IS NULL THEN json_set(s.value, '$.runtime', 'node') ELSE s.value END ORDER BY s.key)
  FROM json_each("Job"."summary", '$.scaling') AS s
))
WHERE json_valid("summary") AND json_type("summary", '$.scaling') = 'array'
  AND EXISTS (SELECT 1 FROM json_each("Job"."summary", '$.scaling') AS s WHERE s.type = 'object' AND json_type(s.value, '$.runtime') IS NULL);
