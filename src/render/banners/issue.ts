import { rootFile, type ComponentDescriptor, type RenderedFile } from '../types.js';

export const ISSUE_PATH = '/etc/issue';
export const ISSUE_NET_PATH = '/etc/issue.net';

/**
 * The notice shown before anyone logs in: it names no operating system or version
 * (Debian's says "Debian GNU/Linux 13"), and tells whoever connects that the system is
 * private and its use recorded, which some jurisdictions want said before access.
 */
const NOTICE = `This is a private system. Access is for authorised users only.
Activity on this system is monitored and logged; unauthorised access is prohibited
and may be reported to law enforcement.
`;

/**
 * /etc/issue is what getty prints on the console (a VPS provider's web console), and
 * /etc/issue.net what sshd sends before authentication (its Banner). agetty expands
 * backslash escapes in /etc/issue, so the notice has none; neither file carries the
 * generated header, which would be shown too.
 */
export function renderBanners(): RenderedFile[] {
  return [ISSUE_PATH, ISSUE_NET_PATH].map((path) => rootFile('banners', path, NOTICE));
}

/** Read as each console or SSH login begins: nothing to reload, and no checker exists. */
export const bannersComponent: ComponentDescriptor = {
  name: 'banners',
  packages: [],
  units: [],
  onChange: 'restart',
};
