/**
 * Applies the seeds (cargo providers, supplier platforms, default settings) to DATABASE_URL or
 * the PGlite folder in DATA_DIR. The service applies them at every start as well; rerunning
 * changes nothing, and rows an admin edited are kept.
 *
 *   bun run scripts/seed.ts
 */
import { applySeeds } from "../src/db/seeds";
import { openServiceDatabase } from "./db-open";

const database = await openServiceDatabase();
try {
  const counts = await applySeeds(database);
  console.log(
    `Seeds applied: ${counts.cargoProviders} cargo providers, ${counts.supplierPlatforms} supplier platforms, ` +
      `${counts.systemSettings} settings inserted or updated.`,
  );
} finally {
  await database.close();
}
