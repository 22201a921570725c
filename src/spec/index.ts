export { hostContextFromSpec } from './host-context.js';
export { formatPath, parseClusterFile } from './parse.js';
export { clusterSchema, type Spec } from './schema.js';
