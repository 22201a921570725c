export { checkDns, renderCheckTable } from './check.js';
export { type CheckRow, type CheckState, compareRecord } from './compare.js';
export { resolverLookups, type Lookups } from './lookup.js';
export { SPF_LOOKUP_LIMIT, spfLookupCount, spfSyntaxProblems } from './spf.js';
