/**
 * Delivery latency after the 250 reply, in ms, from Postfix's delivery log lines for one
 * recipient (pure). Postfix logs `delays=a/b/c/d`: a is the time before the queue manager
 * (mostly the SMTP transaction itself, before the 250), b the time in the queue manager,
 * c the connection set-up and d the transmission to Dovecot's LMTP, which answers only
 * once the message is in the Maildir. So b+c+d is the time from the 250 to readable.
 */
export function deliveryDelaysMs(log: string, recipient: string): number[] {
  const to = `to=<${recipient.toLowerCase()}>`;
  const out: number[] = [];
  for (const line of log.split('\n')) {
    if (!line.toLowerCase().includes(to) || !line.includes('status=sent')) continue;
    const m = /\bdelays=([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(line);
    if (!m) continue;
    const [b, c, d] = [m[2], m[3], m[4]].map(Number);
    out.push(Math.round(((b ?? 0) + (c ?? 0) + (d ?? 0)) * 1000));
  }
  return out;
}
