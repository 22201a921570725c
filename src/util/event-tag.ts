/** The journal's SYSLOG_IDENTIFIER of mailctl's own events (the Wazuh decoders match it). */
export const EVENT_TAG = 'mailctl';
