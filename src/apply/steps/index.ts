import type { HostStep } from '../../plan/host-steps.js';
import type { MailHostContext } from '../../render/host-context.js';
import type { ClusterDeclarations } from '../../spec/index.js';
import { accountsStep } from './accounts.js';
import { antivirusRemovalStep } from './antivirus-removal.js';
import { backupStep } from './backup.js';
import { backupStanzaStep } from './backup-stanza.js';
import { acmeCertificateStep } from './acme-certificate.js';
import { databaseStep, migrationsStep, passwordRoles, rolePasswordsStep } from './database.js';
import { dkimKeysStep } from './dkim-keys.js';
import { healthProbeStep } from './health-probe.js';
import { healthProbeAddress } from '../../render/health/index.js';
import { sogoLogStep } from './sogo-log.js';
import { emptySpamSettingsMapStep, spamSettingsMapStep } from './spam-settings-map.js';
import { selfSignedCertificateStep } from './tls-certificate.js';
import { unwantedUnitsStep } from './unwanted-units.js';
import { wazuhRemovalStep } from './wazuh-removal.js';
import { wazuhRepositoryStep } from './wazuh-repository.js';

/**
 * Everything apply does to a mail host beyond packages, users, directories and files, in
 * the order it runs within each phase: the keys and certificates the files name before
 * they go live; once the services run, the database, its schema, the roles' passwords,
 * the declared accounts and what is made from them, and the ACME certificate last (nginx
 * must be serving the challenge).
 */
export function mailHostSteps(ctx: MailHostContext, declared: ClusterDeclarations): HostStep[] {
  return [
    wazuhRepositoryStep(ctx.wazuh),
    wazuhRemovalStep(ctx.wazuh !== undefined),
    antivirusRemovalStep(ctx.antivirus !== undefined),
    selfSignedCertificateStep(ctx),
    dkimKeysStep(ctx.domains),
    emptySpamSettingsMapStep,
    ...(ctx.postgres.mode === 'native' ? [backupStanzaStep(ctx)] : []),
    sogoLogStep,
    unwantedUnitsStep,
    ...(ctx.postgres.mode === 'native' ? [databaseStep] : []),
    migrationsStep,
    ...(passwordRoles(ctx).length ? [rolePasswordsStep(passwordRoles(ctx))] : []),
    accountsStep(declared),
    // In the first domain, which the accounts step has made.
    healthProbeStep(healthProbeAddress(ctx)),
    spamSettingsMapStep,
    // The first full backup and the off-site repositories need PostgreSQL running.
    backupStep(ctx),
    acmeCertificateStep(ctx),
  ];
}
