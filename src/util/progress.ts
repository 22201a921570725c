/** Progress for long steps, on stderr so that stdout stays parseable. */
export interface Progress {
  step(message: string): void;
  done(message: string): void;
}

export function stderrProgress(prefix: string, total?: number): Progress {
  let n = 0;
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;
  return {
    step(message) {
      n += 1;
      const count = total ? `[${n}/${total}] ` : '';
      process.stderr.write(`${prefix}: ${count}${message} (${elapsed()})\n`);
    },
    done(message) {
      process.stderr.write(`${prefix}: ${message} in ${elapsed()}\n`);
    },
  };
}

export const silentProgress: Progress = { step() {}, done() {} };
