export { bannersComponent, ISSUE_NET_PATH, ISSUE_PATH, renderBanners } from './issue.js';
