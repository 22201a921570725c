export { dkimPublicKeyBase64 } from './dkim-key.js';
export {
  type DkimPublicKey,
  type DnsRecord,
  type DnsRecordsInput,
  DEFAULT_DNS_TTL,
  listDnsRecords,
} from './dns-records.js';
export { quoteTxtString, splitTxtValue, TXT_STRING_MAX_BYTES } from './txt-strings.js';
export { type DnsZoneText, renderDnsRecords } from './zone-file.js';
