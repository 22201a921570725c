export { MIGRATIONS, migrationPlan, type Migration } from './migrations.js';
export { createDatabase, databaseExists, migrate, pendingMigrations } from './migrate.js';
export { hostConnection, hostDatabase, hostTransaction, useDatabase } from './host.js';
export {
  FOREIGN_KEY_VIOLATION,
  inTransaction,
  sqlState,
  UNIQUE_VIOLATION,
  withConnection,
  type Db,
} from './client.js';
export { dbLogin, dbSettingsFor, type DbLogin, type DbRole, type DbSettings } from './settings.js';
