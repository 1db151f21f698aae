-- CreateTable
CREATE TABLE "Host" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostname" TEXT NOT NULL,
    "cpuModel" TEXT NOT NULL,
    "logicalCores" INTEGER NOT NULL,
    "availableParallelism" INTEGER NOT NULL,
    "totalMemoryMb" INTEGER NOT NULL,
    "platform" TEXT NOT NULL,
    "arch" TEXT NOT NULL,
    "release" TEXT NOT NULL,
    "nodeVersion" TEXT NOT NULL,
    "corebenchVersion" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "heartbeatAt" DATETIME,
    "hostId" TEXT,
    "tokenId" TEXT,
    CONSTRAINT "Job_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Job_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ApiToken" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "executor" TEXT NOT NULL,
    "workers" INTEGER NOT NULL,
    "repetition" INTEGER NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "error" TEXT,
    "tasks" INTEGER NOT NULL,
    "wallMs" REAL NOT NULL,
    "startupMs" REAL NOT NULL,
    "coldWallMs" REAL NOT NULL,
    "cpuUserMs" REAL NOT NULL,
    "cpuSystemMs" REAL NOT NULL,
    "parallelism" REAL NOT NULL,
    "peakRssBytes" REAL NOT NULL,
    "loopDelayP50Ms" REAL NOT NULL,
    "loopDelayP99Ms" REAL NOT NULL,
    "loopDelayMaxMs" REAL NOT NULL,
    "bytesToWorkers" REAL NOT NULL,
    "bytesFromWorkers" REAL NOT NULL,
    "serialization" TEXT,
    "checksum" TEXT,
    "verified" BOOLEAN,
    "extra" TEXT,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME NOT NULL,
    CONSTRAINT "Run_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TaskTiming" (
    "runId" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL,
    "data" BLOB NOT NULL,
    CONSTRAINT "TaskTiming_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Baseline" (
    "specHash" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Baseline_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_hash_key" ON "ApiToken"("hash");

-- CreateIndex
CREATE INDEX "Job_status_createdAt_idx" ON "Job"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Job_specHash_createdAt_idx" ON "Job"("specHash", "createdAt");

-- CreateIndex
CREATE INDEX "Job_workloadId_createdAt_idx" ON "Job"("workloadId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_createdAt_idx" ON "Job"("createdAt");

-- CreateIndex
CREATE INDEX "Run_jobId_executor_workers_idx" ON "Run"("jobId", "executor", "workers");
