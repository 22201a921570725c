import type { MailHostContext } from '../host-context.js';
import { AUTOCONFIG_PATHS, renderAutoconfig, type AutoconfigSide } from './autoconfig.js';
import { AUTODISCOVER_PATH, renderAutodiscover } from './autodiscover.js';

/** nginx locations answering Thunderbird's and Outlook's requests for a side's settings. */
export function clientSettingsLocations(ctx: MailHostContext, side: AutoconfigSide): string {
  return `${AUTOCONFIG_PATHS.map(
    // No default_type: mime.types gives .xml its type (text/xml).
    (p) => `    location = ${p} {
        return 200 '${renderAutoconfig(ctx, side)}';
    }
`,
  ).join('\n')}
    # Outlook POSTs its request (either case of the path); nginx's return answers any method.
    location ~* ^${AUTODISCOVER_PATH}$ {
        default_type application/xml;
        return 200 '${renderAutodiscover(ctx, side)}';
    }
`;
}
