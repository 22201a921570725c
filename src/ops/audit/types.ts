import type { AuditSide, PortScanResult } from './reachable-ports.js';

/** One line of `mailctl audit`: what was checked, whether it passed, and why. */
export interface AuditCheck {
  /** Stable identifier (sockets, tls-465, open-relay, ...): scripts match on it. */
  id: string;
  ok: boolean;
  /** One line for the administrator: what was found. */
  detail: string;
}

/** One testssl.sh finding, as its JSON output has it. */
export interface TlsFinding {
  id: string;
  severity: string;
  finding: string;
}

export interface TlsScan {
  port: number;
  /** Protocols the server offered (SSLv2 ... TLS1.3, as testssl names them with a dot). */
  protocols: string[];
  /** Findings rated above INFO (LOW and up), and any the scanner could not complete. */
  findings: TlsFinding[];
  /** Certificate findings accepted because the cluster file asks for a self-signed certificate. */
  accepted: TlsFinding[];
}

export interface AuditReport {
  ok: boolean;
  checks: AuditCheck[];
  tls: TlsScan[];
  lynis?: { hardeningIndex: number; target: number };
  /** Set when the audit ran from another machine (`--remote`). */
  remote?: RemoteTarget;
  /** The remote audit's TCP scan: what answered, and what the side should reach. */
  portScan?: PortScanResult & { expected: number[] };
}

/** What a remote audit looked at, and from where. */
export interface RemoteTarget {
  /** The host's name in the cluster file. */
  host: string;
  /** The address scanned (a name given on the command line, resolved). */
  address: string;
  side: AuditSide;
}
