import { Option, type Command } from 'commander';
import { formatAuth, runAuthBench } from '../ops/bench/auth-bench.js';
import { runAuthLoad } from '../ops/bench/auth-load.js';
import { runBackupBench } from '../ops/bench/backup-bench.js';
import { formatBackupBench } from '../ops/bench/backup-bench-report.js';
import { countTagged } from '../ops/bench/imap-search.js';
import { formatImap, runImapBench } from '../ops/bench/imap-bench.js';
import { runImapLoad } from '../ops/bench/imap-load.js';
import { labTarget, type BenchTarget } from '../ops/bench/lab-target.js';
import { sshTarget } from '../ops/bench/ssh-target.js';
import { formatMemory, measureMemory } from '../ops/bench/memory.js';
import { parseBenchOptions, parseCount, type RawBenchOptions } from '../ops/bench/options.js';
import { runPipeline } from '../ops/bench/pipeline.js';
import { formatPipeline } from '../ops/bench/pipeline-report.js';
import { parseAddress, parseSize } from '../ops/accounts/address.js';
import { newRunId, runSmtpLoad } from '../ops/bench/smtp-load.js';
import { formatSummary } from '../ops/bench/stats.js';
import { UserError } from '../util/errors.js';
import { readPassword } from './read-password.js';

const SSH_OPTION = [
  '--ssh <destination>',
  'instead of --lab, any host by address: its scripts over ssh as [USER@]HOST (root, key only), the load from this machine',
] as const;

/** The host a bench acts on: a lab by name, or any host over SSH; exactly one. */
function targetOf(o: { lab?: string; ssh?: string }): BenchTarget {
  if (o.lab && !o.ssh) return labTarget(o.lab);
  if (o.ssh && !o.lab) return sshTarget(o.ssh);
  throw new UserError('E_USAGE', 'name the host with --lab NAME or --ssh [USER@]HOST, one of them');
}

/** `mailctl bench`: figures for a mail host, measured as its clients would see them. */
export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('benchmarks that print figures');
  bench
    .command('smtp')
    .description(
      'send COUNT messages over CONCURRENCY connections and time them; with --imap, also until all are readable',
    )
    .requiredOption('--server <host>', 'the SMTP server to send to')
    .option('--port <port>', 'its port', '25')
    .addOption(
      new Option('--tls <mode>', 'none, starttls or implicit')
        .choices(['none', 'starttls', 'implicit'])
        .default('starttls'),
    )
    .option('--insecure', 'accept a certificate no CA vouches for (a self-signed one)')
    .requiredOption('--from <address>', 'envelope and header sender')
    .requiredOption('--to <address>', 'the recipient (a mailbox made for benchmarking)')
    .option('--count <n>', 'messages to send (at most 10000)', '100')
    .option('--concurrency <n>', 'parallel SMTP connections (at most 64)', '4')
    .option('--size <size>', 'approximate message size, e.g. 4K or 1M', '4K')
    .option('--auth <user>', 'log in as this user (password from stdin)')
    .option(
      '--imap <host[:port]>',
      "wait until every message is in the recipient's INBOX (IMAPS; password from stdin)",
    )
    .option('--timeout <seconds>', 'how long to wait for delivery', '120')
    .option('--rate <n>', 'send at most N messages/s, at a fixed pace (for latency figures)')
    .option('--helo <name>', "the name to greet with (default: this machine's host name)")
    .option(
      '--per-connection <n>',
      'messages per connection before a new one (1: each timed as a whole session)',
    )
    .option('--json', 'machine-readable output')
    .action(async (raw: RawBenchOptions & { json?: boolean }) => {
      const plan = parseBenchOptions(raw);
      const pass = plan.load.authUser || plan.imap ? await readPassword(true) : undefined;
      const runId = newRunId();
      let startedAt = 0;
      const summary = await runSmtpLoad(
        {
          ...plan.load,
          ...(plan.load.authUser && pass ? { auth: { user: plan.load.authUser, pass } } : {}),
        },
        runId,
        () => (startedAt = Date.now()),
      );
      if (plan.imap && pass && summary.sent > 0) {
        const deadline = Date.now() + plan.imap.timeoutSeconds * 1000;
        let seen = 0;
        for (;;) {
          seen = await countTagged({
            ...plan.imap,
            pass,
            insecure: plan.load.insecure,
            tag: runId,
          });
          if (seen >= summary.sent || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        if (summary.sent > 0 && seen < summary.sent)
          throw new UserError(
            'E_BENCH_UNDELIVERED',
            `only ${seen} of ${summary.sent} accepted messages were readable after ${plan.imap.timeoutSeconds} s`,
            { exitCode: 1 },
          );
        summary.deliveredAllAfterSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
      }
      process.stdout.write(
        raw.json ? `${JSON.stringify({ runId, ...summary }, null, 2)}\n` : formatSummary(summary),
      );
      if (summary.failed) process.exitCode = 1;
    });

  bench
    .command('pipeline')
    .description(
      'the mail path taken apart in one run: smtp-sink, Postfix to discard:, Postfix + Rspamd to discard:, the whole path; then delivery latency at half the rate',
    )
    .option(SSH_OPTION[0], SSH_OPTION[1])
    .option('--lab <name>', 'the lab host to measure (temporary listeners are added and removed)')
    .option('--server <address>', "the host's VPN address", '10.100.0.1')
    .option('--count <n>', 'messages per stage (at most 10000)', '600')
    .option('--concurrency <n>', 'parallel SMTP connections (at most 64)', '8')
    .option('--also <list>', "more concurrencies to try for each stage's best, e.g. 4,16", '')
    .option('--size <size>', 'approximate message size', '4K')
    .option('--no-latency', 'skip the delivery latency run')
    .option('--json', 'machine-readable output')
    .action(
      async (o: {
        lab?: string;
        ssh?: string;
        server: string;
        count: string;
        concurrency: string;
        also: string;
        size: string;
        latency: boolean;
        json?: boolean;
      }) => {
        const concurrency = parseCount('--concurrency', o.concurrency, 1, 64);
        const report = await runPipeline(
          targetOf(o),
          {
            server: o.server,
            count: parseCount('--count', o.count, 1, 10_000),
            concurrency,
            alsoConcurrencies: o.also
              .split(',')
              .filter(Boolean)
              .map((c) => parseCount('--also', c, 1, 64)),
            sizeBytes: Math.min(parseSize(o.size), 10 * 1024 ** 2),
            latency: o.latency,
          },
          (line) => process.stderr.write(`bench: ${line}\n`),
        );
        process.stdout.write(
          o.json ? `${JSON.stringify(report, null, 2)}\n` : formatPipeline(report, concurrency),
        );
        if (!report.planClean || report.runs.some((r) => r.summary.failed > 0))
          process.exitCode = 1;
      },
    );

  bench
    .command('imap')
    .description(
      'IMAP as clients see it: N sessions looping SELECT+FETCH, then a storm of new TLS sessions',
    )
    .option(SSH_OPTION[0], SSH_OPTION[1])
    .option('--lab <name>', 'the lab host to measure (its bench mailboxes are removed after)')
    .option('--server <address>', "the host's VPN address", '10.100.0.1')
    .option('--clients <n>', 'connected clients in the steady state (at most 500)', '100')
    .option(
      '--storm-workers <n>',
      'sessions opened in parallel in the login storm (at most 100)',
      '10',
    )
    .option('--seconds <n>', 'length of each phase (at most 300)', '20')
    .option(
      '--round-interval <ms>',
      'steady state: each client starts a round every MS milliseconds (0: back to back)',
      '0',
    )
    .option('--json', 'machine-readable output')
    .action(
      async (o: {
        lab?: string;
        ssh?: string;
        server: string;
        clients: string;
        stormWorkers: string;
        seconds: string;
        roundInterval: string;
        json?: boolean;
      }) => {
        const report = await runImapBench(targetOf(o), {
          server: o.server,
          clients: parseCount('--clients', o.clients, 1, 500),
          stormWorkers: parseCount('--storm-workers', o.stormWorkers, 1, 100),
          seconds: parseCount('--seconds', o.seconds, 1, 300),
          roundIntervalMs: parseCount('--round-interval', o.roundInterval, 0, 60_000),
        });
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatImap(report));
        if (report.steady.errors || report.storm.errors) process.exitCode = 1;
      },
    );
  // The load generator of `bench imap`, run where the clients are; password on stdin.
  bench
    .command('imap-load', { hidden: true })
    .requiredOption('--server <address>', 'IMAPS server')
    .option('--port <port>', 'its port', '993')
    .requiredOption('--users <list>', 'mailboxes to log in as, comma-separated')
    .option('--clients <n>', 'steady-state clients', '100')
    .option('--storm-workers <n>', 'login storm workers', '10')
    .option('--seconds <n>', 'length of each phase', '20')
    .option('--round-interval <ms>', 'steady state: a round every MS ms per client', '0')
    .option('--insecure', 'accept a certificate no CA vouches for')
    .option('--json', 'machine-readable output')
    .action(
      async (o: {
        server: string;
        port: string;
        users: string;
        clients: string;
        stormWorkers: string;
        seconds: string;
        roundInterval: string;
        insecure?: boolean;
        json?: boolean;
      }) => {
        const figures = await runImapLoad({
          host: o.server,
          port: parseCount('--port', o.port, 1, 65535),
          users: o.users.split(',').map((u) => parseAddress(u).address),
          pass: await readPassword(true),
          clients: parseCount('--clients', o.clients, 1, 500),
          stormWorkers: parseCount('--storm-workers', o.stormWorkers, 1, 100),
          seconds: parseCount('--seconds', o.seconds, 1, 300),
          roundIntervalMs: parseCount('--round-interval', o.roundInterval, 0, 60_000),
          insecure: Boolean(o.insecure),
        });
        process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      },
    );

  bench
    .command('auth')
    .description(
      "logins per second Dovecot's auth process sustains, with its auth cache and without (off for the run)",
    )
    .option(SSH_OPTION[0], SSH_OPTION[1])
    .option('--lab <name>', 'the lab host to measure (its bench mailboxes are removed after)')
    .option('--seconds <n>', 'length of each run (at most 300)', '10')
    .option('--concurrency <n>', 'logins in flight (at most 100)', '8')
    .option('--users <n>', 'mailboxes logged in as in turn (at most 100)', '10')
    .option('--json', 'machine-readable output')
    .action(
      async (o: {
        lab?: string;
        ssh?: string;
        seconds: string;
        concurrency: string;
        users: string;
        json?: boolean;
      }) => {
        const report = await runAuthBench(targetOf(o), {
          seconds: parseCount('--seconds', o.seconds, 1, 300),
          concurrency: parseCount('--concurrency', o.concurrency, 1, 100),
          users: parseCount('--users', o.users, 1, 100),
        });
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatAuth(report));
        if (!report.planClean || report.cached.failed || report.uncached.failed)
          process.exitCode = 1;
      },
    );
  // The load of `bench auth`, run on the host as root; password on stdin.
  bench
    .command('auth-load', { hidden: true })
    .requiredOption('--socket <path>', "Dovecot's auth client socket")
    .requiredOption('--users <list>', 'logins, comma-separated')
    .option('--seconds <n>', 'length of the run', '10')
    .option('--concurrency <n>', 'logins in flight', '8')
    .action(async (o: { socket: string; users: string; seconds: string; concurrency: string }) => {
      const figures = await runAuthLoad({
        socket: o.socket,
        users: o.users.split(',').map((u) => parseAddress(u).address),
        pass: await readPassword(true),
        seconds: parseCount('--seconds', o.seconds, 1, 300),
        concurrency: parseCount('--concurrency', o.concurrency, 1, 100),
      });
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    });

  bench
    .command('backup')
    .description(
      'backup and restore times: seed a mailbox, time backup run, add 1% and time it again, time restore mailbox --as',
    )
    .requiredOption('--lab <name>', 'the lab host to measure (its repositories grow by the mail)')
    .option('--messages <n>', 'messages to seed (10 to 100000)', '1000')
    .option('--size <MB>', 'their total size in MB (1 to 4096)', '100')
    .option('--json', 'machine-readable output')
    .action(async (o: { lab: string; messages: string; size: string; json?: boolean }) => {
      const messages = parseCount('--messages', o.messages, 10, 100_000);
      const total = parseCount('--size', o.size, 1, 4096) * 1_000_000;
      const report = await runBackupBench(
        labTarget(o.lab),
        o.lab,
        { messages, messageBytes: Math.max(200, Math.round(total / messages)) },
        (line) => process.stderr.write(`bench: ${line}\n`),
      );
      process.stdout.write(
        o.json ? `${JSON.stringify(report, null, 2)}\n` : formatBackupBench(report),
      );
    });

  bench
    .command('memory')
    .description("the host's memory by systemd unit: PSS, shared pages split among their sharers")
    .option(SSH_OPTION[0], SSH_OPTION[1])
    .option('--lab <name>', 'the lab host to measure')
    .option('--json', 'machine-readable output')
    .action(async (o: { lab?: string; ssh?: string; json?: boolean }) => {
      const report = await measureMemory(targetOf(o));
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatMemory(report));
    });
}
