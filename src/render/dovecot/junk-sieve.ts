import { generatedHeader, rootFile, type RenderedFile } from '../types.js';

/** Global Sieve scripts: root's, read by the vmail mail processes, never edited by users. */
export const SIEVE_GLOBAL_DIR = '/etc/dovecot/sieve';
/**
 * Where each user's mail processes keep the compiled global scripts: Dovecot cannot write
 * next to them in /etc, and would recompile them and log an error on every delivery.
 */
export const SIEVE_GLOBAL_BIN_DIR = '~/.sieve-global-bin';
/** The only programs Sieve may pipe to (sieve_pipe_bin_dir): the Rspamd learners. */
export const SIEVE_PIPE_DIR = '/etc/dovecot/sieve-pipe';

export const SPAM_TO_JUNK_SCRIPT = `${SIEVE_GLOBAL_DIR}/spam-to-junk.sieve`;
export const LEARN_SPAM_SCRIPT = `${SIEVE_GLOBAL_DIR}/learn-spam.sieve`;
export const LEARN_HAM_SCRIPT = `${SIEVE_GLOBAL_DIR}/learn-ham.sieve`;

/** Where Rspamd's controller listens (worker-controller.inc); loopback is its secure_ip. */
const RSPAMD_CONTROLLER = '127.0.0.1:11334';

/**
 * The header Rspamd's milter adds for its add_header action (the proxy worker's
 * spam_header, "X-Spam" by default); DMARC quarantine uses the same action.
 */
export const SPAM_HEADER = 'X-Spam';

const sieve = (lines: string[]) => `${generatedHeader().trimEnd()}\n${lines.join('\n')}\n`;

/**
 * Runs at delivery before the user's own script. `stop` ends the run there: a user's rules
 * (a vacation reply, a redirect) never act on spam; everything else reaches them untouched.
 * `:create` because a user may have deleted Junk (auto = subscribe only makes it at login).
 */
function spamToJunk(): string {
  return sieve([
    'require ["fileinto", "mailbox"];',
    `if header :is "${SPAM_HEADER}" "Yes" {`,
    '  fileinto :create "Junk";',
    '  stop;',
    '}',
  ]);
}

/** IMAPSieve, a message copied or appended into Junk: Rspamd learns it as spam. */
function learnSpam(): string {
  return sieve(['require ["vnd.dovecot.pipe", "copy"];', 'pipe :copy "rspamd-learn-spam";']);
}

/**
 * IMAPSieve, a message copied out of Junk: Rspamd learns it as ham, unless it went to the
 * Trash (deleting spam says nothing about it).
 */
function learnHam(): string {
  return sieve([
    'require ["vnd.dovecot.pipe", "copy", "imapsieve", "environment"];',
    'if environment :is "imap.mailbox" "Trash" {',
    '  stop;',
    '}',
    'pipe :copy "rspamd-learn-ham";',
  ]);
}

/**
 * A learner for sieve_pipe_bin_dir. It runs as vmail and reaches the controller on
 * loopback, its secure_ip, so no password is needed (nor could one be given without
 * putting it on rspamc's command line). A message Bayes has already learned makes rspamc
 * fail; that is no error for the user's move, so only a failure to reach Rspamd counts.
 */
function learner(command: 'learn_spam' | 'learn_ham'): string {
  return [
    '#!/bin/sh',
    generatedHeader().trimEnd(),
    `out=$(/usr/bin/rspamc --connect ${RSPAMD_CONTROLLER} --timeout 10 ${command} 2>&1) && exit 0`,
    'case "$out" in',
    '  *"already learned"*) exit 0 ;;',
    'esac',
    'printf "%s\\n" "$out" >&2',
    'exit 1',
    '',
  ].join('\n');
}

/** The Junk scripts and their learners. */
export function renderJunkSieve(): RenderedFile[] {
  const file = (path: string, content: string, mode = 0o644) =>
    rootFile('dovecot', path, content, mode);
  return [
    file(SPAM_TO_JUNK_SCRIPT, spamToJunk()),
    file(LEARN_SPAM_SCRIPT, learnSpam()),
    file(LEARN_HAM_SCRIPT, learnHam()),
    file(`${SIEVE_PIPE_DIR}/rspamd-learn-spam`, learner('learn_spam'), 0o755),
    file(`${SIEVE_PIPE_DIR}/rspamd-learn-ham`, learner('learn_ham'), 0o755),
  ];
}
