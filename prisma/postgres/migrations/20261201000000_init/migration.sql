-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Host" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "cpuModel" TEXT NOT NULL,
    "logicalCores" INTEGER NOT NULL,
    "availableParallelism" INTEGER NOT NULL,
    "cpuQuota" DOUBLE PRECISION,
    "physicalCores" INTEGER,
    "numaNodes" INTEGER,
    "cpuGovernor" TEXT,
    "virtualMachine" BOOLEAN NOT NULL DEFAULT false,
    "systemVendor" TEXT,
    "totalMemoryMb" INTEGER NOT NULL,
    "platform" TEXT NOT NULL,
    "arch" TEXT NOT NULL,
    "release" TEXT NOT NULL,
    "nodeVersion" TEXT NOT NULL,
    "corebenchVersion" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunnerClaim" (
    "machineId" TEXT NOT NULL,
    "runnerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "hostId" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunnerClaim_pkey" PRIMARY KEY ("machineId")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "workloadId" TEXT NOT NULL,
    "specHash" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "tags" TEXT NOT NULL DEFAULT '{}',
    "warnings" TEXT NOT NULL DEFAULT '[]',
    "summary" TEXT,
    "error" TEXT,
    "tasksDone" INTEGER NOT NULL DEFAULT 0,
    "tasksTotal" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "heartbeatAt" TIMESTAMP(3),
    "runnerId" TEXT,
    "eventSeq" INTEGER NOT NULL DEFAULT 0,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "cancelRequestedAt" TIMESTAMP(3),
    "hostId" TEXT,
    "tokenId" TEXT,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobTag" (
    "jobId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "JobTag_pkey" PRIMARY KEY ("jobId","key")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "runtime" TEXT NOT NULL DEFAULT 'node',
    "executor" TEXT NOT NULL,
    "workers" INTEGER NOT NULL,
    "repetition" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "ok" BOOLEAN NOT NULL,
    "error" TEXT,
    "tasks" INTEGER NOT NULL,
    "wallMs" DOUBLE PRECISION NOT NULL,
    "startupMs" DOUBLE PRECISION NOT NULL,
    "coldWallMs" DOUBLE PRECISION NOT NULL,
    "cpuUserMs" DOUBLE PRECISION NOT NULL,
    "cpuSystemMs" DOUBLE PRECISION NOT NULL,
    "taskCpuMs" DOUBLE PRECISION,
    "coordinatorCpuMs" DOUBLE PRECISION,
    "parallelism" DOUBLE PRECISION NOT NULL,
    "peakRssBytes" DOUBLE PRECISION NOT NULL,
    "loopDelayP50Ms" DOUBLE PRECISION NOT NULL,
    "loopDelayP99Ms" DOUBLE PRECISION NOT NULL,
    "loopDelayMaxMs" DOUBLE PRECISION NOT NULL,
    "bytesToWorkers" DOUBLE PRECISION NOT NULL,
    "bytesFromWorkers" DOUBLE PRECISION NOT NULL,
    "serialization" TEXT,
    "checksum" TEXT,
    "verified" BOOLEAN,
    "extra" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaskTiming" (
    "runId" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "TaskTiming_pkey" PRIMARY KEY ("runId")
);

-- CreateTable
CREATE TABLE "TaskTimingPart" (
    "runId" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "TaskTimingPart_pkey" PRIMARY KEY ("runId","part")
);

-- CreateTable
CREATE TABLE "Baseline" (
    "specHash" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Baseline_pkey" PRIMARY KEY ("specHash")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_hash_key" ON "ApiToken"("hash");

-- CreateIndex
CREATE INDEX "Job_status_id_idx" ON "Job"("status", "id");

-- CreateIndex
CREATE INDEX "Job_workloadId_id_idx" ON "Job"("workloadId", "id");

-- CreateIndex
CREATE INDEX "Job_hostId_id_idx" ON "Job"("hostId", "id");

-- CreateIndex
CREATE INDEX "Job_specHash_id_idx" ON "Job"("specHash", "id");

-- CreateIndex
CREATE INDEX "Job_specHash_status_id_idx" ON "Job"("specHash", "status", "id");

-- CreateIndex
CREATE INDEX "JobTag_key_value_jobId_idx" ON "JobTag"("key", "value", "jobId");

-- CreateIndex
CREATE INDEX "Run_jobId_runtime_executor_workers_idx" ON "Run"("jobId", "runtime", "executor", "workers");

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobTag" ADD CONSTRAINT "JobTag_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskTiming" ADD CONSTRAINT "TaskTiming_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskTimingPart" ADD CONSTRAINT "TaskTimingPart_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Baseline" ADD CONSTRAINT "Baseline_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

