-- Issue 13 "Honest CPU": the CPU of the threads that ran tasks and of the coordinator thread, per run.
-- Runs stored before have neither (NULL); their parallelism stays the whole-process figure.
ALTER TABLE "Run" ADD COLUMN "taskCpuMs" REAL;
ALTER TABLE "Run" ADD COLUMN "coordinatorCpuMs" REAL;
