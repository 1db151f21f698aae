-- Physical cores with a CPU in the affinity mask (SMT warnings start past them); null for hosts seen before.
ALTER TABLE "Host" ADD COLUMN "usablePhysicalCores" INTEGER;
