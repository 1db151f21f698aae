-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "usablePhysicalCores" INTEGER;

