-- Host: the cgroup CPU quota and the CPU topology (shown, not part of the host id)
ALTER TABLE "Host" ADD COLUMN "cpuQuota" REAL;
ALTER TABLE "Host" ADD COLUMN "physicalCores" INTEGER;
ALTER TABLE "Host" ADD COLUMN "numaNodes" INTEGER;
ALTER TABLE "Host" ADD COLUMN "cpuGovernor" TEXT;
ALTER TABLE "Host" ADD COLUMN "virtualMachine" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Host" ADD COLUMN "systemVendor" TEXT;
