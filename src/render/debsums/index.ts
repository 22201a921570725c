export { DEBSUMS_DEFAULT_PATH, debsumsComponent, renderDebsumsDefault } from './default-debsums.js';
