import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServices } from "../../src/app";
import { loadConfig } from "../../src/config";
import { collectPgliteStats } from "../../src/db/backup/pglite";
import { collectPostgresStats } from "../../src/db/backup/postgres";
import { keyTables, type TableStats } from "../../src/db/backup/table-stats";
import { openDatabase } from "../../src/db/client";
import { runMigrations } from "../../src/db/migrate";
import { createLogger } from "../../src/lib/logger";
import { dayMs, FakeClock } from "../../src/lib/time";
import { testDatabaseKinds, type DatabaseKind } from "../helpers/database";
import { createServiceDatabase, repositoryRoot, type ServiceDatabase } from "../helpers/service-process";
import { json, startStub, type StubServer } from "../helpers/stub-server";
import { wireProduct } from "../helpers/uzum-wire";

/** Spawning bun and opening a database takes seconds per script on a loaded machine. */
const backupTestTimeoutMs = 120_000;

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runScript(script: string, args: string[], env: Record<string, string>): Promise<ScriptResult> {
  const child = Bun.spawn([process.execPath, "run", `scripts/${script}`, ...args], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { code, stdout, stderr };
}

/** Fills the source database through the services: two accounts, three products with snapshots on two days, tracking. */
async function fillSource(kind: DatabaseKind, source: ServiceDatabase, uzumUrl: string): Promise<void> {
  const database = await openDatabase({ url: source.env.DATABASE_URL, dataDir: source.env.DATA_DIR });
  await runMigrations(database, source.env.DATABASE_URL);

  const clock = new FakeClock("2026-12-03T07:00:00Z");
  const config = loadConfig({ NODE_ENV: "test", DATA_DIR: source.env.DATA_DIR, UZUM_API_URL: uzumUrl, WEEKLY_BUYERS_BUDGET_MS: "0" });
  const services = createServices({ config, database, clock, logger: createLogger("silent") });

  const first = await services.auth.register({ email: `backup-${kind}-1@example.uz`, password: "Kuchli-parol-2026", accountName: "Birinchi" });
  await services.auth.register({ email: `backup-${kind}-2@example.uz`, password: "Kuchli-parol-2026", accountName: "Ikkinchi" });
  for (const productId of [8100001, 8100002, 8100003]) await services.products.analyze(productId);
  clock.advance(dayMs);
  for (const productId of [8100001, 8100002]) await services.products.analyze(productId);
  await services.tracking.track(first.user.accountId, first.user.id, 8100001);
  await services.tracking.track(first.user.accountId, first.user.id, 8100002);

  await database.close();
}

function statsOf(kind: DatabaseKind, target: ServiceDatabase): Promise<TableStats[]> {
  return kind === "postgres" ? collectPostgresStats(target.env.DATABASE_URL) : collectPgliteStats(target.env.DATA_DIR);
}

/** Returns the env that points the scripts at `target`, as the service would read it. */
function scriptEnv(target: ServiceDatabase): Record<string, string> {
  return target.env.DATABASE_URL ? { DATABASE_URL: target.env.DATABASE_URL } : { DATA_DIR: target.env.DATA_DIR };
}

for (const kind of testDatabaseKinds()) {
  describe(`backup scripts (${kind})`, () => {
    let uzum: StubServer;
    let source: ServiceDatabase;
    let restored: ServiceDatabase;
    const backupDir = mkdtempSync(join(tmpdir(), "ventra-backups-"));
    let backupFile: string;

    beforeAll(async () => {
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        return json(wireProduct({ id, orders: 100 + uzum.requests.length }));
      });
      source = await createServiceDatabase(kind);
      restored = await createServiceDatabase(kind);
      await fillSource(kind, source, uzum.url);
    }, backupTestTimeoutMs);

    afterAll(async () => {
      await uzum.stop();
      await source.drop();
      await restored.drop();
    });

    test("backup writes a timestamped file and manifest", async () => {
      const result = await runScript("backup.ts", ["--out", backupDir], scriptEnv(source));
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);

      backupFile = /^Wrote (\S+) /m.exec(result.stdout)![1];
      const extension = kind === "postgres" ? "dump" : "tar\\.gz";
      expect(backupFile).toMatch(new RegExp(`/ventra-${kind}-\\d{8}T\\d{6}Z\\.${extension}$`));

      const manifest = JSON.parse(readFileSync(`${backupFile}.manifest.json`, "utf8"));
      const products = manifest.tables.find((table: TableStats) => table.table === "public.products");
      const snapshots = manifest.tables.find((table: TableStats) => table.table === "public.product_snapshots");
      expect(products.rows).toBe(3);
      expect(snapshots.rows).toBe(5);
      expect(products.checksum).toMatch(/^[0-9a-f]{32}$/);
      expect(manifest.tables.find((table: TableStats) => table.table.startsWith("drizzle.")).rows).toBeGreaterThan(0);
    }, backupTestTimeoutMs);

    test("verify passes on an intact backup", async () => {
      const result = await runScript("verify-backup.ts", [backupFile], scriptEnv(source));
      expect(result.stdout).toContain("PASS");
      expect(result.stdout).toContain(`${keyTables.length} key tables by checksum`);
      expect(result.code).toBe(0);
    }, backupTestTimeoutMs);

    test("restore fills an empty database with the same rows", async () => {
      const result = await runScript("restore.ts", [backupFile], scriptEnv(restored));
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);

      expect(await statsOf(kind, restored)).toEqual(await statsOf(kind, source));
    }, backupTestTimeoutMs);

    test("restore rejects a database that has tables", async () => {
      const result = await runScript("restore.ts", [backupFile], scriptEnv(source));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("Restore failed");
      expect(result.stderr).toMatch(/already (has|holds)/);

      const products = (await statsOf(kind, source)).find((table) => table.table === "public.products");
      expect(products?.rows).toBe(3);
    }, backupTestTimeoutMs);

    test("verify fails when a count differs", async () => {
      const copy = join(backupDir, `changed-${kind}`);
      copyFileSync(backupFile, copy);
      const manifest = JSON.parse(readFileSync(`${backupFile}.manifest.json`, "utf8"));
      manifest.tables.find((table: TableStats) => table.table === "public.products").rows = 4;
      writeFileSync(`${copy}.manifest.json`, JSON.stringify(manifest));

      const result = await runScript("verify-backup.ts", [copy], scriptEnv(source));
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("public.products: expected 4 rows, restored 3 rows");
      expect(result.stdout).toContain("FAIL");
    }, backupTestTimeoutMs);

    test("verify fails on a damaged file", async () => {
      const copy = join(backupDir, `damaged-${kind}`);
      const bytes = readFileSync(backupFile);
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      writeFileSync(copy, bytes);
      copyFileSync(`${backupFile}.manifest.json`, `${copy}.manifest.json`);

      const result = await runScript("verify-backup.ts", [copy], scriptEnv(source));
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("SHA-256");
      expect(result.stdout).toContain("FAIL");
    }, backupTestTimeoutMs);

    if (kind === "pglite") {
      test("backup refuses a data directory in use", async () => {
        const inUse = await openDatabase({ dataDir: source.env.DATA_DIR });
        try {
          const result = await runScript("backup.ts", ["--out", backupDir], scriptEnv(source));
          expect(result.code).toBe(1);
          expect(result.stderr).toContain(`in use by process ${process.pid}`);
        } finally {
          await inUse.close();
        }
      }, backupTestTimeoutMs);
    }
  });
}
