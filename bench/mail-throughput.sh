#!/usr/bin/env bash
# Mail throughput of a lab host, measured from the VPN client as a sending MTA (port 25,
# STARTTLS) and as a mail client (submission on 587 with AUTH, DKIM-signed): messages/s
# accepted, SMTP transaction latency, and the time until all are readable over IMAP.
#   bench/mail-throughput.sh [COUNT] [CONCURRENCY]
# Uses the lab named by MAILCTL_BENCH_LAB if it is up, else brings up (and removes) 'bench'.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
conc=${2:-4}
lab=${MAILCTL_BENCH_LAB:-bench}
m=./mailctl
npm run --silent build
if [ -z "${MAILCTL_BENCH_LAB:-}" ]; then
  $m lab up --name "$lab" >/dev/null
  trap '$m lab down --name "$lab" >/dev/null' EXIT
fi
# The bench sends far more than the per-user submission limit (mail.submission_limit) lets
# a real user send in an hour: raise it for the bench host, and only there.
node --input-type=module -e "
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
const spec = parse(readFileSync('examples/cluster.yaml', 'utf8'));
spec.mail = { ...spec.mail, submission_limit: { burst: 1000000, per_hour: 1000000 } };
process.stdout.write(stringify(spec));
" | $m lab exec --name "$lab" -- sh -c 'cat > /etc/mailctl/cluster.yaml && mailctl apply >/dev/null'
user=bench@example.com
# A password of the run's own, on stdin only: it never reaches argv, the output or a file.
pass=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
$m lab exec --name "$lab" -- mailctl mailbox remove "$user" >/dev/null 2>&1 || true
printf '%s\n' "$pass" | $m lab exec --name "$lab" -- mailctl mailbox add "$user" --quota 0 --password-stdin
# Every message is still scanned by Rspamd, but none is greylisted or refused: the bench
# measures the mail path, not the lab internet's reputation.
$m lab exec --name "$lab" -- mailctl spam set "$user" --greylist 1000 --add-header 1000 --reject 1000
vpn() { printf '%s\n' "$pass" | ip netns exec "mailctl-$lab-vpn" node dist/mailctl.mjs "$@"; }
echo "== port 25 (STARTTLS), $count messages of 4K over $conc connections, from the internet side"
vpn bench smtp --server 198.51.100.10 --port 25 --tls starttls --insecure \
  --helo client.example.org --from bench@example.org --to "$user" --count "$count" --concurrency "$conc" --imap 10.100.0.1
echo "== submission 587 (STARTTLS + AUTH, DKIM-signed), $count messages over $conc connections"
vpn bench smtp --server 198.51.100.10 --port 587 --tls starttls --insecure --auth "$user" --helo client.example.org \
  --from "$user" --to "$user" --count "$count" --concurrency "$conc" --imap 10.100.0.1
$m lab exec --name "$lab" -- mailctl mailbox remove "$user" >/dev/null
