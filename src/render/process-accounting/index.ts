export { processAccountingComponent } from './acct.js';
