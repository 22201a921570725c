/** Seconds as a Prometheus duration (`90s`, `2m`, `26h`), in the largest whole unit. */
export function promDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new Error(`not a duration: ${seconds}`);
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ];
  for (const [unit, size] of units) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
