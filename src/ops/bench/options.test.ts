import { describe, expect, it } from 'vitest';
import { parseBenchOptions, type RawBenchOptions } from './options.js';

const base: RawBenchOptions = {
  server: '198.51.100.10',
  port: '25',
  tls: 'starttls',
  from: 'bench@example.org',
  to: 'Bench@Example.com',
  count: '100',
  concurrency: '4',
  size: '4K',
  timeout: '120',
};

describe('parseBenchOptions', () => {
  it('turns the options into a bounded plan', () => {
    expect(parseBenchOptions({ ...base, imap: '10.100.0.1' })).toEqual({
      load: {
        server: '198.51.100.10',
        port: 25,
        tls: 'starttls',
        insecure: false,
        from: 'bench@example.org',
        to: 'bench@example.com',
        count: 100,
        concurrency: 4,
        sizeBytes: 4096,
      },
      imap: { host: '10.100.0.1', port: 993, user: 'bench@example.com', timeoutSeconds: 120 },
    });
  });

  it('names the option it refuses', () => {
    expect(() => parseBenchOptions({ ...base, count: '100000' })).toThrow(/--count: '100000'/);
    expect(() => parseBenchOptions({ ...base, concurrency: '0' })).toThrow(/--concurrency/);
    expect(() => parseBenchOptions({ ...base, tls: 'ssl' })).toThrow(/--tls: 'ssl'/);
    expect(() => parseBenchOptions({ ...base, to: 'nobody' })).toThrow(/not a mail address/);
    expect(() => parseBenchOptions({ ...base, imap: ':993' })).toThrow(/--imap/);
    expect(() => parseBenchOptions({ ...base, rate: '0' })).toThrow(/--rate: '0'/);
    expect(parseBenchOptions({ ...base, rate: '25' }).load.ratePerSecond).toBe(25);
    expect(parseBenchOptions({ ...base, perConnection: '1' }).load.messagesPerConnection).toBe(1);
    expect(() => parseBenchOptions({ ...base, perConnection: '0' })).toThrow(
      /--per-connection: '0'/,
    );
  });

  it('never sends a password in clear, and reads only one', () => {
    expect(() => parseBenchOptions({ ...base, tls: 'none', auth: 'bench@example.com' })).toThrow(
      /--auth needs --tls/,
    );
    expect(() =>
      parseBenchOptions({ ...base, auth: 'other@example.com', imap: '10.100.0.1' }),
    ).toThrow(/one password/);
  });
});
