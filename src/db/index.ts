export { MIGRATIONS, migrationPlan, migrationScript, type Migration } from './migrations.js';
